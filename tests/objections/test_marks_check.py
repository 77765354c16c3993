"""The 异议处理中 mark where departments and the credit office read a file (R-OBJ-3, §19; SPEC §18): the credit
check's ``objections`` and ``xinyong entity show``."""

from __future__ import annotations

import json

from sqlalchemy import event


def _check(client, headers, company) -> dict:
    r = client.get(f"/api/v1/entities/{company.uscc}/check", params={"matter": "subsidy"}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def _open(body) -> list[tuple[int, str]]:
    return [(o["record_id"], o["status"]) for o in body["objections"]]


def test_the_credit_check_lists_open_objections_and_appeals_with_record_and_status(
        client, world, objection_flow, bearer):  # SPEC §18; R-OBJ-3; §19 (000 §25: 异议申诉处理过程中)
    officer = bearer(world["users"]["outsider"])  # another department's system, checking for a subsidy
    target = world["records"]["scjg_public"]
    assert _check(client, officer, world["company"])["objections"] == []
    oid = objection_flow.file("entity", target)
    body = _check(client, officer, world["company"])
    assert _open(body) == [(target, "received")] and body["objections"][0]["id"] == oid
    assert body["measures"] is not None  # still used: the check answers as before (R-OBJ-3)
    objection_flow.verify("officer", oid, "correct", reason="经核查，记录无误")
    assert _open(_check(client, officer, world["company"])) == [(target, "verified")]
    objection_flow.decide("admin", oid, "not_upheld", reason="记录无误，异议不成立")
    assert _check(client, officer, world["company"])["objections"] == []
    objection_flow.appeal("entity", oid)
    [appeal] = _check(client, officer, world["company"])["objections"]
    assert (appeal["record_id"], appeal["status"], appeal["appeal"]) == (target, "appealed", True)
    assert _check(client, officer, world["other"])["objections"] == []  # another entity's check is untouched


def test_a_check_of_an_entity_without_open_objections_reads_no_objection_rows(
        client, platform, world, objection_flow, bearer):
    """Most entities have none: the check learns that within the statement that reads the standing, and asks
    for the objections themselves only when there are some."""
    officer = bearer(world["users"]["outsider"])
    oid = objection_flow.file("entity", world["records"]["scjg_public"])
    _check(client, officer, world["other"])  # the engine, warm
    selects: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    engine = platform.inline_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert _check(client, officer, world["other"])["objections"] == []
        quiet = list(selects)
        selects.clear()
        assert _check(client, officer, world["company"])["objections"][0]["id"] == oid
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    [standing] = [s for s in quiet if "grade_results" in s]
    assert "objections" in standing  # the flag rides in the one statement
    assert [s for s in quiet if "objections" in s] == [standing]
    assert len([s for s in selects if "FROM objections" in s and "grade_results" not in s]) == 1


def test_entity_show_carries_the_mark_on_the_record_and_the_open_objections(xinyong, world, objection_flow):
    target = world["records"]["scjg_public"]
    oid = objection_flow.file("entity", target)
    r = xinyong("entity", "show", world["company"].uscc, "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    marks = {x["id"]: x["under_objection"] for x in data["records"]}
    assert marks[target] is True and marks[world["records"]["sthj_public"]] is False
    [o] = data["objections"]
    assert (o["id"], o["record_id"], o["status"]) == (oid, target, "received")
    text = xinyong("entity", "show", world["company"].uscc)
    assert text.returncode == 0, text.stderr
    assert f"异议 #{oid}：信用记录 京开市监罚〔2026〕11号（已受理，待核查）" in text.stdout
    assert "其中异议处理中 1 条" in text.stdout
    objection_flow.decide("admin", oid, "not_upheld", reason="记录无误，异议不成立")
    after = json.loads(xinyong("entity", "show", world["company"].uscc, "--json").stdout)
    assert after["objections"] == [] and not any(x["under_objection"] for x in after["records"])


def test_the_check_lists_objections_on_records_only(client, world, objection_flow, bearer, xinyong):  # SPEC §18
    # an objection to the grading result (the zone is graded as its records were accepted) is on no record:
    # the check's objections each carry a record_id
    objection_flow.file("entity", target="grade", statement="请复核评价结果")
    record = world["records"]["scjg_public"]
    objection_flow.file("entity", record)
    body = _check(client, bearer(world["users"]["outsider"]), world["company"])
    assert _open(body) == [(record, "received")]
    shown = json.loads(xinyong("entity", "show", world["company"].uscc, "--json").stdout)["objections"]
    assert sorted(o["target"] for o in shown) == ["grade", "record"]  # the credit office's own view lists both
