"""A killed import (issue 17, defect 8; R-COL-5, SPEC's "a crash mid-way leaves the database as before or as
after"): its run reads as interrupted as soon as its process is gone or its lease lapsed, the next start
writes it so with how far it got, its checking workers die with it, and importing the file again completes
it without a duplicate."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from tests.conftest import TEST_SECRET
from tests.ingest.builders import PENALTY_HEADERS, penalty, write_csv
from xinyong.accounts import service as accounts
from xinyong.accounts.permissions import SYSTEM
from xinyong.audit.models import AuditEvent
from xinyong.audit.verify import verify
from xinyong.ingest import runs
from xinyong.ingest import service as ingest
from xinyong.ingest.models import ImportRun, RunStatus
from xinyong.jobs import lease
from xinyong.kit.clock import now
from xinyong.records.models import Record

SCJG = "11110302MB0141592W"


@pytest.fixture
def officer(uow, make):
    with uow(actor=SYSTEM) as s:
        dept = accounts.create_department(s, actor=SYSTEM, uscc=SCJG, name="北京经济技术开发区市场监督管理局")
    return make.actor(make.user("officer", "scjg_jbr", department=dept))


def read_run(uow, run_id) -> ImportRun:
    with uow(write=False) as s:
        return s.get(ImportRun, run_id)


def dead_holder() -> str:
    """The holder name of a process of this machine that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    holder = f"{lease._machine()}:{child.pid}:{lease._started(child.pid)}"
    assert not lease.gone(holder)
    child.kill()
    child.wait()
    return holder


def events_of(uow, run_id) -> list[str]:
    with uow(write=False) as s:
        return list(s.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "import_run",
                                                              AuditEvent.subject_id == str(run_id))))


def test_a_run_whose_lease_lapsed_reads_as_interrupted_before_anything_rewrote_it(platform, uow, officer):  # issue 17
    run_id = runs.start(platform, officer, "p.csv")
    run = read_run(uow, run_id)
    assert runs.to_read(run).status is RunStatus.RUNNING  # this process holds it, and its lease runs
    later = runs.to_read(run, at=run.lease_until + dt.timedelta(seconds=1))
    assert (later.status, later.status_label, later.error, later.finished_at) == (
        RunStatus.INTERRUPTED, "已中断", runs.INTERRUPTED, run.updated_at)
    assert read_run(uow, run_id).status is RunStatus.RUNNING  # reading wrote nothing


def test_every_read_of_a_stopped_run_says_interrupted(platform, uow, officer, client):  # issue 17: time is law
    from tests.web.test_auth import login

    run_id = runs.start(platform, officer, "处罚.csv")
    with uow() as s:  # as a killed server leaves it: running, its lease lapsed a while ago
        s.execute(update(ImportRun).where(ImportRun.id == run_id)
                  .values(lease_until=now() - dt.timedelta(minutes=1), total=5000, accepted=5000, batches=1))
    login(client, "scjg_jbr")
    api = client.get(f"/api/v1/records/import/runs/{run_id}").json()
    assert (api["status"], api["status_label"], api["batches"], api["accepted"]) == ("interrupted", "已中断", 1, 5000)
    listing = client.get("/api/v1/records/import/runs").json()["items"][0]
    assert listing["status"] == "interrupted"
    page = client.get(f"/records/import/runs/{run_id}").text
    assert "导入已中断" in page and "已提交 1 批" in page and "hx-trigger" not in page  # the page stops polling
    assert "已中断" in client.get("/records/import/runs").text
    assert read_run(uow, run_id).status is RunStatus.RUNNING


def test_recover_writes_the_stopped_runs_with_their_counts_and_an_event(platform, uow, officer):  # issue 17
    gone, lapsed, alive = (runs.start(platform, officer, f"{n}.csv") for n in ("gone", "lapsed", "alive"))
    with uow() as s:
        s.execute(update(ImportRun).where(ImportRun.id == gone)
                  .values(holder=dead_holder(), total=1200, accepted=1000, rejected_count=200, batches=2))
        s.execute(update(ImportRun).where(ImportRun.id == lapsed)  # a process on another machine, silent too long
                  .values(holder="other-host/[1]:42:7", lease_until=now() - dt.timedelta(seconds=1)))
    assert sorted(runs.recover(platform)) == sorted([gone, lapsed])
    run = read_run(uow, gone)
    assert (run.status, run.error, run.batches, run.total, run.accepted, run.rejected_count) == (
        RunStatus.INTERRUPTED, runs.INTERRUPTED, 2, 1200, 1000, 200)
    assert run.finished_at == run.updated_at
    assert read_run(uow, alive).status is RunStatus.RUNNING  # its process (this one) still runs it
    assert events_of(uow, gone) == ["import.interrupted"] and events_of(uow, alive) == []
    assert runs.recover(platform) == []  # written once
    with uow(write=False) as s:
        detail = s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "import.interrupted",
                                                           AuditEvent.subject_id == str(gone))).one()
        assert (detail["batches"], detail["accepted"], detail["total"]) == (2, 1000, 1200)
        assert verify(s, platform.keyring).ok


