"""The matters a measure applies to — what ``?matter=`` names in a credit check (R-MEA-1, R-MEA-3).

The 应查必查 duties of ``xinyong.access.duties`` are matters as they are (same code, same label). The
documents name further matters in which a measure is applied but which are not on that list; they are
defined here, each with the duty a department would claim when it checks credit for it (the query log
records a duty, R-PUB-3), or none where the implementer is not an administrative department.

Pure: no database, no web.
"""

from __future__ import annotations

from dataclasses import dataclass

from xinyong.access.duties import DUTIES, Duty
from xinyong.kit.errors import Invalid


@dataclass(frozen=True)
class MatterInfo:
    code: str
    label: str
    duty: Duty | None  # the 应查必查 duty a check for this matter is logged under
    basis: str


_EXTRA = (
    MatterInfo("public_service", "公共服务（政务服务）", Duty.LICENSING,
               "经开区诚信管理办法第三十一条第（一）项；北京市公共信用信息管理办法第二十六条第（一）项"),
    MatterInfo("public_resource", "公共资源交易", Duty.BIDDING,
               "经开区诚信管理办法第三十一条第（四）项、第三十六条；石景山区办法第十一条第（一）项"),
    MatterInfo("state_property", "国有产权交易（国有企业资产、国有土地等）", Duty.LAND, "石景山区办法第十一条第（三）项"),
    MatterInfo("employment", "就业创业扶持", Duty.SUBSIDY,
               "经开区诚信管理办法第三十一条第（五）项；北京市公共信用信息管理办法第二十六条第（五）项"),
    MatterInfo("financing", "融资信贷和金融服务", Duty.SUBSIDY,
               "经开区诚信管理办法第十九条第（四）项（信贷支持）、第三十七条；文旅办法第十二条第（五）项"),
    MatterInfo("financial_institution", "设立或参股金融机构及类金融机构", Duty.LICENSING, "经开区诚信管理办法第三十六条"),
    MatterInfo("internet_service", "互联网信息服务", Duty.LICENSING, "经开区诚信管理办法第三十六条"),
    MatterInfo("concession", "基础设施和公用事业特许经营", Duty.BIDDING, "经开区诚信管理办法第三十六条"),
    MatterInfo("project_approval", "投资项目审批核准", Duty.LICENSING, "经开区诚信管理办法第三十六条"),
    MatterInfo("appointment", "任职资格（担任法定代表人、负责人、高级管理人员）", Duty.LICENSING,
               "经开区诚信管理办法第三十五条第（五）项、第三十七条第（二）项；北京市公共信用信息管理办法第二十七条第（五）项"),
    MatterInfo("market_entry", "市场和行业准入", Duty.LICENSING,
               "经开区诚信管理办法第三十六条、第三十七条第（二）项；石景山区办法第十一条第（四）项"),
    MatterInfo("zone_entry", "进入开发区经营、投资和购买不动产", Duty.LICENSING, "经开区诚信管理办法第三十七条"),
    MatterInfo("disclosure", "信用信息公开披露和警示公示", Duty.SUPERVISION,
               "经开区诚信管理办法第三十二条、第三十六条；文旅办法第十三条第（二）项"),
    MatterInfo("association", "行业协会商会自律和扶持", None,
               "经开区诚信管理办法第三十二条；文旅办法第十二条第（六）项（实施者为社会组织，不查询非公开信息）"),
)

MATTERS: dict[str, MatterInfo] = (
    {d.value: MatterInfo(d.value, info.label, d, info.basis) for d, info in DUTIES.items()}
    | {m.code: m for m in _EXTRA}
)
MATTER_LABELS: dict[str, str] = {code: m.label for code, m in MATTERS.items()}


def parse_matter(value: str | None) -> str | None:
    """A matter from a query string or a form: its code or its Chinese label; empty is none."""
    value = (value or "").strip()
    if not value:
        return None
    if value in MATTERS:
        return value
    for code, label in MATTER_LABELS.items():
        if value == label:
            return code
    raise Invalid(f"“{value}”不是已知的事项；应为以下之一：{'、'.join(MATTER_LABELS.values())}", field="matter")


def duty_for(matter: str) -> Duty | None:
    """The 应查必查 duty a credit check for this matter is logged under (None: not a department's check)."""
    return MATTERS[matter].duty
