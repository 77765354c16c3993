"""A bulk statement on an audited table is attested in its own transaction, or refused (R-REV-4, issue 17).

The ORM's flush is where row changes are captured; ``session.execute(update(T)…)`` bypasses it. Before
issue 17, adopting a grading model deactivated the others that way and ``audit verify`` then reported
those rows as changed behind the platform's back.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, select, update

from xinyong.accounts.models import Department
from xinyong.accounts.permissions import SYSTEM
from xinyong.audit.models import AuditEvent
from xinyong.audit.trail import UnattestedWrite
from xinyong.audit.verify import verify
from xinyong.grading.models import GradingModelVersion


def _verified(uow, platform):
    with uow(write=False) as s:
        return verify(s, platform.keyring)


def test_a_bulk_update_on_an_audited_table_is_attested_in_its_transaction(uow, platform):  # R-REV-4
    with uow(actor=SYSTEM) as s:
        before = s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
        n = s.execute(update(GradingModelVersion).values(active=False)).rowcount
        assert n >= 2  # the shipped presets
    report = _verified(uow, platform)
    assert report.ok, report.problems
    with uow(write=False) as s:
        changes = [c for e in s.scalars(select(AuditEvent).where(AuditEvent.seq > before)) for c in e.changes]
    assert sorted(c[0] for c in changes) == [GradingModelVersion.__tablename__] * n
    assert {c[2] for c in changes} == {"update"}


def test_a_bulk_update_changes_only_the_rows_it_attested(uow, platform, make):  # R-REV-4
    make.department("市场监管局")
    make.department("税务局")
    with uow(actor=SYSTEM) as s:
        r = s.execute(update(Department).where(Department.name == "税务局").values(name="国家税务总局北京经济技术开发区税务局"))
        assert r.rowcount == 1
    with uow(write=False) as s:
        assert sorted(s.scalars(select(Department.name))) == ["国家税务总局北京经济技术开发区税务局", "市场监管局"]
    assert _verified(uow, platform).ok


def test_a_bulk_delete_on_an_audited_table_is_attested(uow, platform, make):  # R-REV-4
    make.department("文旅局")
    with uow(actor=SYSTEM) as s:
        assert s.execute(delete(Department).where(Department.name == "文旅局")).rowcount == 1
    report = _verified(uow, platform)
    assert report.ok, report.problems


def test_a_core_insert_on_an_audited_table_that_nothing_attests_is_refused(uow, platform):  # R-REV-4
    with pytest.raises(UnattestedWrite), uow(actor=SYSTEM) as s:
        s.execute(insert(Department), [{"uscc": "11110000000000000X", "name": "某局", "is_credit_office": False}])
    with uow(write=False) as s:  # nothing of it stored: the unit of work rolled back
        assert s.scalar(select(Department).where(Department.name == "某局")) is None
    assert _verified(uow, platform).ok


def test_an_unattested_change_behind_the_platform_is_still_detected(uow, platform, make):  # R-REV-4
    make.department("住建委")
    with platform.engine.begin() as conn:  # directly in the database: not through a session
        conn.execute(update(Department).values(name="改过的名字"))
    report = _verified(uow, platform)
    assert not report.ok and "departments" in report.problems[0]
