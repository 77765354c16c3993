"""A department, its officers and two 个体工商户 with the same name: what the match queue needs (R-ENT-6)."""

from __future__ import annotations

import pytest

from tests.ingest.builders import MARKET_BUREAU_USCC, PENALTY_HEADERS, PERSON_ID, penalty
from xinyong.accounts import service as accounts
from xinyong.accounts.permissions import SYSTEM

CODE_1 = next(h for h in PENALTY_HEADERS if h.startswith("行政相对人代码_1"))
SAME_NAME = "北京亦庄老张家常菜馆"


def name_only(name: str = SAME_NAME, **changes) -> dict:
    """A penalty row without any party code: only the name says who it is about."""
    return penalty(**{"行政相对人名称": name, "行政相对人类别": "个体工商户", CODE_1: "", "法定代表人": "张建国",
                      "法定代表人证件类型": "身份证", "法定代表人证件号码": PERSON_ID} | changes)


@pytest.fixture
def qzone(make, uow):
    with uow(actor=SYSTEM) as s:
        dept = accounts.create_department(s, actor=SYSTEM, uscc=MARKET_BUREAU_USCC, name="北京经济技术开发区市场监督管理局")
    other = make.department("北京经济技术开发区生态环境局")
    office = make.department("北京经济技术开发区信用办", credit_office=True)
    first = make.entity(SAME_NAME, uscc=make.uscc("92"), legal_representative="张建国", address="北京经济技术开发区荣华中路8号")
    second = make.entity("北京亦庄老张家常菜馆 ", uscc=make.uscc("92"), legal_representative="张立", address="亦庄镇小羊坊村")
    officer_user = make.user("officer", "scjg_jbr", department=dept)
    return {
        "dept": dept, "other": other, "first": first, "second": second, "officer_user": officer_user,
        "officer": make.actor(officer_user),
        "outsider": make.actor(make.user("officer", "sthj_jbr", department=other)),
        "admin": make.actor(make.user("admin", "xyb", department=office)),
    }


@pytest.fixture
def held(uow, qzone):
    """``held(**changes)`` → the id of a row put in the market bureau's queue, as the import would."""
    from xinyong.ingest import queue

    def put(row: dict | None = None, *, run_id: int | None = None, number: int = 2) -> int:
        row = row or name_only()
        with uow(actor=qzone["officer"]) as s:
            h = queue.hold(s, actor=qzone["officer"], department_id=qzone["dept"].id, run_id=run_id, fmt="penalty",
                           row_number=number, raw=row, name=row["行政相对人名称"], name_key=row["行政相对人名称"].strip(),
                           reason="没有代码，且有多个同名主体，无法唯一匹配",
                           candidate_ids=[qzone["first"].id, qzone["second"].id])
            return h.id

    return put