def test_a_new_import_writes_runs_left_running_as_interrupted(platform, uow, officer):  # issue 17
    old = runs.start(platform, officer, "old.csv")
    with uow() as s:
        s.execute(update(ImportRun).where(ImportRun.id == old).values(holder=dead_holder()))
    runs.start(platform, officer, "new.csv")
    assert read_run(uow, old).status is RunStatus.INTERRUPTED


def _descendants(root: int) -> dict[int, str]:
    """Every process under ``root`` (children, their children…), by PID with its start time."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry)] = int(fields[1])
    found, frontier = {}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in found:
                found[child] = lease._started(child)
                frontier.append(child)
    return {pid: started for pid, started in found.items() if started is not None}


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process checks read /proc (Linux)")
def test_a_killed_import_leaves_no_process_and_is_completed_by_importing_again(settings, uow, officer, tmp_path):
    # issue 17, defect 8; R-COL-5: kill -9 of `xinyong import` mid-way, then the next start and a re-import
    n = 9000
    rows = [penalty(**{"行政处罚决定书文号": f"京经开市监罚〔2026〕{i}号", "处罚机关统一社会信用代码": SCJG,
                       "数据来源单位统一社会信用代码": SCJG}) for i in range(1, n + 1)]
    path = write_csv(tmp_path / "处罚.csv", PENALTY_HEADERS, rows)
    assert path.stat().st_size > ingest.PARALLEL_OVER_BYTES  # big enough to be checked by worker processes
    env = os.environ | {"XINYONG_DATABASE_URL": settings.database_url, "XINYONG_SECRET_KEY": TEST_SECRET}
    # `xinyong import` itself, with batches of 500 rows rather than 5,000 so the test need not import as many
    # rows before one batch is in; the same code path
    importing = subprocess.Popen(
        [sys.executable, "-c", "import sys; from xinyong.ingest import service; service.BATCH = 500; "
                               "from xinyong.cli import main; main(sys.argv[1:])",
         "import", str(path), "--department", SCJG], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while True:
            with uow(write=False) as s:
                run = s.scalars(select(ImportRun)).first()
            if run is not None and run.batches >= 1:
                break
            assert importing.poll() is None, importing.stderr.read().decode()
            assert time.monotonic() < deadline, "no batch was committed within two minutes"
            time.sleep(0.05)
        family = _descendants(importing.pid)
        assert any("forkserver" in _cmdline(pid) for pid in family), family  # the checking pool is running
        importing.send_signal(signal.SIGKILL)
        importing.wait(10)
    finally:
        if importing.poll() is None:
            importing.kill()
            importing.wait()
    importing.stderr.close()

    deadline = time.monotonic() + 5
    while (left := {pid for pid, started in family.items() if lease._started(pid) == started}) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, {pid: _cmdline(pid) for pid in left}  # workers, forkserver and resource tracker all ended

    with uow(write=False) as s:  # nothing rewrote it yet, and it reads as interrupted: its process is gone
        killed = s.get(ImportRun, run.id)
        assert killed.status is RunStatus.RUNNING and runs.to_read(killed).status is RunStatus.INTERRUPTED
        in_before = s.scalar(select(func.count()).select_from(Record))
    assert in_before == killed.accepted == killed.total == 500 * killed.batches < n  # whole batches, counted exactly

    again = subprocess.run([sys.executable, "-m", "xinyong.cli", "import", str(path), "--department", SCJG, "--json"],
                           env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    with uow(write=False) as s:
        first, second = s.scalars(select(ImportRun).order_by(ImportRun.id)).all()
        assert (first.status, first.error, first.batches, first.accepted) == (
            RunStatus.INTERRUPTED, runs.INTERRUPTED, killed.batches, in_before)
        assert (second.status, second.accepted, second.duplicates, second.rejected_count) == (
            RunStatus.FINISHED, n - in_before, in_before, 0)
        assert s.scalar(select(func.count()).select_from(Record)) == n  # no row twice
        assert events_of(uow, first.id) == ["import.interrupted"]
    verified = subprocess.run([sys.executable, "-m", "xinyong.cli", "audit", "verify"], env=env, capture_output=True,
                              text=True, timeout=300)
    assert verified.returncode == 0, verified.stdout + verified.stderr
