"""An entity asks for a review of its grading result; the credit office answers; the entity sees the
answer (R-GRD-6; 000 §19(二))."""

import pytest
from sqlalchemy import select

from tests.access.conftest import world  # noqa: F401  two companies, their records, a user of every role
from tests.web.test_auth import csrf_of, login
from xinyong.audit.models import AuditEvent
from xinyong.audit.verify import verify
from xinyong.grading import reviews, service
from xinyong.grading.models import GradeReview, ReviewStatus
from xinyong.kit.errors import Conflict, Forbidden, NotFound
from xinyong.records import service as records

REASON = "处罚已履行完毕，涉事广告已全部下架，请复核扣分。"


@pytest.fixture
def h(world, bearer):  # noqa: F811
    return {name: bearer(user) for name, user in world["users"].items()}


def as_user(client, username):
    client.cookies.clear()
    login(client, username)


def test_review_round_trip_on_the_pages(client, world, uow, platform):  # noqa: F811  R-GRD-6
    company = world["company"]
    as_user(client, "xinghe")
    page = client.get(f"/entities/{company.id}")
    sent = client.post("/grading/reviews", data={"reason": REASON},
                       headers={"HX-Request": "true", "X-CSRF-Token": csrf_of(page.text)})
    assert sent.status_code == 200 and "<html" not in sent.text and 'id="grade-reviews"' in sent.text
    assert "复核申请已提交" in sent.text and REASON in sent.text and "待处理" in sent.text
    assert 'name="reason"' not in sent.text  # one open request at a time

    as_user(client, "xyb")
    home = client.get("/")
    assert '<span class="badge">1</span>' in home.text  # waiting on the credit office's navigation
    listing = client.get("/grading/reviews")
    assert company.name in listing.text and REASON in listing.text and "申请时 620 分、C 级" in listing.text
    [review_id] = [r.id for r in _reviews(uow)]
    answered = client.post(f"/grading/reviews/{review_id}/answer",
                           data={"csrf_token": csrf_of(listing.text), "answer": "经复核，两项处罚仍在公示期内，扣分无误。",
                                 "regrade": "1"}, follow_redirects=False)
    assert answered.status_code == 303 and answered.headers["location"] == f"/grading/reviews?answered={review_id}"
    assert "没有待处理的复核申请" in client.get("/grading/reviews").text

    as_user(client, "xinghe")
    card = client.get(f"/entities/{company.id}").text
    assert "经复核，两项处罚仍在公示期内，扣分无误。" in card and "已答复" in card
    assert 'name="reason"' in card  # answered: it may ask again
    with uow(write=False) as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("grading.review%"))
                                 .order_by(AuditEvent.seq)))
        assert actions == ["grading.review_requested", "grading.review_answered"]
        assert verify(s, platform.keyring).ok


def _reviews(uow):
    with uow(write=False) as s:
        return list(s.scalars(select(GradeReview).order_by(GradeReview.id)))


