"""Is a record public today, and does it still count? Asked as of a date, every time (R-PUB-4…6).

Nothing here is a flag a job sets: a record leaves the public view the day after its publicity ends,
and stops counting the day after its validity ends, with nobody acting and no stale window between
job runs. The same rules twice, once as SQL (for listings over many records) and once in Python (for
one record in hand); the tests hold the two to agreement on every boundary.

- Only a current, accepted version is ever public or counted; a revoked one leaves both at once
  (R-PUB-4a: within 3 working days; here the same moment).
- A record is public only where its regime and its type publish it (``public``, set from the
  regime when the record was made), and never when its severity is minor (R-PUB-4a, R-PUB-5).
- Public from ``publicity_start`` to ``publicity_end`` inclusive, and never past the end of its
  validity (R-PUB-6: "no longer published" when validity ends — a file's 公示截止期 or a department's
  end can lie beyond it); with no fixed end, for as long as it is valid.
- A penalty its department marks unfulfilled stays public, and counts, past its end (优化营商环境条例
  §63: 公示期届满的行政处罚信息不再公示，未履行行政处罚决定的除外).
- A record counts (for grading and punishment) to the end of its validity day (000 §21; R-PUB-6).
- A record under objection whose department let its verification deadline pass is not public until
  the department answers (R-OBJ-4; ``objections.service.suspended_on``); under objection otherwise it
  stays public, marked (R-OBJ-3).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, or_

from .models import Fulfilment, Record, Status
from .periods import Severity


def _live() -> ColumnElement[bool]:
    return and_(Record.status == Status.ACCEPTED, Record.is_current.is_(True))


def counting(day: dt.date) -> ColumnElement[bool]:
    """SQL: the record counts on ``day``."""
    return and_(_live(), or_(Record.validity_end.is_(None), Record.validity_end >= day,
                             Record.fulfilment == Fulfilment.UNFULFILLED))


def public(day: dt.date) -> ColumnElement[bool]:
    """SQL: anyone may see the record on ``day``."""
    from xinyong.objections.marks import suspended_on  # objections build on records: imported when asked

    return and_(
        _live(), Record.public.is_(True), or_(Record.severity.is_(None), Record.severity != Severity.MINOR),
        Record.publicity_start <= day,
        or_(and_(or_(Record.publicity_end.is_(None), Record.publicity_end >= day),
                 or_(Record.validity_end.is_(None), Record.validity_end >= day)),
            Record.fulfilment == Fulfilment.UNFULFILLED),
        ~suspended_on(Record.lineage, day))


def is_counting(record: Record, day: dt.date) -> bool:
    return (record.status is Status.ACCEPTED and record.is_current
            and (record.validity_end is None or record.validity_end >= day or record.fulfilment is Fulfilment.UNFULFILLED))


def is_public(record: Record, day: dt.date, *, suspended: bool = False) -> bool:
    """``suspended``: an objection about it stops its public query today (R-OBJ-4; the caller knows)."""
    if suspended or not (record.status is Status.ACCEPTED and record.is_current and record.public):
        return False
    if record.severity is Severity.MINOR or record.publicity_start > day:
        return False
    if record.fulfilment is Fulfilment.UNFULFILLED:
        return True
    return ((record.publicity_end is None or record.publicity_end >= day)
            and (record.validity_end is None or record.validity_end >= day))
