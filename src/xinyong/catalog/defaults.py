"""The default catalog `xinyong init` loads: SPEC §2, the 双公示 licence and penalty types, commitments,
reminders and interviews, inspections, and the publicity regimes of R-PUB-4, 4a and 5."""

from __future__ import annotations

import datetime as dt

from .enums import Category as C
from .enums import Publicity as P

ALL_ORGS = ["legal_person", "unincorporated", "individual_business"]
ALL = ALL_ORGS + ["natural_person"]

REGIMES: list[dict] = [
    {
        "code": "bj_business_env_63",
        "name": "北京市优化营商环境条例第六十三条",
        "basis": "《北京市优化营商环境条例》第六十三条：一般违法行为行政处罚信息最短公示期三个月、最长一年；"
                 "严重违法行为最短一年、最长三年；未履行行政处罚决定的，公示期满仍公示；"
                 "履行处罚、消除危害后果的，经申请可缩短三至十二个月。",
        "effective_from": dt.date(2020, 4, 28),
        "rules": {"start": "decision_date",
                  "severity": {"general": {"min_months": 3, "max_months": 12},
                               "serious": {"min_months": 12, "max_months": 36}},
                  "shorten_months": [3, 12], "unfulfilled_stays_public": True},
    },
    {
        "code": "national_repair_2026",
        "name": "信用修复管理办法（国家发展改革委令2025年第36号）",
        "basis": "国家发展改革委令2025年第36号及国办发〔2025〕22号，2026年4月1日起施行："
                 "轻微失信一般不公示，确需公示的不超过三个月；"
                 "一般失信公示三个月至一年；严重失信公示一年至三年；自决定之日起算；一份决定含多种处罚的取最长期限。",
        "effective_from": dt.date(2026, 4, 1),
        "rules": {"start": "decision_date", "several_penalties": "longest",
                  "severity": {"minor": {"public": False, "max_months": 3},
                               "general": {"min_months": 3, "max_months": 12},
                               "serious": {"min_months": 12, "max_months": 36}},
                  "shorten_months": [3, 12], "unfulfilled_stays_public": True,
                  "revocation_withdraw_workdays": 3},
    },
    {
        "code": "samr_order_45",
        "name": "市场监督管理行政处罚信息公示规定（市场监管总局令第45号）",
        "basis": "市场监管总局令第45号（2021）：仅受警告的不公示；通报批评或较低数额罚款公示三个月；其他处罚公示三年；"
                 "限制开展生产经营活动、限制从业等期限超过三年的，公示至期限届满；处罚决定被撤销的，三个工作日内撤下。",
        "effective_from": dt.date(2021, 9, 1),
        "rules": {"start": "decision_date",
                  "by_penalty": {"warning_only": {"public": False},
                                 "reprimand_or_small_fine": {"months": 3},
                                 "other": {"months": 36}},
                  "restriction_longer_stays_public": True, "revocation_withdraw_workdays": 3},
    },
    {
        "code": "wenlv_commitment_breach",
        "name": "文化和旅游市场信用承诺违诺信息公示",
        "basis": "北京市文化和旅游行业信用分级分类监管办法第十一条：轻微违诺只记录不公示；一般违诺公示一至六个月；"
                 "严重违诺公示六个月至一年；公示期届满不再公示，未履行违诺失信惩戒的除外。",
        "effective_from": None,
        "rules": {"start": "decision_date",
                  "severity": {"minor": {"public": False},
                               "general": {"min_months": 1, "max_months": 6},
                               "serious": {"min_months": 6, "max_months": 12}},
                  "unfulfilled_stays_public": True},
    },
    {
        "code": "licence_validity",
        "name": "行政许可信息：有效期内公示",
        "basis": "双公示：行政许可信息自作出决定之日起公示，至许可有效期届满（2099-12-31 表示长期）。",
        "effective_from": None,
        "rules": {"start": "decision_date", "end": "valid_to", "long_term": "2099-12-31"},
    },
    {
        "code": "validity_period",
        "name": "有效期内公示",
        "basis": "诚信管理办法第二十一条：有效期自认定之日起计算，届满不再公开发布。",
        "effective_from": None,
        "rules": {"start": "decision_date", "end": "validity"},
    },
]

_PARTY = [
    {"name": "party_name", "label": "行政相对人名称", "type": "text", "required": True},
    {"name": "party_kind", "label": "行政相对人类别", "type": "enum", "required": True,
     "options": ["法人及非法人组织", "自然人", "个体工商户"]},
    {"name": "party_uscc", "label": "行政相对人代码_1（统一社会信用代码）", "type": "uscc", "required": False},
    {"name": "legal_representative", "label": "法定代表人", "type": "text", "required": False},
]
_DOC = [
    {"name": "document_number", "label": "决定文书号", "type": "text", "required": True},
    {"name": "decision_date", "label": "决定日期", "type": "date", "required": True},
    {"name": "authority", "label": "决定机关", "type": "text", "required": True},
]

