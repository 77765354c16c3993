"""A person's ID number travels in a body only (R-SEC-2, issue 17 defect 5): the credit check of a natural
person is POST /api/v1/entities/check; the GET of SPEC §18 answers for USCCs and refuses an ID number with
a message saying where to go — it used to accept one, and so write it into access logs and histories."""

from sqlalchemy import func, select

from tests.helpers import id_number
from xinyong.access.models import QueryLog

from .test_check import _black_company, _check, _check_person


def _log_size(uow) -> int:
    with uow(write=False) as s:
        return s.scalar(select(func.count()).select_from(QueryLog))


def test_the_get_check_refuses_an_id_number_and_names_the_post_route(client, uow, zone, bearer, make):  # R-SEC-2
    number = id_number("19790505", "415")
    _black_company(uow, zone, make, "北京亦庄白石贸易有限公司", "王五", number)
    officer = bearer(make.user("officer", "czj_url", department=zone["dept"]))
    before = _log_size(uow)
    for typed in (number, " ".join([number[:6], number[6:14], number[14:]])):  # as clerks type it too
        r = _check(client, officer, typed, "appointment")
        assert r.status_code == 400, r.text
        body = r.json()
        assert body["field"] == "code" and "POST /api/v1/entities/check" in body["message"]
        assert "公民身份号码不经网址传递" in body["message"] and number not in r.text
    assert _log_size(uow) == before  # refused before anything is read: no query-log entry either
    # the same person by the body is answered
    answer = _check_person(client, officer, number, "appointment")
    assert answer.status_code == 200, answer.text
    assert answer.json()["registered"] is False and number not in answer.text
    assert _log_size(uow) == before + 1


def test_the_post_check_answers_a_uscc_as_the_get_does(client, uow, zone, bearer, make):  # R-MEA-3, SPEC §18
    officer = bearer(make.user("officer", "czj_post", department=zone["other"]))
    by_url = _check(client, officer, zone["company"].uscc, "licensing").json()
    by_body = client.post("/api/v1/entities/check", json={"code": zone["company"].uscc, "matter": "licensing"},
                          headers=officer).json()
    drop = {"checked_at"}
    assert {k: v for k, v in by_body.items() if k not in drop} == {k: v for k, v in by_url.items() if k not in drop}
    with uow(write=False) as s:
        last = s.scalars(select(QueryLog).order_by(QueryLog.seq.desc())).first()
    assert (last.target.value, last.duty, last.path) == ("check", "licensing", "/api/v1/entities/check")


def test_the_post_check_refuses_what_the_get_refuses(client, zone, bearer, make):  # R-MEA-3
    officer = bearer(make.user("officer", "czj_post2", department=zone["other"]))
    uscc = zone["company"].uscc
    post = lambda body, headers=officer: client.post("/api/v1/entities/check", json=body, headers=headers)  # noqa: E731
    assert post({"code": uscc}).status_code == 400  # no matter
    assert post({"code": uscc, "matter": "association"}).status_code == 400  # not an 应查必查 duty
    assert post({"code": make.uscc(), "matter": "subsidy"}).status_code == 404
    assert post({"code": uscc, "matter": "subsidy", "extra": 1}).status_code in (400, 422)
    owner = bearer(make.user("entity", "qy_post", entity=zone["company"]))
    assert post({"code": uscc, "matter": "subsidy"}, owner).status_code == 403
    assert post({"code": uscc, "matter": "subsidy"}, {}).status_code == 401
