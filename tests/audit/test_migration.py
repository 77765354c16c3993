"""A schema migration rewrites rows behind the platform's back; `init` re-binds them to the chain,
but only after the old schema verified clean (R-REV-4: never launder earlier tampering)."""

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import MetaData, Table, text

from tests.conftest import TEST_SECRET
from xinyong.accounts.permissions import SYSTEM
from xinyong.audit.trail import attest_rows, record_event
from xinyong.audit.verify import verify
from xinyong.bootstrap import initialise
from xinyong.kit.errors import Conflict
from xinyong.kit.migrate import alembic_config, current_revision, head_revision
from xinyong.kit.platform import Platform
from xinyong.kit.settings import Settings

OLD = "0002"  # before departments.requires_approval existed


@pytest.fixture
def old_platform(tmp_path):
    p = Platform.create(Settings(database_url=f"sqlite:///{tmp_path / 'old.db'}", secret_key=TEST_SECRET,
                                 key_file=tmp_path / "k"))
    command.upgrade(alembic_config(p.engine), OLD)
    with p.uow(actor=SYSTEM) as s:  # a department written as the platform of revision 0002 wrote it
        departments = Table("departments", MetaData(), autoload_with=s.connection())
        row = {"id": 1, "uscc": "11110302MB0000001X", "name": "北京经济技术开发区市场监督管理局",
               "is_credit_office": False, "created_at": dt.datetime(2026, 1, 5, 8, 0)}
        s.execute(departments.insert().execution_options(attested=True), [row])
        attest_rows(s, departments, [row])
        record_event(s, "department.created", subject_type="department", subject_id=1)
    yield p
    p.dispose()


def test_init_migrates_and_rebinds_the_rows_it_changed(old_platform):
    with old_platform.uow(write=False) as s:
        assert verify(s, old_platform.keyring, reflect=True).ok
    initialise(old_platform)
    assert current_revision(old_platform.engine) == head_revision(old_platform.engine)
    with old_platform.uow(write=False) as s:
        report = verify(s, old_platform.keyring)
        assert s.execute(text("SELECT requires_approval FROM departments")).scalar_one() in (0, False)
        assert s.execute(text("SELECT count(*) FROM audit_events WHERE action = 'schema.migrated'")).scalar_one() == 1
    assert report.ok, report.problems


def test_init_refuses_to_migrate_over_tampering(old_platform):
    with old_platform.engine.begin() as conn:
        conn.execute(text("UPDATE departments SET name = '改过的名字' WHERE id = 1"))
    with pytest.raises(Conflict) as exc:
        initialise(old_platform)
    assert "升级前审计校验未通过" in exc.value.message and "departments 行 1" in exc.value.message
    assert current_revision(old_platform.engine) == OLD
