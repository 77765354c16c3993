"""Named audit events for the working-day calendar."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.audit.trail import describe, record_event

describe("calendar.year_loaded", "载入法定节假日安排", subject=("calendar_year", "工作日历年度"))


def year_loaded(session: Session, actor, detail: dict) -> None:
    record_event(session, "calendar.year_loaded", subject_type="calendar_year", subject_id=detail["year"],
                 actor=actor, detail=detail)
