"""应查必查: the matters in which an administrative department must check an entity's credit, and so
the only grounds on which it may read what another department recorded that is not public (R-PUB-3).

This is the one list of matters: the query log's "duty claimed" and the credit check's ``?matter=``
(R-MEA-3) both use it. Pure: no database, no web.

Sources, merged (SPEC R-PUB-3):
- 003 §12: (一) supervision in 发展改革、食品药品、产品质量、环境保护、安全生产、建设工程、交通运输、工商行政管理、
  社团管理、治安管理、人口管理、知识产权; (二) 政府采购、政府购买服务、招标投标、国有土地出让、政策扶持、科研管理.
- 001 管理办法 §24: 市场监管、行政审批、政府采购、招标投标、政策扶持、国有土地出让、科研项目申报、人员招录、职称评定、表彰奖励.
- 002 二(一)2: credit checks embedded in 行政审批 and 日常监管, "应查、能查、必查".
- 000 §36, §37(二): what the punishments restrict — 行政许可, 财政资金补助, 政府采购, 招标, 土地出让, 评先评优.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from xinyong.kit.errors import Invalid


class Duty(StrEnum):
    LICENSING = "licensing"  # 行政许可（行政审批）
    PROCUREMENT = "procurement"  # 政府采购
    SERVICE_PURCHASE = "service_purchase"  # 政府购买服务
    BIDDING = "bidding"  # 招标投标
    LAND = "land"  # 国有土地出让
    SUBSIDY = "subsidy"  # 财政资金补贴、政策扶持
    RESEARCH = "research"  # 科研项目管理
    RECRUITMENT = "recruitment"  # 人员招录
    TITLE = "title"  # 职称评定
    HONOURS = "honours"  # 评优评先、表彰奖励
    SUPERVISION = "supervision"  # 日常监管
    FIELD_SUPERVISION = "field_supervision"  # 重点领域监管


@dataclass(frozen=True)
class DutyInfo:
    duty: Duty
    label: str
    basis: str  # the articles that name it
    note: str = ""


SUPERVISED_FIELDS = ("发展改革", "食品药品", "产品质量", "环境保护", "安全生产", "建设工程", "交通运输", "工商行政管理",
                     "社团管理", "治安管理", "人口管理", "知识产权")

DUTIES: dict[Duty, DutyInfo] = {d.duty: d for d in (
    DutyInfo(Duty.LICENSING, "行政许可（行政审批）", "001 管理办法 §24；002 二(一)2；000 §36",
             "含注册备案、资质认定等审批事项"),
    DutyInfo(Duty.PROCUREMENT, "政府采购", "003 §12(二)；001 管理办法 §24；000 §36"),
    DutyInfo(Duty.SERVICE_PURCHASE, "政府购买服务", "003 §12(二)"),
    DutyInfo(Duty.BIDDING, "招标投标", "003 §12(二)；001 管理办法 §24；000 §36", "含政府投资项目招标"),
    DutyInfo(Duty.LAND, "国有土地出让", "003 §12(二)；001 管理办法 §24；000 §36", "含土地出（转）让等公共资源交易"),
    DutyInfo(Duty.SUBSIDY, "财政资金补贴、政策扶持", "003 §12(二)；001 管理办法 §24；000 §36",
             "财政资金补助、资金支持、财政性资金项目申请"),
    DutyInfo(Duty.RESEARCH, "科研项目管理", "003 §12(二)；001 管理办法 §24", "科研项目申报"),
    DutyInfo(Duty.RECRUITMENT, "人员招录", "001 管理办法 §24"),
    DutyInfo(Duty.TITLE, "职称评定", "001 管理办法 §24"),
    DutyInfo(Duty.HONOURS, "评优评先、表彰奖励", "001 管理办法 §24；000 §37(二)"),
    DutyInfo(Duty.SUPERVISION, "日常监管（市场监管）", "001 管理办法 §24；002 二(一)2；000 §36", "含双随机抽查、执法检查"),
    DutyInfo(Duty.FIELD_SUPERVISION, "重点领域监管", "003 §12(一)", "、".join(SUPERVISED_FIELDS) + "等领域的监管事项"),
)}

DUTY_LABELS: dict[Duty, str] = {d: info.label for d, info in DUTIES.items()}


def parse_duty(value: str | None) -> Duty | None:
    """A duty from a form or a query string: its code, or its Chinese label; empty is none."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return Duty(value)
    except ValueError:
        pass
    for duty, label in DUTY_LABELS.items():
        if value == label:
            return duty
    raise Invalid(f"“{value}”不在应查必查事项清单中；应为以下之一：{'、'.join(DUTY_LABELS.values())}", field="duty")
