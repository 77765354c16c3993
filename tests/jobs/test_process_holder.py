"""A lease holder that names its very process (issue 17, defect 8): another process on the same machine
tells at once that it is gone, without waiting for its lease; a PID reused by a newer process is not
taken for it; a holder on another machine is left to its lease."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xinyong.jobs import lease

NO_DATABASE = True
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process start times come from /proc")


def test_this_process_is_not_gone():
    holder = lease.this_process()
    assert f":{os.getpid()}:" in holder and not lease.gone(holder)


def test_a_process_that_exited_is_gone_at_once():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    holder = f"{lease._machine()}:{child.pid}:{lease._started(child.pid)}"
    assert not lease.gone(holder)
    child.kill()
    deadline = time.monotonic() + 5
    while not lease.gone(holder) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert lease.gone(holder)  # a zombie not yet reaped by its parent is gone already
    child.wait()
    assert lease.gone(holder)


def test_a_pid_now_running_another_process_is_gone():
    started = lease._started(os.getpid())
    assert lease.gone(f"{lease._machine()}:{os.getpid()}:{int(started) - 1}")


def test_a_holder_elsewhere_or_unreadable_is_left_to_its_lease():
    assert not lease.gone(f"another-host/{lease._machine().split('/', 1)[1]}:999999:1")
    assert not lease.gone("another-host/[1]:1:1")
    assert not lease.gone(None) and not lease.gone("") and not lease.gone("host:12:ab:cd:x")
    assert not lease.gone(lease.new_holder())  # a job lease's holder (host:pid:token) names no start time
