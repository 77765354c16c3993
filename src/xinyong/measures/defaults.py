"""The measures catalog every installation starts with (R-MEA-1, R-MEA-2), written from the documents.

Sources, in the order of the catalog:
- 000 北京经济技术开发区诚信管理办法 §30–37: B and above incentives (§31), the red list (§32), D grade
  (§33–35), the black list (§36–37). 001 北京市公共信用信息管理办法 §26–27 says the same as §31(一)–(五)
  and §35(一)–(六) almost word for word; those measures cite both.
- 001 三年行动计划 (京政办发〔2020〕27号) 二(二)5 (容缺受理 within 7 working days) and 二(三)11 (the
  key-attention list).
- 002 京政发〔2017〕15号 二(三)1 (the administrative punishments of the black list, extended to the
  responsible persons) and 二(四)1 (强制性 / 推荐性).
- Presets for the other grading models, triggered only by grades of their own model: 001 文旅办法
  §10, §12–13 (AAA–C) and 003 石景山区办法 §11 (risk classes A–D: 优先、预警、限制、禁止).

强制性 (mandatory) is set where the article obliges the department — 应 / 应当 / 还应 / 必须 (002 二(四)1:
"依法必须联合执行"); where it says 可以 / 提倡 / 鼓励 / 探索, or states no obligation, the measure is
推荐性 (recommended). Grade C of the ETDZ model has no measure at all: "既不激励也不惩戒" (000 §31).
"""

from __future__ import annotations

from typing import Any

from .matching import Kind

ETDZ, WENLV, SJS = "etdz_reference", "wenlv_five_grades", "shijingshan_risk_classes"
INCENTIVE, PUNISHMENT = Kind.INCENTIVE.value, Kind.PUNISHMENT.value
ALL = ["all"]

# no incentive for an entity on the black or key-attention list, whatever its grade (a department's
# determination can put a B-grade entity there)
NOT_LISTED = ["black", "key_attention"]
ETDZ_B_AND_UP = {"model": ETDZ, "grades": ["A", "B"], "unless_lists": NOT_LISTED}
ETDZ_A = {"model": ETDZ, "grades": ["A"], "unless_lists": NOT_LISTED}
ETDZ_B = {"model": ETDZ, "grades": ["B"], "unless_lists": NOT_LISTED}
ETDZ_D = {"model": ETDZ, "grades": ["D"]}
RED = {"lists": ["red"], "unless_lists": NOT_LISTED}
BLACK = {"lists": ["black"]}
KEY_ATTENTION = {"lists": ["key_attention"]}

B000 = "经开区诚信管理办法"
B001 = "北京市公共信用信息管理办法"
PLAN = "三年行动计划（京政办发〔2020〕27号）"
B002 = "京政发〔2017〕15号"
WL = "北京市文化和旅游行业信用分级分类监管管理办法（试行）"
SJ = "石景山区企业信用监管和服务平台管理办法（试行）"

BY_GRADE = f"随信用等级：评价周期6个月，信用记录变化即时重评（{B000}第十八条）"
WHILE_RED = "列入诚信典型（红名单）期间"
WHILE_BLACK = f"列入黑名单期间；信用修复或移出黑名单后停止实施（{B002}二（四）4）"
WHILE_KEY = "列入重点关注对象名单期间"
BY_WENLV = f"随文化和旅游行业信用等级（{WL}第八条）"
BY_RISK = f"随风险等级动态调整（{SJ}第十条）"
TOURISM = ["市、区文化和旅游局", "文化市场综合执法机构"]


def _m(code: str, name: str, kind: str, basis: str, triggers: list[dict], matters: list[str], *, mandatory: bool = False,
       departments: list[str] | None = None, duration: str | None = None, months: int | None = None,
       related: bool = False, notes: str | None = None) -> dict[str, Any]:
    return {"code": code, "name": name, "kind": kind, "mandatory": mandatory, "basis": basis, "triggers": triggers,
            "matters": matters, "departments": departments or ALL, "duration": duration, "duration_months": months,
            "extends_to_related": related, "notes": notes}


