"""The written notice of an objection's outcome (异议处理结果告知书): R-OBJ-2 (000 §24 书面告知), R-OBJ-6."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

import pytest
from pypdf import PdfReader

from xinyong.kit.errors import Conflict, NotFound
from xinyong.objections import notice, service
from xinyong.objections.models import AppealOutcome, Finding, Outcome
from xinyong.objections.schemas import ObjectionCreate

D = dt.date
FILED = D(2026, 11, 16)  # a Monday; the record was decided 30 days before today, so it exists by then
STATEMENT = "罚款金额记载有误：决定书载明罚款人民币5万元，平台记载为50万元。"


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    return "".join(text.split())  # extraction may break lines anywhere in Chinese


@pytest.fixture
def filed(world, uow):
    """The company objects to the market regulator's public penalty."""
    a = world["actors"]
    with uow(actor=a["entity"]) as s:
        o = service.file(s, actor=a["entity"], day=FILED, objection_in=ObjectionCreate(
            record_id=world["records"]["scjg_public"], ground="inaccurate", statement=STATEMENT))
        return o.id


def decide(world, uow, objection_id: int, outcome=Outcome.UPHELD) -> None:
    a = world["actors"]
    with uow(actor=a["officer"]) as s:
        service.verify(s, actor=a["officer"], objection_id=objection_id, finding=Finding.WRONG,
                       reason="经核对原始决定书，罚款金额确为5万元，录入有误。", day=D(2026, 11, 20))
    with uow(actor=a["admin"]) as s:
        service.decide(s, actor=a["admin"], objection_id=objection_id, outcome=outcome,
                       reason="核查部门确认记载错误，异议成立。", day=D(2026, 11, 23))


def test_notice_of_an_upheld_objection_names_number_applicant_outcome_and_appeal(world, uow, filed, artifacts):
    # R-OBJ-2: told in writing with a numbered notice; R-OBJ-5: corrected within 5 working days; R-OBJ-6: appeal
    decide(world, uow, filed)
    with uow(write=False) as s:
        n = notice.render(s, actor=world["actors"]["entity"], objection_id=filed)
    (artifacts / "objection-notice.pdf").write_bytes(n.content)
    text = flat(pdf_text(n.content))
    assert n.number == "信异告〔2026〕1号" and n.number in text
    assert "异议处理结果告知书" in text
    company = world["company"]
    assert company.name in text and company.uscc in text
    assert "京开市监罚〔2026〕11号" in text and "北京经济技术开发区市场监督管理局" in text
    assert "异议成立，予以更正" in text and "信息有误，予以更正" in text
    # decided 2026-11-23 (Mon): 5 working days → 11-30; the 15-day appeal period → 12-14
    assert "信息将在5个工作日内更正并在原公示范围内重新发布" in text and "2026年11月30日" in text
    assert "北京经济技术开发区管理委员会" in text and "2026年12月14日" in text
    assert "行政复议" in text and "行政诉讼" in text
    assert "北京经济技术开发区信用办" in text and "2026年11月23日" in text  # issuer and date at the foot
    assert "第1页/共1页" in text or "第1页/共2页" in text  # page numbers drawn in the margin box


def test_notice_carries_the_committees_appeal_decision(world, uow, filed, artifacts):  # R-OBJ-6 (000 §26)
    decide(world, uow, filed, outcome=Outcome.NOT_UPHELD)
    a = world["actors"]
    with uow(actor=a["entity"]) as s:
        service.appeal(s, actor=a["entity"], objection_id=filed, statement="原决定认定事实不清。", day=D(2026, 11, 25))
    with uow(actor=a["admin"]) as s:
        service.decide_appeal(s, actor=a["admin"], objection_id=filed, outcome=AppealOutcome.UPHELD,
                              reason="管委会复核认为异议成立。", day=D(2026, 12, 2))
    with uow(write=False) as s:
        n = notice.render(s, actor=a["admin"], objection_id=filed)
    (artifacts / "objection-notice-appeal.pdf").write_bytes(n.content)
    text = flat(pdf_text(n.content))
    # the credit office's own decision stays as it was made; the committee's follows it
    assert "异议不成立，维持原信息" in text
    assert "申诉成立，撤销原处理决定" in text and "管委会复核认为异议成立。" in text and "2026年12月2日" in text
    assert "对申诉处理结果仍有异议的，可以依法申请行政复议或者提起行政诉讼" in text
    assert "信息将在5个工作日内更正" in text  # now upheld: corrected, from the committee's decision


