"""Grading's scheduled work: the six-monthly cycle (R-GRD-4: 1 January and 1 July) and expiries, which
no one writes and so no transaction notices."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from xinyong.jobs.registry import job
from xinyong.kit.clock import CHINA


def cycle_start(day: dt.date) -> dt.date:
    """The start of the six-month cycle ``day`` falls in."""
    return dt.date(day.year, 1 if day.month < 7 else 7, 1)


@job("grading.cycle", "半年度全量信用评价", daily_at=dt.time(1, 0),
     description="每年1月1日和7月1日对全部主体进行全量评价；若当期尚未评价（例如当天平台停机），次日补做。"
                 "新结果全部写入后才生效，失败时上一次结果继续有效。")
def cycle(platform, *, now: dt.datetime) -> dict:
    from .models import GradingRun, RunKind, RunStatus
    from .service import run

    day = now.astimezone(CHINA).date()
    start = cycle_start(day)
    with platform.uow(write=False) as session:
        done = session.scalar(select(func.count()).select_from(GradingRun).where(
            GradingRun.kind == RunKind.FULL, GradingRun.status == RunStatus.SUCCEEDED, GradingRun.as_of >= start))
    if done:
        return {"message": f"本期（自 {start} 起）已完成全量评价，无需运行", "ran": False}
    r = run(platform, as_of=day, trigger=f"{start} 半年度评价")
    return {"message": f"已完成本期全量评价：评价运行 #{r.id}，{r.entities} 个主体", "ran": True, "run_id": r.id}


@job("grading.expiries", "记录到期后重评", daily_at=dt.time(0, 20),
     description="有效期届满的记录当天起不再计分：重评近 30 天内有记录到期、且评价结果早于到期的主体。")
def expiries(platform, *, now: dt.datetime) -> dict:
    from xinyong.records.models import Fulfilment, Record, Status

    from .models import GradingRun
    from .service import regrade, standing_results

    day = now.astimezone(CHINA).date()
    since = day - dt.timedelta(days=30)
    with platform.uow() as session:
        standing = standing_results()
        # a record that stopped counting after the entity's standing result was worked out
        stale = (select(Record.entity_id).distinct()
                 .join(standing, standing.c.entity_id == Record.entity_id)
                 .join(GradingRun, GradingRun.id == standing.c.run_id)
                 .where(Record.status == Status.ACCEPTED, Record.is_current.is_(True), Record.validity_end >= since,
                        Record.validity_end < day, Record.fulfilment != Fulfilment.UNFULFILLED,
                        GradingRun.as_of <= Record.validity_end))
        ids = list(session.scalars(stale))
        r = regrade(session, ids, trigger="记录有效期届满", on=day) if ids else None
    changed = r.entities if r else 0
    return {"message": f"检查了 {len(ids)} 个有记录到期的主体，{changed} 个的评价结果随之变化", "entities": len(ids),
            "changed": changed}
