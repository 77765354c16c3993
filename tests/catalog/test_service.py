import datetime as dt

import pytest
from sqlalchemy import func, select

from xinyong.accounts.permissions import PUBLIC, SYSTEM
from xinyong.audit.models import AuditEvent
from xinyong.catalog import service as catalog
from xinyong.catalog.models import Category, InfoType, InfoTypeVersion, Publicity, PublicityRegime
from xinyong.catalog.schemas import InfoTypeUpdate
from xinyong.kit.errors import Forbidden, Invalid, NotFound


@pytest.fixture
def types(uow) -> dict:
    with uow(write=False) as s:
        return {t.code: t for t in catalog.list_types(s)}


@pytest.fixture
def regimes(uow) -> dict:
    with uow(write=False) as s:
        return {r.code: r for r in catalog.list_regimes(s)}


def counts(uow) -> tuple[int, int, int, int]:
    with uow(write=False) as s:
        return tuple(s.scalar(select(func.count()).select_from(m))
                     for m in (PublicityRegime, InfoType, InfoTypeVersion, AuditEvent))


def labels(info_type) -> dict[str, dict]:
    return {f["label"]: f for f in info_type.fields}


# ---- the default catalog -----------------------------------------------------------------------

def test_every_category_of_spec_2_is_present(types):  # R-CAT-2
    assert {t.category for t in types.values()} >= {Category.BASIC, Category.GOOD, Category.BAD,
                                                     Category.WARNING, Category.NOTICE}


@pytest.mark.parametrize("code, category", [
    ("commendation", Category.GOOD), ("award", Category.GOOD), ("charity", Category.GOOD),  # 000 §9
    ("false_materials", Category.BAD), ("commitment_breach", Category.BAD), ("penalty", Category.BAD),
    ("compulsory_measure", Category.BAD), ("liability_accident", Category.BAD), ("other_bad", Category.BAD),  # 000 §10
    ("registration", Category.BASIC), ("licence", Category.BASIC), ("intellectual_property", Category.BASIC),
    ("certification", Category.BASIC),  # 000 §8
])
def test_the_information_types_the_documents_name_are_in_the_catalog(types, code, category):  # R-CAT-3, R-ENT-2
    assert types[code].category is category


def test_liability_accidents_cover_the_four_fields(types):  # R-CAT-3
    field = next(f for f in types["liability_accident"].fields if f["name"] == "accident_field")
    assert set(field["options"]) == {"安全生产", "食品安全", "环境污染", "产品质量"}


def test_every_type_states_what_the_catalog_must_state(types, regimes):  # R-CAT-1, R-CAT-4
    for t in types.values():
        assert t.version == 1, t.code
        assert t.name and t.usage_scope and t.source_department and t.update_cycle and t.basis, t.code
        assert t.publicity in set(Publicity), t.code
        assert t.retention_years > 0 and t.deadline_workdays > 0, t.code
        assert t.fields and all(f["name"] and f["label"] for f in t.fields), t.code
        assert t.subject_kinds, t.code
        assert t.regime_code is None or t.regime_code in regimes, t.code


def test_licences_and_penalties_are_due_within_10_working_days(types):  # R-COL-2
    assert types["licence"].deadline_workdays == 10
    assert types["penalty"].deadline_workdays == 10
    assert types["commendation"].deadline_workdays == 15


PENALTY_REQUIRED = ["行政相对人名称", "行政相对人类别", "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据",
                    "处罚类别", "处罚内容", "处罚决定日期", "处罚有效期", "处罚机关", "处罚机关统一社会信用代码",
                    "数据来源单位", "数据来源单位统一社会信用代码"]
PENALTY_OPTIONAL = ["法定代表人", "罚款金额（万元）", "没收违法所得、没收非法财物的金额（万元）", "暂扣或吊销证照名称及编号",
                    "公示截止期"]
LICENCE_REQUIRED = ["行政相对人名称", "行政相对人类别", "行政许可决定文书名称", "行政许可决定文书号", "许可类别", "许可内容",
                    "许可决定日期", "许可机关", "许可机关统一社会信用代码"]
LICENCE_OPTIONAL = ["法定代表人", "许可证书名称", "许可编号", "有效期自", "有效期至", "当前状态"]