PENALTY_FIELDS = _PARTY + [
    {"name": "document_number", "label": "行政处罚决定书文号", "type": "text", "required": True},
    {"name": "violation_type", "label": "违法行为类型", "type": "text", "required": True},
    {"name": "violation_facts", "label": "违法事实", "type": "text", "required": True},
    {"name": "penalty_basis", "label": "处罚依据", "type": "text", "required": True},
    {"name": "penalty_categories", "label": "处罚类别", "type": "enum_list", "required": True,
     "options": ["警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级",
                 "吊销许可证件", "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业", "行政拘留"]},
    {"name": "penalty_content", "label": "处罚内容", "type": "text", "required": True},
    {"name": "fine_amount", "label": "罚款金额（万元）", "type": "money", "required": False},
    {"name": "confiscated_amount", "label": "没收违法所得、没收非法财物的金额（万元）", "type": "money", "required": False},
    {"name": "licence_suspended", "label": "暂扣或吊销证照名称及编号", "type": "text", "required": False},
    {"name": "decision_date", "label": "处罚决定日期", "type": "date", "required": True},
    {"name": "valid_to", "label": "处罚有效期", "type": "date", "required": True},
    {"name": "publicity_end", "label": "公示截止期", "type": "date", "required": False},
    {"name": "authority", "label": "处罚机关", "type": "text", "required": True},
    {"name": "authority_uscc", "label": "处罚机关统一社会信用代码", "type": "uscc", "required": True},
    {"name": "source_unit", "label": "数据来源单位", "type": "text", "required": True},
    {"name": "source_unit_uscc", "label": "数据来源单位统一社会信用代码", "type": "uscc", "required": True},
    {"name": "remarks", "label": "备注", "type": "text", "required": False},
]

LICENCE_FIELDS = _PARTY + [
    {"name": "document_title", "label": "行政许可决定文书名称", "type": "text", "required": True},
    {"name": "document_number", "label": "行政许可决定文书号", "type": "text", "required": True},
    {"name": "licence_category", "label": "许可类别", "type": "text", "required": True},
    {"name": "certificate_name", "label": "许可证书名称", "type": "text", "required": False},
    {"name": "licence_number", "label": "许可编号", "type": "text", "required": False},
    {"name": "licence_content", "label": "许可内容", "type": "text", "required": True},
    {"name": "decision_date", "label": "许可决定日期", "type": "date", "required": True},
    {"name": "valid_from", "label": "有效期自", "type": "date", "required": False},
    {"name": "valid_to", "label": "有效期至", "type": "date", "required": False},
    {"name": "authority", "label": "许可机关", "type": "text", "required": True},
    {"name": "authority_uscc", "label": "许可机关统一社会信用代码", "type": "uscc", "required": True},
    {"name": "current_status", "label": "当前状态", "type": "text", "required": False},
    {"name": "source_unit", "label": "数据来源单位", "type": "text", "required": False},
    {"name": "source_unit_uscc", "label": "数据来源单位统一社会信用代码", "type": "uscc", "required": False},
    {"name": "remarks", "label": "备注", "type": "text", "required": False},
]

SEVERITY = {"name": "severity", "label": "严重程度", "type": "enum", "required": True, "options": ["轻微", "一般", "严重"]}
LEVEL = {"name": "level", "label": "级别", "type": "enum", "required": True, "options": ["区级", "市级", "国家级"]}
CONTENT = {"name": "content", "label": "内容", "type": "text", "required": True}


def _t(code, name, category, publicity, regime, *, validity=None, retention=5, deadline=15, fields=None,
       source="各行政部门", cycle="实时", scope="政务共享、信用评价、联合奖惩", subjects=ALL_ORGS, basis=""):
    return {"code": code, "name": name, "category": category, "publicity": publicity, "regime_code": regime,
            "validity_months": validity, "retention_years": retention, "deadline_workdays": deadline,
            "fields": fields if fields is not None else _DOC + [CONTENT], "source_department": source,
            "update_cycle": cycle, "usage_scope": scope, "subject_kinds": subjects, "basis": basis}


