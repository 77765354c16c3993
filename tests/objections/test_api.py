"""Objections over the REST API, exactly as SPEC §18 "Entry points added for the second group" fixes them
(R-OBJ-1, R-OBJ-2): filing, reading, the bad input the issue names, evidence files and who may do what."""

import re

from .conftest import PDF, PNG

URL = "/api/v1/objections"
KEYS = {"id", "status", "received_on", "decide_by", "verify_by"}
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _body(record_id, **extra):
    return {"record_id": record_id, "ground": "inaccurate", "statement": "处罚决定书记载的违法事实与实际不符"} | extra


def test_file_then_read_with_deadlines_and_once_decided_the_outcome(client, bearer, world, objection_today):  # R-OBJ-1, R-OBJ-2
    users, rec = world["users"], world["records"]
    entity = bearer(users["entity"])
    r = client.post(URL, headers=entity, json=_body(rec["scjg_public"]))
    assert r.status_code == 201, r.text
    o = r.json()
    assert KEYS <= o.keys()
    assert all(ISO.match(o[k]) for k in ("received_on", "decide_by", "verify_by"))
    # received Monday 7 Dec 2026 (not counted): 7 and 10 working days on
    assert (o["status"], o["received_on"], o["decide_by"], o["verify_by"]) == (
        "received", "2026-12-07", "2026-12-16", "2026-12-21")
    got = client.get(f"{URL}/{o['id']}", headers=entity)
    assert got.status_code == 200
    g = got.json()
    assert {k: g[k] for k in KEYS} == {k: o[k] for k in KEYS} and g["outcome"] is None
    # the recording department verifies, the credit office decides; the applicant reads the outcome
    v = client.post(f"{URL}/{o['id']}/verification", headers=bearer(users["officer"]),
                    json={"finding": "wrong", "reason": "经核查，违法事实记载有误"})
    assert v.status_code == 200 and v.json()["status"] == "verified"
    d = client.post(f"{URL}/{o['id']}/decision", headers=bearer(users["admin"]),
                    json={"outcome": "upheld", "reason": "异议成立，予以更正"})
    assert d.status_code == 200, d.text
    g = client.get(f"{URL}/{o['id']}", headers=entity).json()
    assert (g["status"], g["outcome"], g["correct_by"]) == ("decided", "upheld", "2026-12-14")
    assert KEYS <= g.keys() and g["notice_number"] == "信异告〔2026〕1号"


def test_outside_the_callers_file_answers_like_nothing_there(client, bearer, world, objection_today):  # R-OBJ-1
    users, rec = world["users"], world["records"]
    entity = bearer(users["entity"])
    other = client.post(URL, headers=entity, json=_body(rec["other_public"]))
    missing = client.post(URL, headers=entity, json=_body(999999))
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    oid = client.post(URL, headers=entity, json=_body(rec["scjg_internal"])).json()["id"]
    # and an objection of another entity's reads like one that does not exist
    mine, absent = (client.get(f"{URL}/{i}", headers=bearer(users["other_entity"])) for i in (oid, oid + 100))
    assert mine.status_code == absent.status_code == 404 and mine.json() == absent.json()


def test_a_second_open_objection_is_409_naming_the_first(client, bearer, world, objection_today):  # R-OBJ-3
    entity, rid = bearer(world["users"]["entity"]), world["records"]["scjg_public"]
    first = client.post(URL, headers=entity, json=_body(rid)).json()["id"]
    r = client.post(URL, headers=entity, json=_body(rid, ground="privacy", statement="另一理由"))
    assert r.status_code == 409 and f"#{first}" in r.json()["message"]
    assert client.post(f"{URL}/{first}/withdraw", headers=entity).json()["status"] == "withdrawn"
    assert client.post(URL, headers=entity, json=_body(rid)).status_code == 201  # once it ended, again


