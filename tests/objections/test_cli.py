"""`xinyong objections list|late|tallies|notice`: the credit office's queue, the objections not handled in
time and the per-department figures (000 §29), and the written notice (R-OBJ-2), from the command line."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pypdf import PdfReader

from xinyong.objections import service
from xinyong.objections.models import Finding, Outcome
from xinyong.objections.schemas import ObjectionCreate

D = dt.date


@pytest.fixture
def two(world, uow):
    """One the market regulator never verified (past its 10 working days, so suspended: R-OBJ-4); one the
    environment bureau verified on time and the credit office upheld (not corrected since: R-OBJ-5)."""
    a = world["actors"]
    with uow(actor=a["entity"]) as s:
        late = service.file(s, actor=a["entity"], day=D(2026, 11, 9), objection_in=ObjectionCreate(
            record_id=world["records"]["scjg_public"], ground="inaccurate", statement="处罚对象有误")).id
        upheld = service.file(s, actor=a["entity"], day=D(2026, 11, 16), objection_in=ObjectionCreate(
            record_id=world["records"]["sthj_public"], ground="inaccurate", statement="金额有误")).id
    with uow(actor=a["outsider"]) as s:
        service.verify(s, actor=a["outsider"], objection_id=upheld, finding=Finding.WRONG, reason="录入有误",
                       day=D(2026, 11, 20))
    with uow(actor=a["admin"]) as s:
        service.decide(s, actor=a["admin"], objection_id=upheld, outcome=Outcome.UPHELD, reason="异议成立",
                       day=D(2026, 11, 23))
    return {"late": late, "upheld": upheld}


def run_json(xinyong, *args):
    r = xinyong(*args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_list_is_the_queue_open_and_overdue_first(xinyong, two):  # R-OBJ-2, R-OBJ-4
    page = run_json(xinyong, "objections", "list")
    assert page["total"] == 2 and [o["id"] for o in page["items"]] == [two["late"], two["upheld"]]
    first = page["items"][0]
    assert first["open"] and first["suspended"] and first["verify_by"] == "2026-11-23"
    assert first["verification_deadline"]["overdue"] is True
    assert [o["id"] for o in run_json(xinyong, "objections", "list", "--open")["items"]] == [two["late"]]
    assert [o["id"] for o in run_json(xinyong, "objections", "list", "--overdue")["items"]] == [two["late"]]
    text = xinyong("objections", "list")
    assert text.returncode == 0 and f"#{two['late']}" in text.stdout and "已暂停公开查询" in text.stdout
    assert "已逾期" in text.stdout and "京开环罚〔2026〕21号" in text.stdout


def test_late_lists_what_was_not_handled_in_time(xinyong, two):  # 000 §29; R-OBJ-5: corrected within 5 days
    rows = run_json(xinyong, "objections", "late")
    by_id = {o["id"]: o for o in rows}
    assert set(by_id) == {two["late"], two["upheld"]}
    assert by_id[two["upheld"]]["correct_by"] == "2026-11-30" and by_id[two["upheld"]]["corrected"] is False


def test_tallies_count_per_department(xinyong, two, world):  # 000 §29, 001 管理办法 §33
    rows = {t["department"]: t for t in run_json(xinyong, "objections", "tallies")}
    scjg, sthj = rows[world["scjg"].name], rows[world["sthj"].name]
    assert (scjg["received"], scjg["verified_on_time"], scjg["verified_late"], scjg["overdue_open"], scjg["upheld"]) \
        == (1, 0, 0, 1, 0)
    assert (sthj["received"], sthj["verified_on_time"], sthj["verified_late"], sthj["overdue_open"], sthj["upheld"]) \
        == (1, 1, 0, 0, 1)
    text = xinyong("objections", "tallies").stdout
    assert f"{world['scjg'].name}  收到 1  按期核查 0  逾期核查 0  逾期未核查 1  异议成立 0" in text


def test_notice_writes_the_pdf_and_refuses_with_one_line(xinyong, two, tmp_path, world):  # R-OBJ-2
    out = tmp_path / "notice.pdf"
    data = run_json(xinyong, "objections", "notice", str(two["upheld"]), str(out))
    assert data["number"] == "信异告〔2026〕1号" and data["bytes"] == out.stat().st_size
    text = "".join("".join(p.extract_text() for p in PdfReader(out).pages).split())
    assert "信异告〔2026〕1号" in text and world["company"].name in text and "异议成立，予以更正" in text

    r = xinyong("objections", "notice", str(two["late"]), str(tmp_path / "x.pdf"))
    assert r.returncode == 1 and r.stdout == "" and not (tmp_path / "x.pdf").exists()
    assert r.stderr.strip().count("\n") == 0 and "尚未作出处理决定" in r.stderr
    r = xinyong("objections", "notice", "999999", str(tmp_path / "y.pdf"))
    assert r.returncode == 1 and r.stderr.strip() == "错误：未找到该异议申请"
    r = xinyong("objections", "notice", "0", str(tmp_path / "z.pdf"))
    assert r.returncode == 2  # not an objection number at all: click's usage error


def test_empty_answers(xinyong):
    assert run_json(xinyong, "objections", "list") == {"items": [], "total": 0, "offset": 0, "limit": 1000}
    assert run_json(xinyong, "objections", "late") == [] and run_json(xinyong, "objections", "tallies") == []
    assert xinyong("objections", "late").stdout.strip() == "没有逾期未处理的异议"
