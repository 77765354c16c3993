"""An entity's public page: public records inside their publicity period only (R-PUB-1, R-PUB-4…6)."""

import datetime as dt

import pytest

from tests.public.conftest import licence, penalty
from xinyong.kit.errors import Invalid, NotFound
from xinyong.public import service
from xinyong.records import service as records
from xinyong.records.models import Record
from xinyong.records.periods import Severity
from xinyong.records.schemas import RecordCreate

D = dt.date


def documents(uow, code, day) -> list[str]:
    with uow(write=False) as s:
        return [r.document_number for r in service.public_view(s, code, day).records]


def test_a_record_is_shown_from_its_decision_to_its_publicity_end_inclusive(uow, zone, accepted):  # R-PUB-4
    accepted(penalty(zone["company"]))  # decided 2026-03-05, general: public for one year
    code = zone["company"].uscc
    assert [bool(documents(uow, code, d)) for d in (D(2026, 3, 4), D(2026, 3, 5), D(2027, 3, 5), D(2027, 3, 6))] == [
        False, True, True, False]
    with uow(write=False) as s:
        r = service.public_view(s, code, D(2026, 6, 1)).records[0]
    assert (r.document_number, r.decision_date, r.publicity_end, r.info_type_name) == (
        "京开市监罚〔2026〕118号", D(2026, 3, 5), D(2027, 3, 5), "行政处罚信息")


def test_revoked_minor_unaccepted_and_internal_records_are_not_shown(uow, zone, accepted, make):  # R-PUB-4a, R-PUB-5
    company = zone["company"]
    revoked = accepted(penalty(company, document_number="撤〔2026〕1号"))
    with uow(actor=zone["officer"]) as s:
        records.revoke(s, actor=zone["officer"], record=s.get(Record, revoked), reason="复议撤销")
    accepted(penalty(company, document_number="轻〔2026〕2号", severity=Severity.MINOR))
    accepted(penalty(company, document_number="待〔2026〕3号"), accept=False)  # still in the credit office's queue
    accepted(RecordCreate(info_type="reminder", entity_code=company.uscc, document_number="提〔2026〕4号",
                          decision_date=D(2026, 3, 5), authority="北京经济技术开发区市场监督管理局",
                          content={"manner": "书面提醒", "content": "按期年报"}))  # an internal type
    accepted(penalty(company, document_number="公〔2026〕5号"))
    assert documents(uow, company.uscc, D(2026, 3, 6)) == ["公〔2026〕5号"]


def test_only_the_published_items_of_a_record_are_shown(uow, zone, accepted):  # 双公示; R-SEC-2
    number = "110105198503120017"
    accepted(penalty(zone["company"], content=penalty(zone["company"]).content | {
        "legal_representative": "王建国", "party_name": "北京亦庄星河精密制造有限公司",
        "violation_facts": f"经查，当事人（经办人身份证号 {number}）销售超过保质期的食品"}))
    accepted(licence(zone["company"]))
    with uow(write=False) as s:
        view = service.public_view(s, zone["company"].uscc, D(2026, 3, 6))
    shown = {r.info_type: {f.name: f.value for f in r.fields} for r in view.records}
    assert {"violation_type", "penalty_basis", "penalty_content", "fine_amount"} <= set(shown["penalty"])
    assert shown["penalty"]["penalty_categories"] == "警告、罚款"
    assert "party_name" not in shown["penalty"] and "legal_representative" not in shown["penalty"]
    assert number not in view.model_dump_json() and "110105********0017" in shown["penalty"]["violation_facts"]
    assert shown["licence"]["licence_number"] == "JY11101150000001"


@pytest.mark.parametrize("spec, shown", [
    ({"name": "violation_facts", "label": "违法事实"}, True),
    ({"name": "party_name", "label": "行政相对人名称"}, False),
    ({"name": "legal_representative_id", "label": "法定代表人证件号码"}, False),
    ({"name": "holder_id_number", "label": "持证人"}, False),
    ({"name": "x", "label": "证件类型"}, False),
    ({"name": "remarks", "label": "备注", "public": False}, False),
    ({"name": "party_name", "label": "行政相对人名称", "public": True}, True),
])
def test_the_catalog_may_mark_a_field_and_identifiers_are_never_published(spec, shown):
    assert service.published(spec) is shown


def test_a_natural_person_is_found_by_the_full_number_only_and_shown_masked(uow, make, zone, accepted):  # R-SEC-2
    number = make.id_number("19790615")
    person = make.entity("钱七", id_number=number)
    accepted(penalty(person, entity_code=number, document_number="人〔2026〕9号"))
    with uow(write=False) as s:
        view = service.lookup_person(s, id_number=number.lower(), day=D(2026, 3, 6))
        assert (view.name, view.code, view.id_number_masked) == ("钱七", number[:6] + "********" + number[-4:],
                                                                 number[:6] + "********" + number[-4:])
        assert number not in view.model_dump_json() and number not in view.link
        assert [r.document_number for r in view.records] == ["人〔2026〕9号"]
        assert service.public_view(s, view.link, D(2026, 3, 6)).name == "钱七"  # the opaque link leads back
        forged = view.link[:-1] + ("0" if view.link[-1] != "0" else "1")
        for bad in (forged, f"p{person.id}-" + "0" * 16):
            with pytest.raises(NotFound):
                service.public_view(s, bad)
        other = make.id_number("19790616")
        with pytest.raises(NotFound):
            service.lookup_person(s, id_number=other)
        with pytest.raises(Invalid) as exc:
            service.lookup_person(s, id_number=number[:-1])
        assert number[:-1] not in exc.value.message
        with pytest.raises(Invalid):  # a URL never carries an ID number
            service.public_view(s, number)


def test_an_unknown_code_and_a_person_by_uscc_route_are_not_found(uow, zone):
    with uow(write=False) as s:
        for code in ("91110302MA00000000", "nonsense", zone["company"].uscc[:-1]):
            with pytest.raises(NotFound):
                service.public_view(s, code)


def test_the_public_view_has_the_keys_of_spec_18(uow, zone, accepted):
    accepted(penalty(zone["company"]))
    with uow(write=False) as s:
        body = service.public_view(s, zone["company"].uscc, D(2026, 3, 6)).model_dump(mode="json")
    assert {"code", "name", "lists", "records"} <= set(body) and body["lists"] == []
    assert body["code"] == zone["company"].uscc and body["name"] == "北京亦庄星河精密制造有限公司"
    assert {"document_number", "decision_date", "publicity_end"} <= set(body["records"][0])
