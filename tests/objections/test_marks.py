"""The 异议处理中 mark outside the objection pages (R-OBJ-3, §19; SPEC §18 second group): the public API and
page mark a record or list entry while an objection or appeal about it is handled, and stop showing it while
its department is late to verify (R-OBJ-4), showing it again the moment the department answers."""

from __future__ import annotations

import datetime as dt

import pytest

from xinyong.kit.clock import today
from xinyong.lists import service as lists
from xinyong.lists.models import ListKind
from xinyong.objections import service
from xinyong.records.models import Record

# Long enough ago that the department's 10 working days (to Monday 23 November 2026) have passed, in a year
# whose calendar is loaded: an objection received then and still unverified suspends public query.
LATE_FILED = dt.date(2026, 11, 9)
LATE_VERIFY_BY = dt.date(2026, 11, 23)


def _public(client, company) -> dict:
    r = client.get(f"/api/v1/public/entities/{company.uscc}")
    assert r.status_code == 200, r.text
    return r.json()


def _marks(client, company) -> dict[int, bool]:
    return {x["id"]: x["under_objection"] for x in _public(client, company)["records"]}


def _stored(uow, objection_id: int):
    with uow(write=False) as s:
        from xinyong.objections.models import Objection

        return s.get(Objection, objection_id)


def test_a_record_is_marked_while_its_objection_or_appeal_is_handled(client, world, objection_flow):
    """R-OBJ-3, §19 (000 §25): marked from filing until the objection and any appeal end, still published."""
    target, untouched = world["records"]["scjg_public"], world["records"]["sthj_public"]
    assert _marks(client, world["company"]) == {target: False, untouched: False}  # ids: what an objection names
    oid = objection_flow.file("entity", target)
    assert _marks(client, world["company"]) == {target: True, untouched: False}  # received
    objection_flow.verify("officer", oid, "correct", reason="经核查，记录无误")
    assert _marks(client, world["company"])[target] is True  # verified, awaiting the decision
    objection_flow.decide("admin", oid, "not_upheld", reason="记录无误，异议不成立")
    assert _marks(client, world["company"]) == {target: False, untouched: False}  # R-OBJ-5: the mark goes
    objection_flow.appeal("entity", oid)
    assert _marks(client, world["company"])[target] is True  # marked again during the appeal (§19)
    objection_flow.decide_appeal("admin", oid, "dismissed", reason="申诉不成立，维持原处理决定")
    assert _marks(client, world["company"])[target] is False
    objection_flow.step("admin", service.start_review, oid, kind="reconsideration", filed_on=today())
    assert _stored(objection_flow.uow, oid).status.value == "in_review"
    assert _marks(client, world["company"])[target] is True  # and through reconsideration or litigation
    objection_flow.step("admin", service.close_review, oid, result="复议维持原处理决定", closed_on=today())
    assert _marks(client, world["company"])[target] is False


def test_the_public_page_tags_a_record_under_objection_and_says_it_stays_published(client, world, objection_flow):
    page = client.get(f"/public/entities/{world['company'].uscc}").text
    assert "异议处理中" not in page
    assert "对信息有异议的，信用主体可登录后提出" not in page and 'href="/login?next=/my"' in page  # how to object
    objection_flow.file("entity", world["records"]["scjg_public"])
    page = client.get(f"/public/entities/{world['company'].uscc}").text
    assert page.count('<span class="tag tag-warn">异议处理中</span>') == 1  # the one record, not the other
    assert "此信息的异议正在处理中，处理期间照常公示" in page
    assert "京开市监罚〔2026〕11号" in page and "京开环罚〔2026〕21号" in page


def test_a_record_whose_department_is_late_to_verify_leaves_the_public_view_until_it_answers(
        client, uow, world, objection_flow):
    """R-OBJ-4 (000 §25): ``visibility.public`` stops public query once ``verify_by`` passes unverified; the
    record is still used (R-OBJ-3) and comes back, marked, as soon as the department verifies."""
    target, untouched = world["records"]["scjg_public"], world["records"]["sthj_public"]
    oid = objection_flow.file("entity", target, day=LATE_FILED)
    assert _stored(uow, oid).verify_by == LATE_VERIFY_BY < today()
    assert _marks(client, world["company"]) == {untouched: False}  # gone from the API
    page = client.get(f"/public/entities/{world['company'].uscc}").text
    assert "京开市监罚〔2026〕11号" not in page and "京开环罚〔2026〕21号" in page  # and from the page
    from xinyong.records import service as records

    with uow(write=False) as s:  # the credit office still sees it, suspended
        [read] = records.to_reads(s, [s.get(Record, target)])
    assert (read.under_objection, read.suspended, read.public_now) == (True, True, False)
    objection_flow.verify("officer", oid, "correct", reason="经核查，记录无误（逾期答复）")
    assert _marks(client, world["company"]) == {target: True, untouched: False}  # back, still marked
    assert "京开市监罚〔2026〕11号" in client.get(f"/public/entities/{world['company'].uscc}").text


@pytest.fixture
def black_entry(uow, world):
    """The company on the black list by the market bureau's determination (R-LST-2)."""
    officer = world["actors"]["officer"]
    with uow(actor=officer) as s:
        return lists.determine(s, actor=officer, entity_code=world["company"].uscc, kind=ListKind.BLACK,
                               basis_text="《食品安全法》第一百三十四条：一年内累计三次因违法受到罚款处罚，认定为严重失信主体",
                               document_number="京开市监信认〔2026〕9号", decided_on=today() - dt.timedelta(days=40),
                               planned_end=None).id


def _entries(client, company) -> tuple[list[str], dict[int, bool]]:
    body = _public(client, company)
    return body["lists"], {x["id"]: x["under_objection"] for x in body["list_entries"]}


def test_a_list_entry_under_objection_is_marked_on_the_public_view_and_the_lists_api(
        client, world, black_entry, objection_flow, bearer):  # R-OBJ-3
    assert _entries(client, world["company"]) == (["black"], {black_entry: False})
    oid = objection_flow.file("entity", target="list_entry", list_entry_id=black_entry, ground="wrong_listing",
                              statement="已履行全部处罚决定，不符合严重失信主体认定条件")
    assert _entries(client, world["company"]) == (["black"], {black_entry: True})
    page = client.get(f"/public/entities/{world['company'].uscc}").text
    assert page.count('<span class="tag tag-warn">异议处理中</span>') == 1
    [item] = client.get("/api/v1/public/lists/black").json()["items"]
    assert (item["id"], item["under_objection"], item["objection_id"]) == (black_entry, True, oid)
    objection_flow.decide("admin", oid, "not_upheld", reason="认定依据充分，异议不成立")
    assert _entries(client, world["company"]) == (["black"], {black_entry: False})


def test_a_list_entry_whose_department_is_late_to_verify_is_not_public_until_it_answers(
        client, world, black_entry, objection_flow):  # R-OBJ-4
    oid = objection_flow.file("entity", target="list_entry", list_entry_id=black_entry, ground="wrong_listing",
                              statement="不符合严重失信主体认定条件", day=LATE_FILED)
    assert _entries(client, world["company"]) == ([], {})
    assert client.get("/api/v1/public/lists/black").json()["total"] == 0
    objection_flow.verify("officer", oid, "correct", reason="经核查，认定无误")
    assert _entries(client, world["company"]) == (["black"], {black_entry: True})
    assert client.get("/api/v1/public/lists/black").json()["total"] == 1
