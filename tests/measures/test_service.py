"""The stored, versioned catalog and the credit check's answer from it (R-MEA-1, R-MEA-2)."""

import pytest
from sqlalchemy import func, select

from xinyong.accounts.permissions import SYSTEM, Actor, Role
from xinyong.audit.models import AuditEvent
from xinyong.audit.verify import verify
from xinyong.kit.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.measures import service
from xinyong.measures.defaults import MEASURES
from xinyong.measures.models import Measure, MeasureVersion
from xinyong.measures.schemas import MeasureCreate, MeasureUpdate

ETDZ = "etdz_reference"
OFFICER = Actor(role=Role.OFFICER, user_id=None, username="jbr", display_name="经办人")


def counts(uow) -> tuple[int, int, int]:
    with uow(write=False) as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Measure, MeasureVersion, AuditEvent))


def check(uow, **kwargs) -> list[str]:
    kwargs.setdefault("lists", [])
    kwargs.setdefault("model", ETDZ)
    with uow(write=False) as s:
        return [m.code for m in service.applicable(s, **kwargs)]


def new_measure(**fields) -> MeasureCreate:
    data = {"code": "etdz_test_measure", "name": "试点：优先推荐参加展会", "kind": "incentive",
            "basis": "经开区诚信管理办法第三十一条第（六）项", "triggers": [{"model": ETDZ, "grades": ["A"]}],
            "matters": ["honours"]} | fields
    return MeasureCreate(**data)


# ---- defaults -------------------------------------------------------------------------------------

def test_defaults_load_once_and_again_change_nothing(uow):  # R-MEA-1, SPEC §18 (init is safe to run again)
    before = counts(uow)
    assert before[:2] == (len(MEASURES), len(MEASURES))
    with uow(actor=SYSTEM) as s:
        assert service.load_defaults(s, actor=SYSTEM) == {"measures": 0}
    assert counts(uow) == before
    with uow(write=False) as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == "measures.defaults_loaded")) == 1


def test_reloading_defaults_keeps_the_credit_offices_edits_and_retirements(uow):  # R-MEA-1
    with uow(actor=SYSTEM) as s:
        service.update_measure(s, actor=SYSTEM, code="etdz_accept_missing",
                               changes=MeasureUpdate(name="容缺受理（7个工作日内补齐）", change_note="写明补齐时限"))
        service.retire_measure(s, actor=SYSTEM, code="etdz_employment_support", note="本区暂不实施")
    with uow(actor=SYSTEM) as s:
        assert service.load_defaults(s, actor=SYSTEM) == {"measures": 0}
    with uow(write=False) as s:
        assert service.get_measure(s, "etdz_accept_missing").name == "容缺受理（7个工作日内补齐）"
        assert service.get_measure(s, "etdz_employment_support").retired
        assert "etdz_employment_support" not in {m.code for m in service.list_measures(s)}


def test_a_deleted_default_comes_back_when_the_defaults_are_loaded(uow):
    with uow(actor=SYSTEM) as s:
        head = s.scalar(select(Measure).where(Measure.code == "etdz_interview"))
        for v in s.scalars(select(MeasureVersion).where(MeasureVersion.measure_id == head.id)):
            s.delete(v)
        s.flush()
        s.delete(head)
    with uow(actor=SYSTEM) as s:
        assert service.load_defaults(s, actor=SYSTEM) == {"measures": 1}


def test_the_catalog_states_what_r_mea_1_asks(uow):  # R-MEA-1
    with uow(write=False) as s:
        m = service.get_measure(s, "etdz_black_person_ban")
    assert m.kind_label == "惩戒" and m.mandatory_label == "强制性" and m.extends_to_related
    assert "经开区诚信管理办法第三十七条" in m.basis and "京政发〔2017〕15号" in m.basis
    assert m.trigger_texts == ["列入严重失信主体（黑名单）"]
    assert m.matter_labels == ["任职资格（担任法定代表人、负责人、高级管理人员）", "市场和行业准入"]
    assert m.department_labels == ["各行政部门"] and "黑名单期间" in m.duration


