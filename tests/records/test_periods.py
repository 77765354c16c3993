"""Publicity and validity from the regimes as data (R-PUB-4, R-PUB-4a, R-PUB-5, 000 §21)."""

import datetime as dt

import pytest

from xinyong.catalog.defaults import REGIMES
from xinyong.records.periods import Severity, add_months, publicity_window, severity_of_penalty, validity_end

RULES = {r["code"]: r["rules"] for r in REGIMES}
D = dt.date(2026, 3, 31)


@pytest.mark.parametrize("categories, severity", [
    (["警告"], Severity.MINOR),
    (["警告", "罚款"], Severity.GENERAL),
    (["通报批评"], Severity.GENERAL),
    (["罚款", "没收违法所得", "责令停产停业"], Severity.SERIOUS),
    (["行政拘留"], Severity.SERIOUS),
])
def test_penalty_severity_follows_the_heaviest_category(categories, severity):  # SPEC §17
    assert severity_of_penalty(categories) is severity


def test_months_run_from_the_decision_date_and_clip_at_month_end():
    assert add_months(D, 3) == dt.date(2026, 6, 30)
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(D, 36) == dt.date(2029, 3, 31)


@pytest.mark.parametrize("severity, public, end", [
    (Severity.MINOR, False, None),  # normally not published
    (Severity.GENERAL, True, dt.date(2027, 3, 31)),  # 3 months to 1 year: the maximum unless shortened
    (Severity.SERIOUS, True, dt.date(2029, 3, 31)),  # 1 to 3 years
])
def test_national_regime(severity, public, end):  # R-PUB-4a
    w = publicity_window(RULES["national_repair_2026"], decision_date=D, severity=severity)
    assert (w.public, w.start, w.end) == (public, D, end)


def test_a_publicity_end_given_in_the_file_wins():  # SPEC §17 公示截止期
    w = publicity_window(RULES["national_repair_2026"], decision_date=D, severity=Severity.GENERAL,
                         given_end=dt.date(2026, 9, 30))
    assert w.end == dt.date(2026, 9, 30)


@pytest.mark.parametrize("categories, public, months", [
    (["警告"], False, None), (["通报批评"], True, 3), (["罚款"], True, 3), (["罚款", "吊销许可证件"], True, 36),
])
def test_samr_order_45(categories, public, months):  # R-PUB-4a market regulation
    w = publicity_window(RULES["samr_order_45"], decision_date=D, categories=categories,
                         severity=severity_of_penalty(categories))
    assert w.public is public
    assert w.end == (add_months(D, months) if months else None)


@pytest.mark.parametrize("severity, public, end", [
    (Severity.MINOR, False, None), (Severity.GENERAL, True, dt.date(2026, 9, 30)),
    (Severity.SERIOUS, True, dt.date(2027, 3, 31)),
])
def test_commitment_breaches(severity, public, end):  # R-PUB-5: general 1–6 months, serious 6–12
    w = publicity_window(RULES["wenlv_commitment_breach"], decision_date=D, severity=severity)
    assert (w.public, w.end) == (public, end)


def test_licences_are_public_until_they_expire_and_long_term_has_no_end():
    assert publicity_window(RULES["licence_validity"], decision_date=D, valid_to=dt.date(2031, 3, 30)).end == \
        dt.date(2031, 3, 30)
    assert publicity_window(RULES["licence_validity"], decision_date=D, valid_to=None).end is None


def test_a_bad_records_validity_ends_with_its_publicity():  # 000 §21
    w = publicity_window(RULES["national_repair_2026"], decision_date=D, severity=Severity.GENERAL)
    assert validity_end(w, category="bad", validity_months=None, decision_date=D, valid_to=None) == w.end
    good = publicity_window(RULES["validity_period"], decision_date=D, validity_months=36)
    assert validity_end(good, category="good", validity_months=36, decision_date=D, valid_to=None) == \
        dt.date(2029, 3, 31)


def test_no_regime_means_not_published():
    assert publicity_window(None, decision_date=D).public is False
