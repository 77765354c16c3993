"""The writer lock and the key on record: the two things that keep the audit chain one history."""

import threading
import time

import pytest
from sqlalchemy import select

from tests.conftest import TEST_SECRET
from xinyong.accounts.models import User
from xinyong.accounts.permissions import SYSTEM
from xinyong.audit.verify import verify
from xinyong.kit.errors import Invalid
from xinyong.kit.platform import Platform
from xinyong.kit.settings import Settings


def test_writers_take_turns_so_every_bound_digest_is_the_committed_row(platform, make):  # R-REV-4
    user = make.user("auditor", "watcher")
    second_done = threading.Event()

    def second_writer():
        with platform.uow(actor=SYSTEM) as s:
            s.get(User, user.id).is_active = False
        second_done.set()

    with platform.uow(actor=SYSTEM) as first:
        first.get(User, user.id).display_name = "改名"
        first.flush()
        thread = threading.Thread(target=second_writer)
        thread.start()
        time.sleep(0.5)
        assert not second_done.is_set(), "a second writer ran while the first was open"
    thread.join(timeout=30)
    assert second_done.is_set()
    with platform.uow(write=False) as s:
        row = s.execute(select(User.display_name, User.is_active).where(User.id == user.id)).one()
        assert tuple(row) == ("改名", False)
        report = verify(s, platform.keyring)
    assert report.ok, report.problems


def test_a_different_key_for_an_initialised_database_is_refused(settings, tmp_path):  # R-SEC-1
    other = Settings(database_url=settings.database_url, secret_key="6b" * 32, key_file=tmp_path / "k")
    with pytest.raises(Invalid) as exc:
        Platform.create(other)
    assert "密钥与数据库登记的不一致" in exc.value.message


def test_a_missing_key_file_is_not_silently_replaced(settings, tmp_path):
    lost = Settings(database_url=settings.database_url, key_file=tmp_path / "gone.key")
    with pytest.raises(Invalid) as exc:
        Platform.create(lost)
    assert "找不到密钥文件" in exc.value.message
    assert not (tmp_path / "gone.key").exists()


def test_the_right_key_opens_the_platform(settings, tmp_path):
    p = Platform.create(Settings(database_url=settings.database_url, secret_key=TEST_SECRET, key_file=tmp_path / "k"))
    p.dispose()