def test_no_notice_before_the_decision(world, uow, filed, client, bearer):  # R-OBJ-2: the notice follows the decision
    with uow(write=False) as s, pytest.raises(Conflict, match="尚未作出处理决定"):
        notice.render(s, actor=world["actors"]["entity"], objection_id=filed)
    r = client.get(f"/api/v1/objections/{filed}/notice.pdf", headers=bearer(world["users"]["entity"]))
    assert r.status_code == 409 and "尚未作出处理决定" in r.json()["message"]


def test_no_notice_for_a_withdrawn_objection(world, uow, filed):
    a = world["actors"]
    with uow(actor=a["entity"]) as s:
        service.withdraw(s, actor=a["entity"], objection_id=filed, day=D(2026, 11, 17))
    with uow(write=False) as s, pytest.raises(Conflict, match="已于2026-11-17撤回"):
        notice.render(s, actor=a["admin"], objection_id=filed)


def test_another_entity_or_an_unconcerned_department_gets_404(world, uow, filed, client, bearer):
    # whoever may not read the objection is told it does not exist, as for any objection (R-OBJ-1)
    decide(world, uow, filed)
    for who in ("other_entity", "outsider"):
        with uow(write=False) as s, pytest.raises(NotFound):
            notice.render(s, actor=world["actors"][who], objection_id=filed)
        r = client.get(f"/api/v1/objections/{filed}/notice.pdf", headers=bearer(world["users"][who]))
        assert r.status_code == 404, who
    # the verifying department and the auditor may have it
    for who in ("officer", "auditor"):
        r = client.get(f"/api/v1/objections/{filed}/notice.pdf", headers=bearer(world["users"][who]))
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf", who


def test_api_and_page_serve_the_pdf(world, uow, filed, client, bearer):
    from tests.web.test_auth import login

    decide(world, uow, filed)
    r = client.get(f"/api/v1/objections/{filed}/notice.pdf", headers=bearer(world["users"]["entity"]))
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith(f'attachment; filename="objection-{filed}-notice.pdf"')
    assert quote("异议处理结果告知书信异告〔2026〕1号.pdf") in r.headers["content-disposition"]
    assert "信异告〔2026〕1号" in flat(pdf_text(r.content))
    # the page: a visitor without login is sent to log in; the applicant opens it in the browser
    page = f"/objections/{filed}/notice.pdf"
    r = client.get(page, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    login(client, "xinghe")
    r = client.get(page)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("inline;")
    assert world["company"].name in flat(pdf_text(r.content))


def test_a_departments_objection_is_told_to_that_department(world, uow):  # R-OBJ-2; 003 §18: a related department objects
    a = world["actors"]
    with uow(actor=a["outsider"]) as s:
        oid = service.file(s, actor=a["outsider"], day=FILED, objection_in=ObjectionCreate(
            record_id=world["records"]["scjg_public"], ground="inaccurate", statement="实施联合惩戒时发现处罚对象有误")).id
    with uow(actor=a["officer"]) as s:
        service.verify(s, actor=a["officer"], objection_id=oid, finding=Finding.UNCONFIRMED, reason="原始卷宗待调取",
                       day=D(2026, 11, 20))
    with uow(actor=a["admin"]) as s:
        service.decide(s, actor=a["admin"], objection_id=oid, outcome=Outcome.UNCONFIRMED, reason="暂无法确认",
                       day=D(2026, 11, 23))
    with uow(write=False) as s:
        text = flat(pdf_text(notice.render(s, actor=a["outsider"], objection_id=oid).content))
        with pytest.raises(NotFound):  # the company did not make this objection: not its notice
            notice.render(s, actor=a["entity"], objection_id=oid)
    assert f"{world['sthj'].name}：你单位于2026年11月16日提出的异议申请" in text
    assert "所涉信用主体" in text and world["company"].name in text and world["company"].uscc in text
    assert "无法确认，异议与核查意见一并记载" in text and "异议申请与核查意见将一并记载于该信息" in text
