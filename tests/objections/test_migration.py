"""Migration 0015 turns the grade review requests into objections to a grading result, so that there is one
flow (issue 18 §1): nothing asked or answered is lost, and the audit chain verifies after `init`."""

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    select,
)

from tests.conftest import TEST_SECRET
from xinyong.accounts.permissions import SYSTEM
from xinyong.audit.trail import attest_rows, record_event
from xinyong.audit.verify import verify
from xinyong.bootstrap import initialise
from xinyong.kit.db import Base
from xinyong.kit.migrate import alembic_config
from xinyong.kit.platform import Platform
from xinyong.kit.settings import Settings
from xinyong.objections.models import Objection, Status, Target

BEFORE = "0014"
APPLIED = dt.datetime(2026, 11, 2, 17, 30)  # UTC: 3 November in Beijing
ANSWERED = dt.datetime(2026, 11, 5, 2, 0)


def _filled(table: Table, given: dict) -> dict:
    """A row of ``table`` as an older platform wrote it: ``given``, and a plain value in every other required column."""
    row = dict(given)
    for col in table.columns:
        if col.name in row or col.nullable or col.server_default is not None or col.primary_key and col.name != "id":
            continue
        model = Base.metadata.tables.get(table.name)  # the types as the models know them (enums reflect as text)
        kind = model.c[col.name].type if model is not None and col.name in model.c else col.type
        kind = kind.impl if isinstance(kind, TypeDecorator) else kind
        row[col.name] = (kind.enums[0] if isinstance(kind, Enum) else False if isinstance(kind, Boolean)
                         else APPLIED if isinstance(kind, DateTime) else APPLIED.date() if isinstance(kind, Date)
                         else {} if isinstance(kind, JSON) else b"" if isinstance(kind, LargeBinary)
                         else 1 if isinstance(kind, Integer) else "x" if isinstance(kind, String | Text) else None)
    return row


@pytest.fixture
def old_platform(tmp_path):
    p = Platform.create(Settings(database_url=f"sqlite:///{tmp_path / 'old.db'}", secret_key=TEST_SECRET,
                                 key_file=tmp_path / "k"))
    command.upgrade(alembic_config(p.engine), BEFORE)
    with p.uow(actor=SYSTEM) as s:
        meta = MetaData()
        tables = {name: Table(name, meta, autoload_with=s.connection())
                  for name in ("entities", "grading_models", "grading_runs", "grade_reviews")}
        rows = {
            "entities": [_filled(tables["entities"], {"id": 1, "name": "北京亦庄星河精密制造有限公司",
                                                      "uscc": "91110302MA00000001"})],
            "grading_models": [_filled(tables["grading_models"], {"id": 1})],
            "grading_runs": [_filled(tables["grading_runs"], {"id": 1, "model_id": 1})],
            "grade_reviews": [
                _filled(tables["grade_reviews"], {"id": 1, "entity_id": 1, "run_id": 1, "score": 620, "grade": "C",
                                                  "reason": "罚款已缴清，请复核", "status": "answered",
                                                  "answer": "经复核，扣分无误", "applied_at": APPLIED,
                                                  "answered_at": ANSWERED}),
                _filled(tables["grade_reviews"], {"id": 2, "entity_id": 1, "run_id": 1, "score": 640, "grade": "C",
                                                  "reason": "整改材料已报送", "status": "open", "answer": None,
                                                  "applied_at": ANSWERED, "answered_at": None})],
        }
        for name, batch in rows.items():
            s.execute(tables[name].insert().execution_options(attested=True), batch)
            # bound as stored, with what the database filled in
            attest_rows(s, tables[name], [dict(r._mapping) for r in s.execute(select(tables[name]))])
        record_event(s, "grading.review_requested", subject_type="grade_review", subject_id=1)
    yield p
    p.dispose()


def test_review_requests_become_objections_to_a_grade(old_platform):  # R-GRD-6, R-OBJ-1
    with old_platform.uow(write=False) as s:
        assert verify(s, old_platform.keyring, reflect=True).ok
    initialise(old_platform)
    with old_platform.uow(write=False) as s:
        answered, open_ = s.scalars(select(Objection).order_by(Objection.id)).all()
        assert verify(s, old_platform.keyring).ok
    assert answered.target is Target.GRADE and answered.status is Status.DECIDED and answered.outcome is None
    assert (answered.statement, answered.decision_reason, answered.score, answered.grade) == (
        "罚款已缴清，请复核", "经复核，扣分无误", 620, "C")
    assert (answered.received_on, answered.decided_on) == (dt.date(2026, 11, 3), dt.date(2026, 11, 5))  # China's days
    assert open_.status is Status.RECEIVED and open_.statement == "整改材料已报送" and open_.decided_on is None
    assert open_.department_id is None  # a grade is the credit office's own: no department verifies it
