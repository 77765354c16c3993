import datetime as dt

import pytest

from tests.records.conftest import penalty_in
from xinyong.kit import clock
from xinyong.records import service as records
from xinyong.records.models import Record
from xinyong.records.schemas import RecordCreate


@pytest.fixture
def zone(make):
    dept = make.department("北京经济技术开发区市场监督管理局")
    return {
        "dept": dept,
        "company": make.entity("北京亦庄星河精密制造有限公司", region="北京经济技术开发区"),
        "officer": make.actor(make.user("officer", "scjg_jbr", department=dept)),
        "admin": make.actor(make.user("admin", "xyb")),
    }


@pytest.fixture
def accepted(uow, zone):
    """``accepted(record_in)`` → the id of that record, submitted by the department and accepted."""
    def run(record_in: RecordCreate, *, accept: bool = True) -> int:
        with uow(actor=zone["officer"]) as s:
            rid = records.create(s, actor=zone["officer"], record_in=record_in).id
        if accept:
            with uow(actor=zone["admin"]) as s:
                records.accept(s, actor=zone["admin"], records=[s.get(Record, rid)])
        return rid
    return run


def penalty(entity, **overrides) -> RecordCreate:
    return penalty_in(entity, **overrides)


def licence(entity, **overrides) -> RecordCreate:
    data = {
        "info_type": "licence", "entity_code": entity.uscc, "document_number": "京开市监许〔2026〕7号",
        "decision_date": dt.date(2026, 2, 2), "authority": "北京经济技术开发区市场监督管理局",
        "content": {"document_title": "食品经营许可决定书", "licence_category": "普通", "licence_content": "预包装食品销售",
                    "certificate_name": "食品经营许可证", "licence_number": "JY11101150000001", "valid_to": "2031-02-01",
                    "authority_uscc": penalty_in(entity).content["authority_uscc"]},
    }
    return RecordCreate(**(data | overrides))


@pytest.fixture
def on_day(monkeypatch):
    """Pin "today" for the whole request path."""
    def pin(day: dt.date):
        monkeypatch.setattr(clock, "today", lambda: day)
        monkeypatch.setattr("xinyong.public.service.today", lambda: day)
    return pin
