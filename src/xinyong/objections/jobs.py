"""Objections' scheduled work: deadlines that could not be computed when an objection was filed or
decided, because a year's holiday arrangement was not loaded yet (SPEC §16), are computed once it is."""

from __future__ import annotations

import datetime as dt

from xinyong.jobs.registry import job


@job("objections.deadlines", "补算异议处理期限", every=dt.timedelta(hours=1),
     description="异议的核查、决定、申诉和更正期限按工作日计算；所需年度的放假安排尚未载入时期限显示为“无法计算”。"
                 "载入该年度安排后，本任务每小时补算这些期限，并记入审计日志。")
def settle_deadlines(platform, *, now: dt.datetime) -> dict:
    from xinyong.accounts.permissions import SYSTEM

    from . import repository, service

    with platform.uow(actor=SYSTEM) as session:
        filled = service.settle_deadlines(session)
        waiting = len(repository.unsettled(session))
    if not filled and not waiting:
        message = "没有待补算期限的异议"
    else:
        message = f"补算了 {filled} 件异议的期限" + (f"；{waiting} 件所需年度的放假安排仍未载入，暂无法计算" if waiting else "")
    return {"message": message, "filled": filled, "waiting": waiting}
