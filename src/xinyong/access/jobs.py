"""The query log's scheduled work."""

from __future__ import annotations

import datetime as dt

from xinyong.jobs.registry import job


@job("access.seal_query_log", "封存查询日志", daily_at=dt.time(0, 5),
     description="每天把查询日志的链头（最新序号和哈希）记入审计链；随后的审计检查点即覆盖此前的全部查询日志，"
                 "任何删改都会在审计校验中被发现。")
def seal_query_log(platform, *, now: dt.datetime) -> dict:
    """Before the audit checkpoint (00:10), so that day's signed tree head covers the seal."""
    from .log import seal

    with platform.uow() as session:
        sealed = seal(session)
    if sealed is None:
        return {"message": "查询日志自上次封存以来没有新记录", "sealed": False}
    return {"message": f"已封存查询日志：前 {sealed['seq']} 条", "sealed": True, "seq": sealed["seq"]}
