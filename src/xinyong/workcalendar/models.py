from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.audit.trail import Audited
from xinyong.kit.clock import now
from xinyong.kit.db import Base, UTCDateTime


class CalendarYear(Audited, Base):
    """One year's 放假调休 arrangement as loaded; a year without a row is unknown (SPEC §16)."""

    __tablename__ = "calendar_years"
    __table_args__ = {"comment": "工作日历：各年度法定节假日放假和调休安排"}

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, comment="年度")
    source: Mapped[str] = mapped_column(Text, comment="依据（国务院办公厅通知及文号）")
    arrangement: Mapped[Any] = mapped_column(JSON, comment="放假日期与调休上班日（载入文件的格式）")
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="载入时间")