def test_bad_input_is_400_with_the_reason(client, bearer, world, objection_today):  # R-OBJ-1
    entity, rid = bearer(world["users"]["entity"]), world["records"]["scjg_public"]
    for body, field in ((_body(rid, statement=""), "statement"), (_body(rid, statement="  \n "), "statement"),
                        (_body(rid, ground="unhappy"), "ground"), (_body(rid, urgent=True), "urgent"),
                        ({"record_id": rid, "statement": "缺少理由"}, "ground")):
        r = client.post(URL, headers=entity, json=body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["field"] == field and r.json()["message"]
    assert client.get(URL, headers=entity).json()["total"] == 0  # nothing was filed


def test_evidence_files_pdf_or_image_up_to_10_mb(client, bearer, world, objection_today):  # R-OBJ-1
    entity = bearer(world["users"]["entity"])
    oid = client.post(URL, headers=entity, json=_body(world["records"]["scjg_public"])).json()["id"]
    url = f"{URL}/{oid}/evidence"
    r = client.post(url, headers=entity, files={"file": ("复议决定书.pdf", PDF, "application/pdf")})
    assert r.status_code == 201, r.text
    assert (r.json()["media_type"], r.json()["stage"], r.json()["size"]) == ("application/pdf", "filing", len(PDF))
    assert client.post(url, headers=entity, files={"file": ("照片.png", PNG, "image/png")}).status_code == 201
    big = PDF + b"\x00" * (10 * 1024 * 1024 + 1 - len(PDF))  # one byte over the default 10 MB
    r = client.post(url, headers=entity, files={"file": ("扫描件.pdf", big, "application/pdf")})
    assert r.status_code == 400 and "10 MB" in r.json()["message"] and r.json()["field"] == "file"
    r = client.post(url, headers=entity, files={"file": ("合同.pdf", b"PK\x03\x04word/document.xml", "application/pdf")})
    assert r.status_code == 400 and "PDF 或图片" in r.json()["message"]
    r = client.post(url, headers=entity, files={"file": ("说明.txt", "纯文本说明".encode(), "text/plain")})
    assert r.status_code == 400
    files = client.get(f"{URL}/{oid}", headers=entity).json()["evidence"]
    assert [e["filename"] for e in files] == ["复议决定书.pdf", "照片.png"]
    got = client.get(f"{url}/{files[0]['id']}", headers=entity)
    assert got.status_code == 200 and got.content == PDF and got.headers["X-Content-SHA256"] == files[0]["sha256"]


def test_an_officer_objects_to_another_departments_public_record(client, bearer, world, objection_today):  # R-OBJ-1, 003 §18
    rec = world["records"]
    outsider = bearer(world["users"]["outsider"])  # 生态环境局
    r = client.post(URL, headers=outsider, json=_body(rec["scjg_public"]))
    assert r.status_code == 201, r.text
    assert (r.json()["department_id"], r.json()["applicant_department_id"]) == (world["scjg"].id, world["sthj"].id)
    assert r.json()["verify_by"] == "2026-12-21"
    own = client.post(URL, headers=outsider, json=_body(rec["sthj_public"]))
    assert own.status_code == 400 and own.json()["field"] == "record_id"
    # another department's internal record is outside what it sees: as if there were none
    hidden, absent = (client.post(URL, headers=outsider, json=_body(i)) for i in (rec["scjg_internal"], 999999))
    assert hidden.status_code == absent.status_code == 404 and hidden.json() == absent.json()


def test_roles(client, bearer, world, objection_today):  # R-OBJ-1, R-OBJ-2
    users, rid = world["users"], world["records"]["scjg_public"]
    assert client.post(URL, headers=bearer(users["auditor"]), json=_body(rid)).status_code == 403
    assert client.post(URL, headers=bearer(users["admin"]), json=_body(rid)).status_code == 403
    assert client.post(URL, json=_body(rid)).status_code == 401
    entity = bearer(users["entity"])
    oid = client.post(URL, headers=entity, json=_body(rid)).json()["id"]
    decision = {"outcome": "upheld", "reason": "异议成立"}
    assert client.post(f"{URL}/{oid}/decision", headers=entity, json=decision).status_code == 403
    assert client.post(f"{URL}/{oid}/decision", headers=bearer(users["officer"]), json=decision).status_code == 403
    assert client.post(f"{URL}/{oid}/verification", headers=entity,
                       json={"finding": "wrong", "reason": "自己核查"}).status_code == 403
    auditor = bearer(users["auditor"])  # the auditor reads every objection and the accountability figures
    assert client.get(f"{URL}/{oid}", headers=auditor).status_code == 200
    assert client.get(f"{URL}/late", headers=auditor).status_code == 200
    assert client.get(f"{URL}/tallies", headers=entity).status_code == 403
    assert client.get(f"{URL}/{oid}", headers=entity).json()["status"] == "received"  # nothing changed
