"""The credit check a department's system calls (R-MEA-3, R-ENT-4, SPEC §18): grade, lists, objections and
the measures for the matter, mandatory first; a person's check reaches the black-listed entity he or she
answers for; every check is on the query log under its duty."""

from sqlalchemy import select

from tests.helpers import id_number
from xinyong.access.models import QueryLog

from ..grading.test_service import _accept, _penalty


def _check(client, headers, code, matter="subsidy"):
    return client.get(f"/api/v1/entities/{code}/check", params={"matter": matter} if matter else {}, headers=headers)


def _check_person(client, headers, number, matter="subsidy"):
    """A person is checked with the ID number in the body: never in a URL (R-SEC-2, issue 17)."""
    return client.post("/api/v1/entities/check", json={"code": number, "matter": matter}, headers=headers)


def _serious(uow, zone, n):
    for i in range(n):
        _accept(uow, zone, _penalty(zone["company"], f"京开市监罚〔2026〕5{i}号", serious=True))


def _black_company(uow, zone, make, name, person, number, role="legal_representative"):
    company = make.entity(name, related_persons=[{"role": role, "name": person, "id_number": number}])
    _serious(uow, zone | {"company": company}, 4)  # 350: black
    return company


def _last_entry(uow):
    with uow(write=False) as s:
        return s.scalars(select(QueryLog).order_by(QueryLog.seq.desc())).first()


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
    body = _check_person(client, officer, number, "appointment").json()
    assert body["kind"] == "natural_person" and body["name"] == person.name
    [related] = body["related"]
    assert (related["code"], related["role"], "black" in related["lists"]) == (company.uscc, "legal_representative", True)
    assert related["measures"] and all(m["extends_to_related"] for m in related["measures"])
    assert number not in _check_person(client, officer, number, "appointment").text  # the number is never echoed in full
    entry = _last_entry(uow)  # nor kept in full on the query log
    assert entry.entity_id == person.id and number not in entry.entity + entry.path and body["registered"] is True


def test_an_unregistered_legal_representative_of_a_black_listed_company_is_told(client, uow, zone, bearer, make):
    # R-ENT-4 / R-MEA-3: a person with no file of his own, known only as the legal representative of a
    # black-listed company, is checked by his ID number like a registered one: `related` names the company
    number = id_number("19790505", "415")
    company = _black_company(uow, zone, make, "北京亦庄白石贸易有限公司", "王五", number)
    make.entity("北京亦庄清白科技有限公司", related_persons=[  # not black-listed: not in `related`
        {"role": "director", "name": "王五", "id_number": number}])
    officer = bearer(make.user("officer", "czj5", department=zone["dept"]))
    r = _check_person(client, officer, number, "appointment")
    assert r.status_code == 200, r.text
    body = r.json()
    masked = number[:6] + "********" + number[-4:]
    assert (body["kind"], body["code"], body["name"], body["registered"]) == ("natural_person", masked, "王五", False)
    assert (body["grade"], body["score"], body["lists"], body["objections"], body["measures"]) == (None, None, [], [], [])
    [related] = body["related"]
    assert (related["code"], related["role"], "black" in related["lists"]) == (company.uscc, "legal_representative", True)
    assert related["measures"] and all(m["extends_to_related"] for m in related["measures"])
    assert number not in r.text  # the number is never echoed in full
    entry = _last_entry(uow)  # on the query log like any check, against the masked number
    assert (entry.entity_id, entry.target.value, entry.duty, entry.outcome.value) == (None, "check", "licensing", "allowed")
    assert entry.entity.startswith(masked) and "未在平台登记为信用主体" in entry.entity and number not in entry.entity
    assert number not in (entry.path or "") + (entry.reason or "")
    # the credit office too, and with the number typed as clerks do (lower-case x, spaces)
    admin = bearer(make.user("admin", "xyb5"))
    typed = " ".join([number[:6], number[6:14], number[14:].lower()])
    assert _check_person(client, admin, typed, "subsidy").json()["related"][0]["code"] == company.uscc
    entry = _last_entry(uow)
    assert (entry.entity_id, entry.duty, entry.reason, entry.outcome.value) == (None, "subsidy", "信用办", "allowed")