@pytest.mark.parametrize("code, required, optional", [
    ("penalty", PENALTY_REQUIRED, PENALTY_OPTIONAL),
    ("licence", LICENCE_REQUIRED, LICENCE_OPTIONAL),
])
def test_penalty_and_licence_types_carry_the_shuang_gongshi_fields(types, code, required,
                                                                   optional):  # R-COL-5, SPEC §17
    have = labels(types[code])
    missing = [label for label in required + optional if label not in have]
    assert not missing, f"{code} lacks {missing}"
    assert [label for label in required if not have[label]["required"]] == []
    assert [label for label in optional if have[label]["required"]] == []


def test_penalty_categories_follow_the_administrative_penalty_law_lightest_first(types):  # SPEC §17
    field = labels(types["penalty"])["处罚类别"]
    assert field["options"] == ["警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级",
                                "吊销许可证件", "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业", "行政拘留"]


def test_party_kinds_are_the_national_code_table(types):  # SPEC §17
    for code in ("penalty", "licence"):
        assert labels(types[code])["行政相对人类别"]["options"] == ["法人及非法人组织", "自然人", "个体工商户"]


def test_beijing_business_environment_regime(regimes):  # R-PUB-4
    rules = regimes["bj_business_env_63"].rules
    assert rules["severity"]["general"] == {"min_months": 3, "max_months": 12}
    assert rules["severity"]["serious"] == {"min_months": 12, "max_months": 36}
    assert rules["shorten_months"] == [3, 12]
    assert rules["unfulfilled_stays_public"] is True


def test_national_repair_regime_of_2026(regimes):  # R-PUB-4a
    regime = regimes["national_repair_2026"]
    assert regime.effective_from == dt.date(2026, 4, 1)
    rules = regime.rules
    assert rules["start"] == "decision_date"
    assert rules["several_penalties"] == "longest"
    assert rules["severity"]["minor"]["public"] is False and rules["severity"]["minor"]["max_months"] == 3
    assert rules["severity"]["general"] == {"min_months": 3, "max_months": 12}
    assert rules["severity"]["serious"] == {"min_months": 12, "max_months": 36}


def test_market_regulation_regime_of_samr_order_45(regimes):  # R-PUB-4a
    rules = regimes["samr_order_45"].rules
    assert rules["by_penalty"]["warning_only"] == {"public": False}
    assert rules["by_penalty"]["reprimand_or_small_fine"] == {"months": 3}
    assert rules["by_penalty"]["other"] == {"months": 36}
    assert rules["restriction_longer_stays_public"] is True
    assert rules["revocation_withdraw_workdays"] == 3


def test_commitment_breach_regime(regimes, types):  # R-PUB-5
    rules = regimes["wenlv_commitment_breach"].rules
    assert rules["severity"]["minor"] == {"public": False}
    assert rules["severity"]["general"] == {"min_months": 1, "max_months": 6}
    assert rules["severity"]["serious"] == {"min_months": 6, "max_months": 12}
    assert types["commitment_breach"].regime_code == "wenlv_commitment_breach"


def test_load_defaults_is_idempotent(uow):  # SPEC §18: `xinyong init` is safe to run again
    before = counts(uow)
    assert before[1] > 0
    with uow(actor=SYSTEM) as s:
        assert catalog.load_defaults(s, actor=SYSTEM) == {"regimes": 0, "info_types": 0}
    assert counts(uow) == before  # no rows and no audit event either


def test_load_defaults_keeps_the_credit_offices_edits(uow):  # R-CAT-5, SPEC §18
    update(uow, "award", InfoTypeUpdate(validity_months=24, change_note="奖励信息有效期调整为两年"))
    with uow(actor=SYSTEM) as s:
        catalog.load_defaults(s, actor=SYSTEM)
    with uow(write=False) as s:
        assert catalog.get_type(s, "award").validity_months == 24


# ---- versions (R-CAT-5) ------------------------------------------------------------------------

def update(uow, code: str, changes: InfoTypeUpdate, actor=SYSTEM):
    with uow(actor=actor) as s:
        return catalog.update_type(s, actor=actor, code=code, changes=changes)