INFO_TYPES: list[dict] = [
    # 基本信息 (000 §8)
    _t("registration", "登记注册信息", C.BASIC, P.PUBLIC, None, retention=30, source="市场监管部门", cycle="每日",
       basis="000 §8(一)", fields=_DOC + [CONTENT]),
    _t("licence", "行政许可信息", C.BASIC, P.PUBLIC, "licence_validity", deadline=10, fields=LICENCE_FIELDS,
       subjects=ALL, basis="000 §8(二)；双公示；003 §8；004 §2"),
    _t("qualification", "资质资格信息", C.BASIC, P.PUBLIC, "validity_period", validity=60, basis="000 §8(二)"),
    _t("certification", "认证认可信息", C.BASIC, P.PUBLIC, "validity_period", validity=36, basis="000 §8(四)"),
    _t("intellectual_property", "知识产权信息", C.BASIC, P.PUBLIC, "validity_period", validity=120,
       source="知识产权部门", basis="000 §8(三)"),
    _t("voluntary", "自愿注册信息", C.BASIC, P.PUBLIC, "validity_period", validity=12, source="信用主体自愿提交",
       basis="R-CMT-2；001 三年行动计划 §4；004 §8",
       fields=[CONTENT, {"name": "truth_commitment", "label": "真实性承诺", "type": "bool", "required": True}]),
    # 良好信息 (000 §9)
    _t("commendation", "表彰信息", C.GOOD, P.PUBLIC, "validity_period", validity=36, fields=_DOC + [LEVEL, CONTENT],
       subjects=ALL, basis="000 §9(一)"),
    _t("award", "奖励信息", C.GOOD, P.PUBLIC, "validity_period", validity=36, subjects=ALL, basis="000 §9(二)"),
    _t("charity", "公益慈善信息", C.GOOD, P.PUBLIC, "validity_period", validity=24, subjects=ALL, basis="000 §9(三)"),
    _t("red_list_other", "其他部门守信红名单", C.GOOD, P.PUBLIC, "validity_period", validity=36,
       basis="002 二(二)1"),
    _t("commitment_fulfilled", "信用承诺履约信息", C.GOOD, P.PUBLIC, "validity_period", validity=12,
       basis="R-CMT-1"),
    # 不良信息 (000 §10)
    _t("false_materials", "提供虚假材料信息", C.BAD, P.PUBLIC, "national_repair_2026", validity=36,
       fields=_DOC + [SEVERITY, CONTENT], subjects=ALL, basis="000 §10(一)"),
    _t("commitment_breach", "违反书面承诺信息", C.BAD, P.PUBLIC, "wenlv_commitment_breach", validity=12,
       fields=_DOC + [SEVERITY, CONTENT], subjects=ALL, basis="000 §10(二)；001 文旅 §11；R-PUB-5"),
    _t("penalty", "行政处罚信息", C.BAD, P.PUBLIC, "national_repair_2026", deadline=10, fields=PENALTY_FIELDS,
       subjects=ALL, basis="000 §10(三)；双公示；001 条例 §63；R-PUB-4、R-PUB-4a"),
    _t("compulsory_measure", "行政强制信息", C.BAD, P.PUBLIC, "validity_period", validity=12, subjects=ALL,
       basis="000 §10(三)"),
    _t("liability_accident", "责任事故处理信息", C.BAD, P.PUBLIC, "national_repair_2026", validity=36,
       fields=_DOC + [SEVERITY, {"name": "accident_field", "label": "事故领域", "type": "enum", "required": True,
                                  "options": ["安全生产", "食品安全", "环境污染", "产品质量"]}, CONTENT],
       basis="000 §10(四)"),
    _t("other_bad", "其他不良信息", C.BAD, P.INTERNAL, "validity_period", validity=36, subjects=ALL,
       basis="000 §10(五)"),
    # 监管信息
    _t("inspection_result", "双随机抽查结果", C.NOTICE, P.PUBLIC, "validity_period", validity=12, deadline=20,
       fields=_DOC + [{"name": "outcome", "label": "检查结果", "type": "enum", "required": True,
                       "options": ["未发现问题", "发现问题已责令整改", "发现问题移送处理"]}, CONTENT],
       basis="R-INS-3；001 实施方案；004 §10"),
    _t("reminder", "信用提醒信息", C.WARNING, P.INTERNAL, "validity_period", validity=12,
       fields=_DOC + [{"name": "manner", "label": "方式", "type": "text", "required": True}, CONTENT],
       source="信用办及各行政部门", basis="000 §33；R-MEA-5"),
    _t("interview", "诚信约谈信息", C.WARNING, P.INTERNAL, "validity_period", validity=12,
       fields=_DOC + [{"name": "manner", "label": "方式", "type": "text", "required": True}, CONTENT],
       source="信用办及各行政部门", basis="000 §34；R-MEA-5"),
    _t("ignored_reminder", "提醒约谈后拒不整改信息", C.BAD, P.PUBLIC, "validity_period", validity=24,
       basis="000 §34；R-MEA-5"),
    # 信用承诺 (R-CMT-1)
    _t("commitment", "信用承诺信息", C.NOTICE, P.PUBLIC, "validity_period", validity=12, subjects=ALL,
       fields=_DOC + [{"name": "commitment_kind", "label": "承诺类型", "type": "enum", "required": True,
                       "options": ["告知承诺", "容缺受理", "主动承诺", "行业自律承诺"]},
                      {"name": "matter", "label": "办理事项", "type": "text", "required": True}, CONTENT],
       basis="R-CMT-1；001 三年行动计划 §5"),
]