def test_an_unregistered_person_related_only_to_a_company_not_black_listed_gets_no_related(client, uow, zone, bearer, make):
    # R-ENT-4: the platform knows him as a related person, so the check answers (200) — with nothing to act on
    number = id_number("19820707", "226")
    make.entity("北京亦庄守信科技有限公司", related_persons=[
        {"role": "legal_representative", "name": "赵六", "id_number": number}])
    officer = bearer(make.user("officer", "czj6", department=zone["other"]))
    r = _check_person(client, officer, number, "subsidy")
    assert r.status_code == 200, r.text
    assert (r.json()["registered"], r.json()["related"], r.json()["measures"]) == (False, [], [])
    assert number not in r.text and _last_entry(uow).entity_id is None


def test_an_id_number_nobody_carries_is_unknown_and_unlogged(client, uow, zone, bearer, make):  # R-MEA-3
    number = id_number("19900909", "337")
    shareholder = id_number("19910101", "448")  # a shareholder only: not one who answers for the entity
    make.entity("北京亦庄持股科技有限公司", related_persons=[{"role": "shareholder", "name": "孙七", "id_number": shareholder,
                                                             "share_percent": "60"}])
    officer = bearer(make.user("officer", "czj7", department=zone["other"]))
    before = _last_entry(uow)
    assert _check_person(client, officer, number).status_code == 404
    assert _check_person(client, officer, shareholder).status_code == 404
    after = _last_entry(uow)
    assert (after.seq if after else None) == (before.seq if before else None)  # nothing read, nothing logged
    owner = bearer(make.user("entity", "qy2", entity=zone["company"]))  # entity users are refused as before
    company = _black_company(uow, zone, make, "北京亦庄墨石贸易有限公司", "周八", number)
    assert company and _check_person(client, owner, number).status_code == 403
    assert client.post("/api/v1/entities/check", json={"code": number, "matter": "subsidy"}).status_code == 401


def test_refusals_unknown_codes_and_a_missing_matter(client, uow, zone, bearer, make):
    officer = bearer(make.user("officer", "czj4", department=zone["other"]))
    assert _check(client, officer, make.uscc()).status_code == 404  # nothing read, nothing to log
    assert _check(client, officer, zone["company"].uscc, "association").status_code == 400  # not a duty: no check
    assert _check(client, officer, zone["company"].uscc, None).status_code == 400
    assert _check(client, officer, zone["company"].uscc, "飞行执照").status_code == 400
    owner = bearer(make.user("entity", "qy", entity=zone["company"]))
    assert _check(client, owner, zone["company"].uscc).status_code == 403
    assert client.get(f"/api/v1/entities/{zone['company'].uscc}/check?matter=subsidy").status_code == 401


def test_a_check_reads_entity_grade_lists_and_catalog_in_one_statement_and_sees_a_catalog_change(
        client, platform, uow, zone, bearer, make):  # R-MEA-3, R-MEA-1
    """The check's reads are round trips that hold up the server's event loop (web.deps.inline): the entity,
    its grade, its lists and the catalog's version come in one statement. The catalog is still read afresh:
    a measure the credit office retires is gone from the very next check."""
    from sqlalchemy import event

    officer = bearer(make.user("officer", "czj_stmts", department=zone["other"]))
    assert _check(client, officer, zone["company"].uscc, "subsidy").status_code == 200  # the engine, warm
    selects: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    engine = platform.inline_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        body = _check(client, officer, zone["company"].uscc, "subsidy").json()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    standing = [s for s in selects if "grade_results" in s]
    assert len(standing) == 1 and all(t in standing[0] for t in ("entities", "list_entries", "measure_versions"))
    assert not [s for s in selects if s not in standing and ("list_entries" in s or "measure_versions" in s)]
    assert len(selects) <= 3, selects  # the token, the entity with its standing — and the query log's head
    codes = [m["code"] for m in body["measures"]]
    assert body["grade"] == "B" and codes
    admin = bearer(make.user("admin", "xyb_stmts"))
    r = client.post(f"/api/v1/measures/{codes[0]}/retire", json={"change_note": "停止执行"}, headers=admin)
    assert r.status_code == 200, r.text
    after = [m["code"] for m in _check(client, officer, zone["company"].uscc, "subsidy").json()["measures"]]
    assert after == codes[1:]