def test_a_review_request_without_htmx_goes_back_to_the_page(client, world):  # noqa: F811
    as_user(client, "xinghe")
    token = csrf_of(client.get(f"/entities/{world['company'].id}").text)
    r = client.post("/grading/reviews", data={"reason": REASON, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/entities/{world['company'].id}#grade-reviews"
    again = client.post("/grading/reviews", data={"reason": REASON, "csrf_token": token}, headers={"HX-Request": "true"})
    assert again.status_code == 200 and "正在处理中" in again.text  # a fragment htmx swaps in, with the reason


def test_an_empty_reason_is_refused_and_shown_again(client, world):  # noqa: F811
    as_user(client, "xinghe")
    token = csrf_of(client.get(f"/entities/{world['company'].id}").text)
    r = client.post("/grading/reviews", data={"reason": " "}, headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert r.status_code == 200 and 'role="alert">申请理由不能为空' in r.text and 'name="reason"' in r.text
    plain = client.post("/grading/reviews", data={"reason": " ", "csrf_token": token})
    assert plain.status_code == 400 and "申请理由不能为空" in plain.text


def test_review_round_trip_over_the_api(client, world, h):  # noqa: F811  R-GRD-6
    r = client.post("/api/v1/grading/reviews", json={"reason": REASON}, headers=h["entity"])
    assert r.status_code == 201
    review = r.json()
    assert (review["entity_code"], review["score"], review["grade"], review["status"]) == (
        world["company"].uscc, 620, "C", "open")
    again = client.post("/api/v1/grading/reviews", json={"reason": REASON}, headers=h["entity"])
    assert again.status_code == 409
    assert client.get("/api/v1/grading/reviews", headers=h["other_entity"]).json()["total"] == 0
    assert client.get(f"/api/v1/grading/reviews/{review['id']}", headers=h["other_entity"]).status_code == 404
    waiting = client.get("/api/v1/grading/reviews", params={"status": "open"}, headers=h["admin"]).json()
    assert [x["id"] for x in waiting["items"]] == [review["id"]]
    assert client.post(f"/api/v1/grading/reviews/{review['id']}/answer", json={"answer": "维持"},
                       headers=h["entity"]).status_code == 403
    done = client.post(f"/api/v1/grading/reviews/{review['id']}/answer", json={"answer": "经复核，维持原评价结果。"},
                       headers=h["admin"])
    assert done.status_code == 200 and done.json()["status"] == "answered" and done.json()["answered_at"]
    twice = client.post(f"/api/v1/grading/reviews/{review['id']}/answer", json={"answer": "再答"}, headers=h["admin"])
    assert twice.status_code == 409
    mine = client.get(f"/api/v1/grading/reviews/{review['id']}", headers=h["entity"]).json()
    assert mine["answer"] == "经复核，维持原评价结果。"


def test_only_the_entity_itself_asks_for_its_own_review(client, world, h):  # noqa: F811  R-GRD-6
    for who in ("admin", "officer", "auditor"):
        assert client.post("/api/v1/grading/reviews", json={"reason": REASON}, headers=h[who]).status_code == 403, who
    assert client.post("/api/v1/grading/reviews", json={"reason": REASON}).status_code == 401
    other = client.post("/api/v1/grading/reviews", json={"reason": REASON, "entity_code": world["other"].uscc},
                        headers=h["entity"])
    assert other.status_code == 404 and other.json()["message"] == "未找到该信用主体"
    own = client.post("/api/v1/grading/reviews", json={"reason": REASON, "entity_code": world["company"].uscc},
                      headers=h["entity"])
    assert own.status_code == 201


def test_answering_after_a_regrade_uses_the_records_as_they_are_now(uow, world):  # noqa: F811  R-GRD-4, R-GRD-6
    actors = world["actors"]
    with uow(actor=actors["entity"]) as s:
        review_id = reviews.request_review(s, actor=actors["entity"], reason=REASON).id
    with uow(actor=actors["officer"]) as s:  # the department revokes its penalty meanwhile: regraded at once
        record = records.get(s, actor=actors["officer"], record_id=world["records"]["scjg_public"])
        records.revoke(s, actor=actors["officer"], record=record, reason="行政复议决定撤销原处罚决定")
    with uow(actor=actors["admin"]) as s:
        reviews.answer(s, actor=actors["admin"], review_id=review_id, text="处罚已撤销，评价已更新为 660 分。", regrade=True)
        with pytest.raises(Conflict):
            reviews.answer(s, actor=actors["admin"], review_id=review_id, text="再答")
    with uow(write=False) as s:
        review = s.get(GradeReview, review_id)
        assert review.status is ReviewStatus.ANSWERED and review.score == 620
        assert service.standing(s, world["company"].id).score == 660
        with pytest.raises(NotFound):
            reviews.get(s, actor=actors["other_entity"], review_id=review_id)
        with pytest.raises(Forbidden):
            reviews.listing(s, actor=actors["officer"])
