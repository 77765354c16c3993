"""How long a record is public and how long it counts (R-PUB-4, R-PUB-4a, R-PUB-5, 000 §21).

Pure: a publicity regime is data (catalog.defaults.REGIMES), and this reads it. The publicity end
is set at the regime's maximum unless the file or the department gives one (SPEC §17); shortening
on application and "unfulfilled stays public" are later changes to a record, not decided here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    MINOR = "minor"  # 轻微
    GENERAL = "general"  # 一般
    SERIOUS = "serious"  # 严重


SEVERITY_LABELS = {Severity.MINOR: "轻微", Severity.GENERAL: "一般", Severity.SERIOUS: "严重"}
SEVERITY_BY_LABEL = {label: s for s, label in SEVERITY_LABELS.items()}

# 行政处罚法 §9 (2021), lightest first, and the severity each implies on import (SPEC §17)
PENALTY_CATEGORIES: dict[str, Severity] = {
    "警告": Severity.MINOR,
    "通报批评": Severity.GENERAL, "罚款": Severity.GENERAL, "没收违法所得": Severity.GENERAL,
    "没收非法财物": Severity.GENERAL, "暂扣许可证件": Severity.GENERAL,
    "降低资质等级": Severity.SERIOUS, "吊销许可证件": Severity.SERIOUS, "限制开展生产经营活动": Severity.SERIOUS,
    "责令停产停业": Severity.SERIOUS, "责令关闭": Severity.SERIOUS, "限制从业": Severity.SERIOUS,
    "行政拘留": Severity.SERIOUS,
}
_ORDER = [Severity.MINOR, Severity.GENERAL, Severity.SERIOUS]


def severity_of_penalty(categories: list[str]) -> Severity:
    """The heaviest category decides; only 警告 is minor."""
    return max((PENALTY_CATEGORIES[c] for c in categories), key=_ORDER.index)


def add_months(d: dt.date, months: int) -> dt.date:
    """Calendar months from a date; the 31st runs to the last day of a shorter month."""
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Window:
    public: bool  # published at all
    start: dt.date
    end: dt.date | None  # None: public while the record is valid (no fixed end)


def publicity_window(rules: dict[str, Any] | None, *, decision_date: dt.date, severity: Severity | None = None,
                     categories: list[str] | None = None, validity_months: int | None = None,
                     valid_to: dt.date | None = None, given_end: dt.date | None = None) -> Window:
    """The publicity of one record under its type's regime. ``rules`` None: the type has no regime
    and its record is not published (internal information)."""
    if rules is None:
        return Window(False, decision_date, None)
    start = decision_date  # every regime here runs from the decision date (R-PUB-4a)
    if "severity" in rules:
        tier = rules["severity"].get((severity or Severity.GENERAL).value)
        if tier is None or tier.get("public") is False:
            return Window(False, start, None)
        end = given_end or add_months(start, tier["max_months"])
        return Window(True, start, end)
    if "by_penalty" in rules:
        cats = set(categories or [])
        if cats and cats <= {"警告"}:
            return Window(False, start, None)
        months = 3 if cats and cats <= {"通报批评", "罚款"} and severity is not Severity.SERIOUS else 36
        return Window(True, start, given_end or add_months(start, months))
    if rules.get("end") == "valid_to":
        return Window(True, start, given_end or valid_to)
    if rules.get("end") == "validity":
        return Window(True, start, given_end or (add_months(start, validity_months) if validity_months else valid_to))
    return Window(True, start, given_end)


def validity_end(window: Window, *, category: str, validity_months: int | None, decision_date: dt.date,
                 valid_to: dt.date | None) -> dt.date | None:
    """Until when a record counts (000 §21). A bad record's validity ends with its publicity; a
    record never published counts for the type's validity period."""
    if category == "bad" and window.public and window.end is not None:
        return window.end
    if validity_months:
        return add_months(decision_date, validity_months)
    return valid_to


# --- the yearly cycle (R-COL-6; 003 §7(四)) -------------------------------------------------------------
# 信息记录周期为每年1月1日至12月31日，期限届满后，自动转入历史记录. A record belongs to the year it was
# recorded on the platform (China time); when that year closes it is history, with nobody acting:
# "history" is a question asked as of today, not a flag a job sets. History is still queryable, and a
# history record still counts while it is valid.
CYCLES = {"current": "本年度", "history": "历史记录"}


def record_year(recorded_at: dt.datetime) -> int:
    from xinyong.kit.clock import local

    return local(recorded_at).year


def in_history(recorded_at: dt.datetime, today: dt.date) -> bool:
    return record_year(recorded_at) < today.year