# ---- the answer ------------------------------------------------------------------------------------

def test_c_nothing_b_incentives_d_punishments(uow):  # R-MEA-2
    assert check(uow, grade="C", score=600) == []
    assert "etdz_accept_missing" in check(uow, grade="B", score=700, matter="licensing")
    d = check(uow, grade="D", score=500, matter="licensing")
    assert d == ["etdz_key_review", "etdz_no_accept_missing"]


def test_black_list_measures_reach_related_persons(uow):  # R-MEA-2
    got = check(uow, grade="D", score=350, lists=["black"], related=True, matter="honours")
    assert got == ["etdz_black_revoke_honours"]


def test_matter_may_be_named_by_its_chinese_label(uow):  # R-MEA-3
    assert check(uow, grade="D", score=500, matter="政府采购") == check(uow, grade="D", score=500, matter="procurement")
    with pytest.raises(Invalid, match="不是已知的事项"):
        check(uow, grade="D", score=500, matter="nonsense")


def test_without_a_model_the_active_grading_model_reads_the_grade(uow):  # R-GRD-1
    assert check(uow, grade="B", score=700, model=None) == check(uow, grade="B", score=700, model=ETDZ) != []


# ---- editing: versions ----------------------------------------------------------------------------

def test_an_edit_is_a_new_version_and_the_catalog_answers_with_it(uow):  # R-MEA-1
    assert "etdz_accept_missing" in check(uow, grade="B", score=700)
    with uow(actor=SYSTEM) as s:
        m = service.update_measure(s, actor=SYSTEM, code="etdz_accept_missing", changes=MeasureUpdate(
            triggers=[{"model": ETDZ, "grades": ["A", "B"], "above": 750, "unless_lists": ["black", "key_attention"]}],
            change_note="按信用积分：750分以上方可容缺受理"))
    assert m.version == 2 and "分数高于 750" in m.trigger_texts[0]
    assert "etdz_accept_missing" not in check(uow, grade="B", score=700)
    assert "etdz_accept_missing" in check(uow, grade="B", score=760)
    with uow(write=False) as s:
        first = service.get_measure(s, "etdz_accept_missing", 1)
        assert first.trigger_texts[0].endswith("等级为 A、B，未列入严重失信主体（黑名单）、重点关注对象名单")
        assert [v.version for v in service.history(s, "etdz_accept_missing")] == [1, 2]
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "measures.versioned")).one()
        assert event.subject_id == "etdz_accept_missing" and event.detail["changed"] == ["triggers"]


def test_an_edit_that_changes_nothing_is_refused(uow):
    with uow(actor=SYSTEM) as s, pytest.raises(Invalid, match="修改前后内容相同"):
        service.update_measure(s, actor=SYSTEM, code="etdz_reminder", changes=MeasureUpdate(name="信用提醒", change_note="无"))


def test_retiring_is_a_version_too_and_an_edit_reinstates(uow):  # R-MEA-1
    with uow(actor=SYSTEM) as s:
        r = service.retire_measure(s, actor=SYSTEM, code="etdz_interview", note="改由联合约谈机制实施")
    assert r.retired and r.version == 2
    assert "etdz_interview" not in check(uow, grade="D", score=500)
    with uow(actor=SYSTEM) as s, pytest.raises(Conflict, match="已停用"):
        service.retire_measure(s, actor=SYSTEM, code="etdz_interview", note="再次停用")
    with uow(actor=SYSTEM) as s:
        back = service.update_measure(s, actor=SYSTEM, code="etdz_interview", changes=MeasureUpdate(change_note="恢复实施"))
    assert not back.retired and back.version == 3
    assert "etdz_interview" in check(uow, grade="D", score=500)


