import datetime as dt

import pytest

from xinyong.lists import service as lists
from xinyong.lists.models import ListKind

SCJG = "北京经济技术开发区市场监督管理局"
FGW = "北京经济技术开发区发展改革局"
CZJ = "北京经济技术开发区财政局"
DECIDED = dt.date(2026, 1, 5)  # fixed, so that tests may inject any later 2026 day (a year with a loaded calendar)


@pytest.fixture
def joint(make, uow):
    """An initiating department, two implementing departments, the credit office, and a company on the
    black list by the initiating department's determination, with its legal representative and a manager."""
    scjg, fgw, czj = make.department(SCJG), make.department(FGW), make.department(CZJ)
    office = make.department("北京经济技术开发区信用办", credit_office=True)
    company = make.entity("北京亦庄星河精密制造有限公司", related_persons=[
        {"role": "legal_representative", "name": "王建国", "id_number": make.id_number("19700101")},
        {"role": "senior_manager", "name": "李晓梅", "position": "副总经理"},
        {"role": "shareholder", "name": "赵大海", "share_percent": "30"}])
    z = {
        "scjg": scjg, "fgw": fgw, "czj": czj, "office": office, "company": company,
        "initiator": make.actor(make.user("officer", "scjg_jbr", department=scjg)),
        "fgw_officer": make.actor(make.user("officer", "fgw_jbr", department=fgw)),
        "czj_officer": make.actor(make.user("reviewer", "czj_shr", department=czj)),
        "admin": make.actor(make.user("admin", "xyb", department=office)),
        "entity_user": make.actor(make.user("entity", "xinghe", entity=company)),
    }
    with uow(actor=z["initiator"]) as s:
        entry = lists.determine(s, actor=z["initiator"], entity_code=company.uscc, kind=ListKind.BLACK,
                                basis_text="《食品安全法》第一百三十四条：一年内累计三次因违法受到罚款处罚，认定为严重失信主体",
                                document_number="京开市监信认〔2026〕3号", decided_on=DECIDED,
                                planned_end=None)
        z["entry_id"] = entry.id
    return z
