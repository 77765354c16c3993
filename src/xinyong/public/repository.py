"""The records anyone may see today. ``records.visibility.public`` is the one definition of "public
on this day"; this only asks it about one entity."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from xinyong.catalog.models import InfoTypeVersion
from xinyong.records import visibility
from xinyong.records.models import Record


def public_records(session: Session, entity_id: int, day: dt.date) -> list[Record]:
    stmt = (select(Record).where(Record.entity_id == entity_id, visibility.public(day))
            .options(joinedload(Record.info_type_version).joinedload(InfoTypeVersion.info_type))
            .order_by(Record.decision_date.desc(), Record.id.desc()))
    return list(session.scalars(stmt).unique())
