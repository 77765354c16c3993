"""The credit check a department's system calls (R-MEA-3, R-ENT-4, SPEC §18): grade, lists, objections and
the measures for the matter, mandatory first; a person's check reaches the black-listed entity he or she
answers for; every check is on the query log under its duty."""

from sqlalchemy import select

from tests.helpers import id_number
from xinyong.access.models import QueryLog

from ..grading.test_service import _accept, _penalty


def _check(client, headers, code, matter="subsidy"):
    return client.get(f"/api/v1/entities/{code}/check", params={"matter": matter} if matter else {}, headers=headers)


def _serious(uow, zone, n):
    for i in range(n):
        _accept(uow, zone, _penalty(zone["company"], f"京开市监罚〔2026〕5{i}号", serious=True))


def test_a_d_grade_entity_gets_the_d_measures_mandatory_first_and_the_check_is_logged(client, uow, zone, bearer, make):
    _serious(uow, zone, 2)  # 700 − 240 = 460: D, key attention
    officer = bearer(make.user("officer", "czj", department=zone["other"]))
    r = _check(client, officer, zone["company"].uscc, "subsidy")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["grade"], body["score"], body["lists"], body["objections"]) == ("D", 460, ["key_attention"], [])
    measures = body["measures"]
    assert measures and all({"name", "mandatory", "basis"} <= set(m) for m in measures)
    flags = [m["mandatory"] for m in measures]
    assert flags == sorted(flags, reverse=True)  # mandatory first (R-MEA-3)
    assert all(m["kind"] == "punishment" for m in measures)
    with uow(write=False) as s:
        entry = s.scalars(select(QueryLog).order_by(QueryLog.seq.desc())).first()
    assert (entry.target.value, entry.duty, entry.outcome.value) == ("check", "subsidy", "allowed")


def test_grade_c_is_neither_rewarded_nor_punished_and_b_gets_incentives(client, uow, zone, bearer, make):  # R-MEA-2
    officer = bearer(make.user("officer", "czj2", department=zone["other"]))
    b = _check(client, officer, zone["company"].uscc, "licensing").json()
    assert b["grade"] == "B" and b["measures"] and {m["kind"] for m in b["measures"]} == {"incentive"}
    _serious(uow, zone, 1)  # 580: C
    c = _check(client, officer, zone["company"].uscc, "licensing").json()
    assert (c["grade"], c["measures"]) == ("C", [])


def test_a_persons_check_reaches_the_black_listed_company_he_represents(client, uow, zone, bearer, make):  # R-ENT-4
    number = id_number("19800101", "321")
    person = make.entity("李四", id_number=number)
    company = make.entity("北京亦庄黑石贸易有限公司", related_persons=[
        {"role": "legal_representative", "name": "李四", "id_number": number}])
    zone = zone | {"company": company}
    _serious(uow, zone, 4)  # 350: black
    officer = bearer(make.user("officer", "czj3", department=zone["dept"]))
    body = _check(client, officer, number, "appointment").json()
    assert body["kind"] == "natural_person" and body["name"] == person.name
    [related] = body["related"]
    assert (related["code"], related["role"], "black" in related["lists"]) == (company.uscc, "legal_representative", True)
    assert related["measures"] and all(m["extends_to_related"] for m in related["measures"])
    assert number not in _check(client, officer, number, "appointment").text  # the number is never echoed in full


def test_refusals_unknown_codes_and_a_missing_matter(client, uow, zone, bearer, make):
    officer = bearer(make.user("officer", "czj4", department=zone["other"]))
    assert _check(client, officer, make.uscc()).status_code == 404  # nothing read, nothing to log
    assert _check(client, officer, zone["company"].uscc, "association").status_code == 400  # not a duty: no check
    assert _check(client, officer, zone["company"].uscc, None).status_code == 400
    assert _check(client, officer, zone["company"].uscc, "飞行执照").status_code == 400
    owner = bearer(make.user("entity", "qy", entity=zone["company"]))
    assert _check(client, owner, zone["company"].uscc).status_code == 403
    assert client.get(f"/api/v1/entities/{zone['company'].uscc}/check?matter=subsidy").status_code == 401
