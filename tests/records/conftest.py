import datetime as dt

import pytest

from xinyong.entities.identifiers import uscc_check_digit
from xinyong.records import service
from xinyong.records.schemas import RecordCreate


@pytest.fixture
def zone(make):
    dept = make.department("北京经济技术开发区市场监督管理局")
    other = make.department("北京经济技术开发区生态环境局")
    company = make.entity("北京亦庄星河精密制造有限公司")
    return {
        "dept": dept, "other": other, "company": company,
        "officer": make.actor(make.user("officer", "scjg_jbr", department=dept)),
        "reviewer": make.actor(make.user("reviewer", "scjg_shr", department=dept)),
        "outsider": make.actor(make.user("officer", "sthj_jbr", department=other)),
        "admin": make.actor(make.user("admin", "xyb")),
    }


AGENCY = "11110302MB0000001" + uscc_check_digit("11110302MB0000001")


def penalty_in(company, **overrides) -> RecordCreate:
    data = {
        "info_type": "penalty", "entity_code": company.uscc, "document_number": "京开市监罚〔2026〕118号",
        "decision_date": dt.date(2026, 3, 5), "authority": "北京经济技术开发区市场监督管理局",
        "content": {"violation_type": "食品安全", "violation_facts": "销售超过保质期的食品",
                    "penalty_basis": "《中华人民共和国食品安全法》第一百二十四条", "penalty_categories": "警告；罚款",
                    "penalty_content": "警告并处罚款人民币5万元", "fine_amount": "5", "valid_to": "2026-09-05",
                    "authority_uscc": AGENCY, "source_unit": "北京经济技术开发区市场监督管理局",
                    "source_unit_uscc": AGENCY},
    }
    return RecordCreate(**(data | overrides))


@pytest.fixture
def submit(uow):
    def run(actor, record_in, **kw):
        with uow(actor=actor) as s:
            r = service.create(s, actor=actor, record_in=record_in, **kw)
            return r.id
    return run