def test_a_new_measure_applies_at_once(uow):  # R-MEA-1
    with uow(actor=SYSTEM) as s:
        m = service.create_measure(s, actor=SYSTEM, measure_in=new_measure())
    assert m.version == 1 and m.department_labels == ["各行政部门"] and not m.mandatory
    assert "etdz_test_measure" in check(uow, grade="A", score=850, matter="honours")
    with uow(actor=SYSTEM) as s, pytest.raises(Conflict, match="已存在"):
        service.create_measure(s, actor=SYSTEM, measure_in=new_measure())


@pytest.mark.parametrize("fields, field, message", [
    ({"code": "Bad Code"}, "code", "措施代码"),
    ({"code": "preview"}, "code", "保留字"),
    ({"matters": []}, "matters", "至少应选择一个适用事项"),
    ({"matters": ["炒股"]}, "matters", "不是已知的事项"),
    ({"triggers": []}, "triggers", "至少应有一个触发条件"),
    ({"triggers": [{"lists": ["grey"]}]}, "triggers[0].lists", "不是已知的名单"),
    ({"basis": "  "}, "basis", "依据不能为空"),
    ({"departments": ["all", "信用办"]}, "departments", "已包含全部部门"),
    ({"duration_months": 0}, "duration_months", "1–1200"),
])
def test_what_the_credit_office_writes_is_checked(uow, fields, field, message):
    with uow(actor=SYSTEM) as s, pytest.raises(Invalid) as exc:
        service.create_measure(s, actor=SYSTEM, measure_in=new_measure(**fields))
    assert exc.value.field == field and message in exc.value.message


def test_only_the_credit_office_edits(uow):  # R-MEA-1, SPEC §0
    with uow(actor=OFFICER) as s:
        with pytest.raises(Forbidden):
            service.create_measure(s, actor=OFFICER, measure_in=new_measure())
        with pytest.raises(Forbidden):
            service.update_measure(s, actor=OFFICER, code="etdz_reminder", changes=MeasureUpdate(name="x", change_note="x"))
        with pytest.raises(Forbidden):
            service.retire_measure(s, actor=OFFICER, code="etdz_reminder", note="x")


def test_unknown_measure_and_version(uow):
    with uow(write=False) as s:
        with pytest.raises(NotFound):
            service.get_measure(s, "no_such_measure")
        with pytest.raises(NotFound, match="没有第 9 版"):
            service.get_measure(s, "etdz_reminder", 9)


# ---- the in-process copy --------------------------------------------------------------------------

def test_the_copy_is_reused_until_a_version_is_written(uow):  # issue 6: the check at 500 requests/s
    with uow(write=False) as s:
        first = service.active_catalog(s)
    with uow(write=False) as s:
        assert service.active_catalog(s) is first
    with uow(actor=SYSTEM) as s:  # another unit of work, as another process would write it
        service.retire_measure(s, actor=SYSTEM, code="etdz_reminder", note="测试")
    with uow(write=False) as s:
        second = service.active_catalog(s)
    assert second is not first and len(second) == len(first) - 1


def test_a_rolled_back_edit_does_not_linger_in_the_copy(uow):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), uow(actor=SYSTEM) as s:
        service.retire_measure(s, actor=SYSTEM, code="etdz_reminder", note="测试")
        assert "etdz_reminder" not in [m.code for m in service.applicable(s, grade="D", score=500, lists=[], model=ETDZ)]
        raise Boom
    assert "etdz_reminder" in check(uow, grade="D", score=500)


def test_the_audit_trail_holds_after_edits(uow, platform):  # R-REV-4
    with uow(actor=SYSTEM) as s:
        service.create_measure(s, actor=SYSTEM, measure_in=new_measure())
        service.retire_measure(s, actor=SYSTEM, code="etdz_test_measure", note="试点结束")
    with uow(write=False) as s:
        report = verify(s, platform.keyring)
    assert report.ok, report.problems