def test_a_change_is_a_new_version_and_the_old_one_stays_readable_unchanged(uow):  # R-CAT-5
    with uow(write=False) as s:
        v1 = catalog.get_type(s, "commendation")
    new_fields = v1.fields + [{"name": "issuer", "label": "表彰单位", "type": "text", "required": False}]
    v2 = update(uow, "commendation", InfoTypeUpdate(name="表彰奖励信息", validity_months=48, fields=new_fields,
                                                    change_note="增加表彰单位"))
    assert (v2.version, v2.name, v2.validity_months) == (2, "表彰奖励信息", 48)
    assert v2.category == v1.category and v2.publicity == v1.publicity  # what was not set is carried over
    with uow(write=False) as s:
        assert catalog.get_type(s, "commendation", version=1) == v1
        assert catalog.get_type(s, "commendation") == v2
        assert [v.version for v in catalog.history(s, "commendation")] == [1, 2]
        assert [v.change_note for v in catalog.history(s, "commendation")] == ["默认目录", "增加表彰单位"]
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event.action == "catalog.type_versioned" and event.subject_id == "commendation"
    assert event.detail["version"] == 2


def test_a_third_version_still_leaves_the_first_two(uow):  # R-CAT-5
    with uow(write=False) as s:
        v1 = catalog.get_type(s, "charity")
    v2 = update(uow, "charity", InfoTypeUpdate(validity_months=36, change_note="延长"))
    v3 = update(uow, "charity", InfoTypeUpdate(publicity=Publicity.SPECIFIED, change_note="改为依授权公开"))
    assert v3.version == 3 and v3.validity_months == 36 and v3.publicity is Publicity.SPECIFIED
    with uow(write=False) as s:
        assert catalog.get_type(s, "charity", version=1) == v1
        assert catalog.get_type(s, "charity", version=2) == v2


@pytest.mark.parametrize("field", [
    {"name": "血型", "label": "血型", "type": "text", "required": False},
    {"name": "blood_type", "label": "ABO", "type": "text", "required": False},
    {"name": "extra_1", "label": "宗教信仰", "type": "text", "required": False},
])
def test_a_forbidden_personal_field_in_an_update_is_refused_and_nothing_stored(uow, field):  # R-ENT-5
    with uow(write=False) as s:
        v1 = catalog.get_type(s, "commendation")
    before = counts(uow)
    with pytest.raises(Invalid) as exc:
        update(uow, "commendation", InfoTypeUpdate(fields=v1.fields + [field], change_note="增加信息项"))
    assert exc.value.field == f"fields[{len(v1.fields)}]"
    assert counts(uow) == before
    with uow(write=False) as s:
        assert catalog.get_type(s, "commendation") == v1


def test_non_admin_may_not_change_the_catalog(uow, make):  # SPEC §0: the catalog belongs to the credit office
    before = counts(uow)
    for actor in (make.actor(make.user("officer")), make.actor(make.user("reviewer")), PUBLIC):
        with pytest.raises(Forbidden):
            update(uow, "award", InfoTypeUpdate(validity_months=1, change_note="x"), actor=actor)
    after = counts(uow)
    assert after[:3] == before[:3]
    with uow(write=False) as s:
        assert catalog.get_type(s, "award").version == 1


def test_an_update_that_changes_nothing_is_refused(uow, types):  # R-CAT-5
    with pytest.raises(Invalid):
        update(uow, "award", InfoTypeUpdate(validity_months=types["award"].validity_months, change_note="无变化"))


def test_an_unknown_regime_is_refused_naming_the_field(uow):  # R-PUB-4a
    with pytest.raises(Invalid) as exc:
        update(uow, "award", InfoTypeUpdate(regime_code="no_such_rule", change_note="x"))
    assert exc.value.field == "regime_code"


def test_duplicate_field_names_are_refused(uow, types):  # R-CAT-1
    dup = types["award"].fields + [dict(types["award"].fields[0])]
    with pytest.raises(Invalid) as exc:
        update(uow, "award", InfoTypeUpdate(fields=dup, change_note="x"))
    assert exc.value.field == f"fields[{len(dup) - 1}]"


def test_unknown_type_or_version_is_not_found(uow):  # R-CAT-5
    with uow(write=False) as s:
        with pytest.raises(NotFound):
            catalog.get_type(s, "no_such_type")
        with pytest.raises(NotFound):
            catalog.get_type(s, "award", version=2)
    with pytest.raises(NotFound):
        update(uow, "no_such_type", InfoTypeUpdate(validity_months=1, change_note="x"))
