"""A zone where two departments have recorded, about one company, a public and a non-public record
each; a second company; one user of every role."""

import datetime as dt

import pytest

from tests.records.conftest import penalty_in
from xinyong.accounts.permissions import PUBLIC
from xinyong.kit.clock import today
from xinyong.records import service as records
from xinyong.records.models import Record
from xinyong.records.schemas import RecordCreate


def internal_in(company, number: str, day: dt.date) -> RecordCreate:
    """其他不良信息: a type for internal use (catalog: 内部使用), so never public."""
    return RecordCreate(info_type="other_bad", entity_code=company.uscc, document_number=number, decision_date=day,
                        authority="北京经济技术开发区", content={"content": "未按要求整改，已书面提醒"})


def public_in(company, number: str, day: dt.date) -> RecordCreate:
    """A general penalty, public for a year from its decision (R-PUB-4a)."""
    record_in = penalty_in(company, document_number=number, decision_date=day)
    record_in.content["valid_to"] = (day + dt.timedelta(days=365)).isoformat()
    return record_in


@pytest.fixture
def world(make, uow):
    scjg = make.department("北京经济技术开发区市场监督管理局")
    sthj = make.department("北京经济技术开发区生态环境局")
    company = make.entity("北京亦庄星河精密制造有限公司")
    other = make.entity("北京亦庄晨光电子有限公司")
    people = {
        "officer": make.user("officer", "scjg_jbr", department=scjg),
        "reviewer": make.user("reviewer", "scjg_shr", department=scjg),
        "outsider": make.user("officer", "sthj_jbr", department=sthj),
        "admin": make.user("admin", "xyb"),
        "auditor": make.user("auditor", "sj"),
        "entity": make.user("entity", "xinghe", entity=company),
        "other_entity": make.user("entity", "chenguang", entity=other),
    }
    actors = {name: make.actor(u) for name, u in people.items()} | {"public": PUBLIC}
    day = today() - dt.timedelta(days=30)
    made = {}
    for label, who, record_in in (
            ("scjg_public", "officer", public_in(company, "京开市监罚〔2026〕11号", day)),
            ("scjg_internal", "officer", internal_in(company, "京开市监提〔2026〕12号", day)),
            ("sthj_public", "outsider", public_in(company, "京开环罚〔2026〕21号", day)),
            ("sthj_internal", "outsider", internal_in(company, "京开环提〔2026〕22号", day)),
            ("other_public", "outsider", public_in(other, "京开环罚〔2026〕31号", day))):
        with uow(actor=actors[who]) as s:
            made[label] = records.create(s, actor=actors[who], record_in=record_in).id
    with uow(actor=actors["admin"]) as s:
        records.accept(s, actor=actors["admin"], records=[s.get(Record, rid) for rid in made.values()])
    labels = {rid: label for label, rid in made.items()}
    return {"scjg": scjg, "sthj": sthj, "company": company, "other": other, "users": people, "actors": actors,
            "records": made, "label": labels}
