"""How many SQL statements reading joint actions costs: a fixed number, however many actions are shown."""

import datetime as dt
from contextlib import contextmanager

from sqlalchemy import event

from xinyong.actions import service

from .test_service import _answer, _initiate, _read, _task
from .test_urge_and_correct import _correct, _urge

START = dt.date(2026, 9, 28)  # as in test_service: a 2026 day, with the year's calendar loaded


@contextmanager
def _counted(platform):
    """The statements run on the platform's engine while the block runs."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(platform.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(platform.engine, "before_cursor_execute", count)


def _actions(uow, z, n: int) -> dt.date:
    """``n`` actions, each with one answer corrected and one late department urged; the day they are read on."""
    late = None
    for _ in range(n):
        aid = _initiate(uow, z, day=START)
        r = _read(uow, z, aid, day=START)
        fgw, czj = _task(r, z["fgw"]).id, _task(r, z["czj"]).id
        late = r.due_by + dt.timedelta(days=1)
        _answer(uow, z, "fgw_officer", aid, fgw, "executed", "已设置限制", day=START)
        _correct(uow, z, "fgw_officer", aid, fgw, "not_applicable", "该主体无在办项目", day=START + dt.timedelta(days=1))
        _urge(uow, z, "initiator", aid, czj, note="请尽快反馈", day=late)
    return late


def _overview_statements(platform, uow, z, actor: str, day: dt.date) -> tuple[int, int]:
    with uow(write=False) as s:
        with _counted(platform) as seen:
            ov = service.overview(s, actor=z[actor], day=day)
        listed = len(ov.actions) + len(ov.to_answer)
    return len(seen), listed


def _list_statements(platform, uow, z, day: dt.date) -> tuple[int, int]:
    with uow(write=False) as s:
        with _counted(platform) as seen:
            items, _ = service.list_actions(s, actor=z["admin"], day=day)
    return len(seen), len(items)


def test_reading_the_overview_costs_the_same_statements_for_2_or_6_actions(platform, uow, joint):
    """R-MEA-4: the joint-actions overview and the actions list load tasks, urges, answer history and user
    names for all the actions shown at once, so their statement count does not grow with the actions."""
    z = joint
    day = _actions(uow, z, 2)
    few = {who: _overview_statements(platform, uow, z, who, day) for who in ("admin", "initiator", "czj_officer")}
    few_list = _list_statements(platform, uow, z, day)
    _actions(uow, z, 4)
    many = {who: _overview_statements(platform, uow, z, who, day) for who in ("admin", "initiator", "czj_officer")}
    many_list = _list_statements(platform, uow, z, day)

    assert [few[w][1] for w in few] == [2, 2, 2] and [many[w][1] for w in many] == [6, 6, 6]  # really shown
    assert (few_list[1], many_list[1]) == (2, 6)
    assert {w: many[w][0] for w in many} == {w: few[w][0] for w in few}
    assert many_list[0] == few_list[0]


def test_actions_read_together_read_as_each_alone(uow, joint):
    """R-MEA-4: loading the overview's actions together gives each its own tasks, urges and corrected answers."""
    z = joint
    day = _actions(uow, z, 3)
    with uow(write=False) as s:
        together = service.overview(s, actor=z["admin"], day=day).actions
        alone = [service.to_read(s, service.get(s, actor=z["admin"], action_id=a.id), day) for a in together]
    assert len(together) == 3 and together == alone
    for r in together:
        fgw, czj = _task(r, z["fgw"]), _task(r, z["czj"])
        assert [(h.status, h.answered_by, h.replaced_by) for h in fgw.history] == [("executed", "fgw_jbr", "fgw_jbr")]
        assert [(u.urged_by, u.urger_department, u.note) for u in czj.urges] == [("scjg_jbr", z["scjg"].name, "请尽快反馈")]
        assert (fgw.urges, czj.history, czj.urge_count, czj.overdue) == ([], [], 1, True)