MEASURES: list[dict[str, Any]] = [
    # ---- 000 §31: B and above — 行政许可: 容缺受理; 行政监管: fewer inspections; 公共服务: convenience ----
    _m("etdz_accept_missing", "容缺受理", INCENTIVE,
       f"{B000}第三十一条；{PLAN}二（二）5", [ETDZ_B_AND_UP], ["licensing"], duration=BY_GRADE,
       notes="除法律法规要求提供的材料外，部分申报材料不齐备、书面承诺在规定期限内（一般为7个工作日）补齐的，先行受理。"
             "按信用积分差异化实施（第三十一条）。"),
    _m("etdz_fewer_inspections_a", "降低检查频次（抽查比例为原比例的30%）", INCENTIVE,
       f"{B000}第三十条第（一）项、第三十一条第（二）项；{B001}第二十六条第（二）项",
       [ETDZ_A], ["supervision", "field_supervision"], duration=BY_GRADE,
       notes="A级：“双随机”抽查比例设置为原抽查比例的30%；日常检查和专项检查减少检查频次。"),
    _m("etdz_fewer_inspections_b", "降低检查频次（抽查比例为原比例的50%）", INCENTIVE,
       f"{B000}第三十条第（一）项、第三十一条第（二）项；{B001}第二十六条第（二）项",
       [ETDZ_B], ["supervision", "field_supervision"], duration=BY_GRADE,
       notes="B级：“双随机”抽查比例设置为原抽查比例的50%；日常检查和专项检查减少检查频次。"),
    _m("etdz_priority_service", "简化程序、优先办理（给予便利和优先服务）", INCENTIVE,
       f"{B000}第三十一条第（一）项；{B001}第二十六条第（一）项", [ETDZ_B_AND_UP], ["licensing", "public_service"],
       duration=BY_GRADE, notes="依据信用等级，在办理行政许可和公共服务过程中简化程序、优先办理；在其他条件相同的情况下适用。"),
    _m("etdz_funding_priority", "财政性资金项目和政府优惠政策中优先考虑和扶持", INCENTIVE,
       f"{B000}第三十一条第（三）项；{B001}第二十六条第（三）项", [ETDZ_B_AND_UP], ["subsidy"], duration=BY_GRADE,
       notes="按照信用等级优先考虑和扶持；在其他条件相同的情况下适用。"),
    _m("etdz_public_resource_bonus", "公共资源交易中依法依约予以加分", INCENTIVE,
       f"{B000}第三十一条第（四）项；{B001}第二十六条第（四）项", [ETDZ_B_AND_UP],
       ["public_resource", "procurement", "bidding", "land"], duration=BY_GRADE),
    _m("etdz_employment_support", "就业、创业等领域优先考虑和支持", INCENTIVE,
       f"{B000}第三十一条第（五）项；{B001}第二十六条第（五）项", [ETDZ_B_AND_UP], ["employment"], duration=BY_GRADE),

    # ---- 000 §32: 诚信典型（红名单）: A and above 900, besides §31 ----------------------------------------
    _m("etdz_red_green_channel", "绿色通道和容缺受理", INCENTIVE,
       f"{B000}第三十二条；{B002}二（二）1", [RED], ["licensing", "public_service"], duration=WHILE_RED,
       notes="对符合条件的行政相对人，除法律法规要求提供的材料外，部分申报材料不齐备的，如其书面承诺在规定期限内提供，应先行受理。"),
    _m("etdz_red_policy_priority", "财政性资金项目和招商引资配套优惠政策中优先考虑、加大扶持力度", INCENTIVE,
       f"{B000}第三十二条；{B002}二（二）1", [RED], ["subsidy"], duration=WHILE_RED),
    _m("etdz_red_credit_bonus", "公共资源交易中信用加分并给予优惠和便利", INCENTIVE,
       f"{B000}第三十二条；{B002}二（二）2", [RED], ["public_resource", "procurement", "bidding", "land"],
       duration=WHILE_RED, notes="提倡依法依约对诚信典型进行信用加分。"),
    _m("etdz_red_association_support", "行业协会商会等社会组织加大扶持力度", INCENTIVE,
       f"{B000}第三十二条；{B002}二（二）3", [RED], ["association"], departments=["行业协会商会等社会组织"],
       duration=WHILE_RED, notes="为其市场宣传、业务拓展、职业发展等提供支持。"),
    _m("etdz_red_promotion", "宣传推广诚信典型", INCENTIVE,
       f"{B000}第三十二条；{B002}二（二）3", [RED], ["disclosure"], departments=["信用办"], duration=WHILE_RED,
       notes="发挥舆论宣传引导作用，发掘诚信人物、诚信企业、诚信群体，褒扬诚信行为。"),

    # ---- 000 §33–35: D grade (and, by §36, the black list for §35) --------------------------------------
    _m("etdz_key_review", "行政许可重点审查（重点予以核查）", PUNISHMENT,
       f"{B000}第三十三条、第三十五条第（一）项；{B001}第二十七条第（一）项", [ETDZ_D, BLACK], ["licensing"],
       duration=BY_GRADE, notes="第三十六条：黑名单主体除第三十六条措施外执行第三十五条差异化措施。"),
    _m("etdz_no_accept_missing", "不予容缺受理", PUNISHMENT,
       f"{B000}第三十三条", [ETDZ_D], ["licensing"], duration=BY_GRADE),
    _m("etdz_more_inspections", "增加检查频次（抽查比例为原比例的200%）", PUNISHMENT,
       f"{B000}第三十条第（一）项、第三十三条、第三十五条第（二）项；{B001}第二十七条第（二）项", [ETDZ_D, BLACK],
       ["supervision", "field_supervision"], duration=BY_GRADE,
       notes="D级：“双随机”抽查比例设置为原抽查比例的200%；日常检查和专项检查增加检查频次。"),
    _m("etdz_reminder", "信用提醒", PUNISHMENT,
       f"{B000}第三十三条第（一）项、第三十四条", [ETDZ_D], ["supervision"], mandatory=True, duration=BY_GRADE,
       notes="将失信信息书面通知信用单位，提醒其纠正和规范相关行为。登记提醒对象、时间、方式和内容，纳入信用记录；"
             "无故不纠正、经督促后仍不履行的，上升为较重失信行为予以惩戒（第三十四条）。"),
    _m("etdz_interview", "诚信约谈", PUNISHMENT,
       f"{B000}第三十三条第（二）项、第三十四条", [ETDZ_D], ["supervision"], mandatory=True, duration=BY_GRADE,
       notes="宣传相关法律、法规、规章和政策，敦促其严格自律、诚信守法。登记约谈对象、时间、方式和内容，纳入信用记录；"
             "无故不参加约谈、约谈事项不落实，经督促后仍不履行的，上升为较重失信行为予以惩戒（第三十四条）。"),
    _m("etdz_limit_subsidy", "限制申请政府补贴资金支持", PUNISHMENT,
       f"{B000}第三十五条第（三）项；{B001}第二十七条第（三）项", [ETDZ_D, BLACK], ["subsidy"], duration=BY_GRADE),
    _m("etdz_limit_procurement", "限制参与政府采购、政府购买服务、国有土地出让、政府投资项目或主要使用财政性资金项目的招标等活动",
       PUNISHMENT, f"{B000}第三十五条第（四）项；{B001}第二十七条第（四）项", [ETDZ_D, BLACK],
       ["procurement", "service_purchase", "land", "bidding", "public_resource"], duration=BY_GRADE),
    _m("etdz_limit_appointment", "限制担任单位的法定代表人、负责人或者高级管理人员", PUNISHMENT,
       f"{B000}第三十五条第（五）项；{B001}第二十七条第（五）项", [ETDZ_D, BLACK], ["appointment"], related=True,
       duration=BY_GRADE, notes="对信用状况不良的自然人适用；对单位，由其法定代表人、负责人等相关责任人承受。"),
    _m("etdz_limit_honours", "限制参与政府组织的表彰奖励活动", PUNISHMENT,
       f"{B000}第三十五条第（六）项；{B001}第二十七条第（六）项", [ETDZ_D, BLACK], ["honours"], duration=BY_GRADE),

    # ---- 000 §36: 严重失信单位（黑名单）: "还应采取" — mandatory, extended to the responsible persons ---------
    _m("etdz_black_disclosure", "以统一社会信用代码为索引公开披露失信信息", PUNISHMENT,
       f"{B000}第三十六条", [BLACK], ["disclosure"], mandatory=True, departments=["信用办"], duration=WHILE_BLACK,
       notes="信用办及时公开披露，便于市场识别失信行为，防范信用风险。"),
    _m("etdz_black_key_supervision", "列为重点监管对象，提高随机抽查比例和频次", PUNISHMENT,
       f"{B000}第三十六条；{B002}二（三）1", [BLACK], ["supervision", "field_supervision"], mandatory=True,
       related=True, duration=WHILE_BLACK),
    _m("etdz_black_strict_licensing", "从严审核行政许可审批项目，从严控制生产许可证发放", PUNISHMENT,
       f"{B000}第三十六条；{B002}二（三）1", [BLACK], ["licensing"], mandatory=True, related=True, duration=WHILE_BLACK),
    _m("etdz_black_no_funding", "限制或禁止享受财政资金补助等政策扶持和申请财政性资金项目", PUNISHMENT,
       f"{B000}第三十六条；{B002}二（三）1", [BLACK], ["subsidy"], mandatory=True, related=True, duration=WHILE_BLACK),
    _m("etdz_black_public_resource", "限制或禁止参加政府采购、政府投资项目招标以及土地出（转）让和流转等公共资源交易活动",
       PUNISHMENT, f"{B000}第三十六条；{B002}二（三）1", [BLACK], ["procurement", "bidding", "land", "public_resource"],
       mandatory=True, related=True, duration=WHILE_BLACK),
    _m("etdz_black_project_approval", "限制或禁止新增项目审批核准", PUNISHMENT,
       f"{B000}第三十六条；{B002}二（三）1", [BLACK], ["project_approval"], mandatory=True, related=True,
       duration=WHILE_BLACK),
    _m("etdz_black_financial_institution",
       "限制或禁止发起设立或参股金融机构以及小额贷款公司、融资担保公司、创业投资公司、互联网金融机构等", PUNISHMENT,
       f"{B000}第三十六条；{B002}二（三）1", [BLACK], ["financial_institution"], mandatory=True, related=True,
       duration=WHILE_BLACK),
    _m("etdz_black_internet_service", "限制从事互联网信息服务", PUNISHMENT,
       f"{B000}第三十六条；{B002}二（三）1", [BLACK], ["internet_service"], mandatory=True, related=True,
       duration=WHILE_BLACK),
    _m("etdz_black_concession", "限制参与基础设施和公用事业特许经营", PUNISHMENT,
       f"{B000}第三十六条；{B002}二（三）1", [BLACK], ["concession"], mandatory=True, related=True, duration=WHILE_BLACK),
    _m("etdz_black_market_ban", "市场和行业禁入", PUNISHMENT,
       f"{B000}第三十六条；{PLAN}二（四）12", [BLACK], ["market_entry"], related=True,
       duration=f"视情节在一定期限内实施（{PLAN}二（四）12）",
       notes="第三十六条“可以采取市场和行业禁入措施”，为推荐性措施。"),

    # ---- 000 §37 ----------------------------------------------------------------------------------------
    _m("etdz_black_zone_entry", "限制进入开发区经营、投资、购买不动产", PUNISHMENT,
       f"{B000}第三十七条", [BLACK], ["zone_entry"], mandatory=True, related=True, duration=WHILE_BLACK,
       notes="适用条件：有履行能力但拒不履行法定义务的严重失信单位（第三十七条）。"),
    _m("etdz_black_financing", "引导金融机构提高贷款利率和财产保险费率，或限制提供贷款、保荐、承销、保险等服务", PUNISHMENT,
       f"{B000}第三十七条；{B002}二（三）2", [BLACK], ["financing"], mandatory=True, related=True, duration=WHILE_BLACK,
       notes="适用条件：有履行能力但拒不履行法定义务的严重失信单位（第三十七条）。"
             "同时支持征信机构采集严重失信行为信息，纳入信用记录和信用报告。"),
    _m("etdz_black_person_ban", "对法定代表人、主要负责人和负有直接责任的注册执业人员等实施市场和行业禁入", PUNISHMENT,
       f"{B000}第三十七条第（二）项；{B002}二（三）1、二（四）3", [BLACK], ["market_entry", "appointment"],
       mandatory=True, related=True, duration=WHILE_BLACK, notes="联合惩戒落实到人。"),
    _m("etdz_black_revoke_honours", "撤销荣誉称号，取消参加评先评优资格", PUNISHMENT,
       f"{B000}第三十七条第（二）项；{B002}二（三）1", [BLACK], ["honours"], mandatory=True, related=True,
       duration=WHILE_BLACK,
       notes="及时撤销严重失信企业及其法定代表人、负责人、高级管理人员和对失信行为负有直接责任的董事、股东等人员的荣誉称号。"),

    # ---- 001 三年行动计划 二(三)11: 重点关注对象 ---------------------------------------------------------
    _m("key_attention_supervision", "重点关注：实施与其失信程度相对应的监管措施", PUNISHMENT,
       f"{PLAN}二（三）11", [KEY_ATTENTION], ["supervision", "field_supervision"], duration=WHILE_KEY,
       notes="对存在失信行为但尚未达到失信联合惩戒对象认定标准的市场主体。"),

    # ---- preset: 001 文旅办法 (model wenlv_five_grades) ----------------------------------------------------
    _m("wenlv_fewer_inspections", "合理降低检查比例和频次", INCENTIVE,
       f"{WL}第十条", [{"model": WENLV, "grades": ["AAA", "AA", "A"], "unless_lists": NOT_LISTED}],
       ["supervision"], departments=TOURISM, duration=BY_WENLV,
       notes="对信用较好、风险较低的市场主体和从业人员，减少对正常生产经营的影响；信用风险一般的按常规比例和频次抽查。"),
    _m("wenlv_accept_missing", "文化和旅游行政许可容缺受理", INCENTIVE,
       f"{WL}第十二条第（一）项", [{"model": WENLV, "grades": ["AAA", "AA"], "unless_lists": NOT_LISTED}],
       ["licensing"], departments=TOURISM, duration=BY_WENLV),
    _m("wenlv_funding_priority", "财政性资金项目和政府优惠政策中优先考虑和扶持", INCENTIVE,
       f"{WL}第十二条第（二）项", [{"model": WENLV, "grades": ["AAA", "AA"], "unless_lists": NOT_LISTED}],
       ["subsidy"], departments=TOURISM, duration=BY_WENLV),
    _m("wenlv_service_recommendation", "信用便民惠企应用中优先推荐", INCENTIVE,
       f"{WL}第十二条第（三）项", [{"model": WENLV, "grades": ["AAA", "AA"], "unless_lists": NOT_LISTED}],
       ["public_service"], departments=TOURISM, duration=BY_WENLV),
    _m("wenlv_honours_priority", "评优评奖、大型展览展示和组织保障等活动中优先推荐", INCENTIVE,
       f"{WL}第十二条第（四）项", [{"model": WENLV, "grades": ["AAA", "AA"], "unless_lists": NOT_LISTED}],
       ["honours"], departments=TOURISM, duration=BY_WENLV),
    _m("wenlv_market_benefits", "引导金融、商业等市场服务机构给予优惠和便利", INCENTIVE,
       f"{WL}第十二条第（五）项", [{"model": WENLV, "grades": ["AAA", "AA"], "unless_lists": NOT_LISTED}],
       ["financing"], departments=TOURISM, duration=BY_WENLV),
    _m("wenlv_association_support", "鼓励行业协会等社会组织加大扶持力度", INCENTIVE,
       f"{WL}第十二条第（六）项", [{"model": WENLV, "grades": ["AAA", "AA"], "unless_lists": NOT_LISTED}],
       ["association"], departments=["行业协会等社会组织"], duration=BY_WENLV),
    _m("wenlv_more_inspections", "适当提高检查比例和频次，依法依规实行严管", PUNISHMENT,
       f"{WL}第十条", [{"model": WENLV, "grades": ["C"]}], ["supervision"], departments=TOURISM, duration=BY_WENLV,
       notes="对违法失信、风险较高的市场主体和从业人员。"),
    _m("wenlv_strict_licensing", "从严审核文化和旅游行业的行政许可申请", PUNISHMENT,
       f"{WL}第十三条第（一）项", [{"model": WENLV, "grades": ["B", "C"]}], ["licensing"], departments=TOURISM,
       duration=BY_WENLV),
    _m("wenlv_warning_publicity", "通过文化和旅游行业信用信息网进行信用预警公示", PUNISHMENT,
       f"{WL}第十三条第（二）项", [{"model": WENLV, "grades": ["B", "C"]}], ["disclosure"], departments=TOURISM,
       duration=BY_WENLV),
    _m("wenlv_defer_honours", "评优评奖、大型展览展示和组织保障等活动中暂缓推荐", PUNISHMENT,
       f"{WL}第十三条第（三）项", [{"model": WENLV, "grades": ["B", "C"]}], ["honours"], departments=TOURISM,
       duration=BY_WENLV),

    # ---- preset: 003 §11 (model shijingshan_risk_classes): 优先、预警、限制、禁止 ----------------------------
    _m("sjs_a_public_resource_priority", "政府采购、政府投资项目招标、国有土地出让、公共资源交易中依法依约予以优先", INCENTIVE,
       f"{SJ}第十一条第（一）项", [{"model": SJS, "grades": ["A"], "unless_lists": NOT_LISTED}],
       ["procurement", "bidding", "land", "public_resource"], duration=BY_RISK, notes="A级（守信）：优先权支持和服务对象。"),
    _m("sjs_a_policy_priority", "财政性资金项目支持、招商引资配套优惠等政策措施中给予优先", INCENTIVE,
       f"{SJ}第十一条第（一）项", [{"model": SJS, "grades": ["A"], "unless_lists": NOT_LISTED}], ["subsidy"],
       duration=BY_RISK),
    _m("sjs_b_warning", "向相关行政机关预警提示，依法开展协同监管", PUNISHMENT,
       f"{SJ}第十一条第（二）项", [{"model": SJS, "grades": ["B"]}], ["supervision", "field_supervision"],
       duration=BY_RISK, notes="B级（警示）：预警级监管对象。"),
    _m("sjs_b_more_inspections", "适度提高随机抽查比例和频次", PUNISHMENT,
       f"{SJ}第十一条第（二）项", [{"model": SJS, "grades": ["B"]}], ["supervision"], duration=BY_RISK),
    _m("sjs_b_targeted_inspection", "加强针对性的监督检查，督促守法诚信经营", PUNISHMENT,
       f"{SJ}第十一条第（二）项", [{"model": SJS, "grades": ["B"]}], ["supervision", "field_supervision"],
       mandatory=True, departments=["负有日常监管职责的部门"], duration=BY_RISK),
    _m("sjs_c_joint_punishment", "依法开展联合惩戒，提高随机抽查比例和频次", PUNISHMENT,
       f"{SJ}第十一条第（三）项、第（四）项", [{"model": SJS, "grades": ["C", "D"]}], ["supervision", "field_supervision"],
       duration=BY_RISK, notes="C级（失信）为限制级监管对象；D级在C级监管惩戒的基础上进一步加大力度。"),
    _m("sjs_c_limit_licensing", "问题整改到位前，依法限制行政许可、注册备案、认证许可等申请", PUNISHMENT,
       f"{SJ}第十一条第（三）项、第（四）项", [{"model": SJS, "grades": ["C", "D"]}], ["licensing"], related=True,
       duration="问题整改到位前", notes="风险分类对象含相关自然人（第十条）。"),
    _m("sjs_c_limit_public_resource", "依法限制参加政府采购、政府投资项目招标，从事土地等不动产资源开发利用，参与国有产权交易",
       PUNISHMENT, f"{SJ}第十一条第（三）项、第（四）项", [{"model": SJS, "grades": ["C", "D"]}],
       ["procurement", "bidding", "land", "state_property", "public_resource"], related=True, duration=BY_RISK,
       notes="国有产权交易含国有企业资产、国有土地出让等。风险分类对象含相关自然人（第十条）。"),
    _m("sjs_c_limit_honours", "限制参加政府组织的各类表彰奖励活动", PUNISHMENT,
       f"{SJ}第十一条第（三）项、第（四）项", [{"model": SJS, "grades": ["C", "D"]}], ["honours"], related=True,
       duration=BY_RISK, notes="风险分类对象含相关自然人（第十条）。"),
    _m("sjs_d_special_list", "纳入“双随机”抽查特别名单", PUNISHMENT,
       f"{SJ}第十一条第（四）项", [{"model": SJS, "grades": ["D"]}], ["supervision"], duration=BY_RISK,
       notes="D级（严重失信）：禁止级监管对象。"),
    _m("sjs_d_ban", "依法禁止相关经营活动", PUNISHMENT,
       f"{SJ}第十一条第（四）项", [{"model": SJS, "grades": ["D"]}], ["market_entry"], related=True, duration=BY_RISK,
       notes="自信用修复之日起重新提出行政许可、注册备案、认证认可等申请的，从严审查，重点监管（修复后的从严审查由受理部门"
             "结合修复记录执行：本清单的触发条件不含“已修复”状态）。风险分类对象含相关自然人（第十条）。"),
]
