"""List use cases: entries kept in step with grading, departments' determinations, ending an entry,
and the lists as of a date (R-LST-1…4).

Grading-based entries follow every grading result as it is written (``lists.follow``):
an entity the model now puts on a list gets an entry; one it no longer does has its entry ended,
reason "regraded" — in the same transaction as the result, so a list never disagrees with the grade.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Date, ScalarSelect, String, and_, bindparam, cast, func, or_, select, update
from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor, Permission, Role
from xinyong.audit.trail import attest_rows
from xinyong.entities import service as entities
from xinyong.kit.clock import today
from xinyong.kit.db import IDS, for_ids, insert_many, next_free_id, sync_id_sequence
from xinyong.kit.errors import Conflict, Forbidden, Invalid, NotFound

from . import events
from .models import BASIS_LABELS, LIST_LABELS, Basis, EndReason, ListEntry, ListKind

ORDER = [ListKind.RED, ListKind.KEY_ATTENTION, ListKind.BLACK]
TABLE = ListEntry.__table__


def in_force(day: dt.date) -> ColumnElement[bool]:
    """SQL: the entry is in force on ``day`` — started, not past its planned end, not ended."""
    return and_(ListEntry.started_on <= day, or_(ListEntry.planned_end.is_(None), ListEntry.planned_end >= day),
                or_(ListEntry.ended_on.is_(None), ListEntry.ended_on > day))


def is_in_force(entry: ListEntry, day: dt.date) -> bool:
    return (entry.started_on <= day and (entry.planned_end is None or entry.planned_end >= day)
            and (entry.ended_on is None or entry.ended_on > day))


def kinds_of(entity: ColumnElement[int]) -> ScalarSelect[str]:
    """The lists ``entity`` (an id, or an expression that finds one) is on on ``:day``, as one string of kinds
    (``ordered`` reads it): a scalar, so that a credit check asks it within the statement that reads the
    grade."""
    return (select(func.aggregate_strings(ListEntry.kind, " "))
            .where(ListEntry.entity_id == entity, in_force(bindparam("day"))).scalar_subquery())


_LISTS_OF = select(kinds_of(bindparam("entity_id")))


def lists_of(session: Session, entity_id: int, day: dt.date | None = None) -> list[str]:
    """The lists the entity is on, in the order red, key-attention, black (SPEC §18's English names)."""
    return ordered(session.scalar(_LISTS_OF, {"entity_id": entity_id, "day": day or today()}))


def ordered(kinds: str | None) -> list[str]:
    """``kinds_of``'s string as the lists, once each, in the order red, key-attention, black."""
    on = set((kinds or "").split())
    return [k.value for k in ORDER if k.value in on]


def entries_of(session: Session, entity_id: int) -> list[ListEntry]:
    return list(session.scalars(select(ListEntry).where(ListEntry.entity_id == entity_id)
                                .order_by(ListEntry.started_on.desc(), ListEntry.id.desc())))


@dataclass(frozen=True)
class Page:
    items: list[ListEntry]
    total: int


PUBLIC_LISTS = (ListKind.RED, ListKind.BLACK)  # published (000 §32, §36); key attention is for departments


def listing(session: Session, *, kind: ListKind, day: dt.date | None = None, offset: int = 0, limit: int = 30,
            basis: Basis | None = None, public_only: bool = False) -> Page:
    """Entries of one list in force on ``day``. ``public_only``: what the public may see — the red and
    black lists' entities that have a USCC (a natural person is never listed publicly, R-SEC-2), less an
    entry whose department let an objection's verification deadline pass (R-OBJ-4)."""
    from xinyong.entities.models import Entity
    from xinyong.objections.marks import entry_suspended_on  # objections build on lists: imported when asked

    day = day or today()
    cond = and_(ListEntry.kind == kind, in_force(day))
    if basis is not None:
        cond = and_(cond, ListEntry.basis == basis)
    stmt = select(ListEntry).where(cond)
    if public_only:
        if kind not in PUBLIC_LISTS:
            return Page([], 0)
        stmt = (stmt.join(Entity, Entity.id == ListEntry.entity_id)
                .where(Entity.uscc.is_not(None), ~entry_suspended_on(ListEntry.id, day)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    items = list(session.scalars(stmt.order_by(ListEntry.started_on.desc(), ListEntry.id.desc()).offset(offset).limit(limit)))
    return Page(items, total)


def public_lists_of(session: Session, entity_id: int, day: dt.date | None = None) -> list[dict[str, Any]]:
    """The public entries in force for one entity, for its public page (R-PUB-1): marked while an objection
    about one is handled (R-OBJ-3); one whose department let the verification deadline pass is not public
    until it answers (R-OBJ-4), as a record is not."""
    from xinyong.entities.models import Entity

    day = day or today()
    rows = session.scalars(select(ListEntry).join(Entity, Entity.id == ListEntry.entity_id)
                           .where(ListEntry.entity_id == entity_id, in_force(day), ListEntry.kind.in_(PUBLIC_LISTS),
                                  Entity.uscc.is_not(None)))
    return [x for x in describe_entries(session, list(rows), day) if not x["suspended"]]


def get(session: Session, entry_id: int) -> ListEntry:
    entry = session.get(ListEntry, entry_id)
    if entry is None:
        raise NotFound(f"没有编号为 {entry_id} 的名单记录")
    return entry


# ---- determinations ---------------------------------------------------------------------------------

def determine(session: Session, *, actor: Actor, entity_code: str, kind: ListKind, basis_text: str,
              document_number: str, decided_on: dt.date, planned_end: dt.date | None) -> ListEntry:
    """A department's formal determination puts an entity on a list for a period (R-LST-2): e.g. 严重失信
    主体认定 under a law or regulation, with its document."""
    if not actor.can(Permission.LIST_DETERMINE) or actor.department_id is None and actor.role is not Role.ADMIN:
        raise Forbidden("只有部门或信用办可以作出名单认定")
    basis_text, document_number = (basis_text or "").strip(), (document_number or "").strip()
    if not basis_text:
        raise Invalid("请写明认定依据（法律、法规或规章条款及认定事实）", field="basis_text")
    if not document_number:
        raise Invalid("请填写认定文书号", field="document_number")
    if planned_end is not None and planned_end < decided_on:
        raise Invalid("计划移出日期不能早于认定日期", field="planned_end")
    entity = entities.get_by_code(session, actor=actor, code=entity_code)
    entry = ListEntry(entity_id=entity.id, kind=ListKind(kind), basis=Basis.DETERMINATION, basis_text=basis_text,
                      department_id=actor.department_id, document_number=document_number, started_on=decided_on,
                      planned_end=planned_end, created_by=actor.user_id)
    session.add(entry)
    session.flush()
    events.entry_added(session, entry, actor)
    return entry


def end(session: Session, *, actor: Actor, entry: ListEntry, reason: EndReason, note: str, on: dt.date | None = None) -> None:
    """End a determination before its planned end: its basis ended (R-LST-4) — by its department or the
    credit office. A grading-based entry is not ended by hand: its basis is the grade, and it ends when a
    result no longer puts the entity there (a repair or correction changes the records, and so the grade);
    ended by hand, the next regrade would put it straight back."""
    if entry.basis is Basis.GRADING:
        raise Conflict("依评价结果列入的名单随评价结果调整：请通过信用修复或更正信用记录，重新评价后自动移出")
    own = actor.department_id is not None and actor.department_id == entry.department_id
    if not (actor.role is Role.ADMIN or own):
        raise Forbidden("只有作出认定的部门或信用办可以移出名单")
    if entry.ended_on is not None:
        raise Invalid("该名单记录已移出")
    if not (note or "").strip():
        raise Invalid("请写明移出说明", field="note")
    entry.ended_on, entry.end_reason, entry.end_note = on or today(), EndReason(reason), note.strip()
    session.flush()
    events.entry_ended(session, entry, actor)


# ---- following grading ------------------------------------------------------------------------------

# the open grading-based entries: (id, entity_id, kind)
_GRADED_OPEN = select(TABLE.c.id, TABLE.c.entity_id, cast(TABLE.c.kind, String)).where(
    TABLE.c.basis == Basis.GRADING, TABLE.c.ended_on.is_(None))
_GRADED_OPEN_OF = _GRADED_OPEN.where(TABLE.c.entity_id.in_(IDS))
_KINDS = frozenset(k.value for k in ListKind)


def follow_grading(session: Session, run, rows, full: bool) -> None:
    """Keep the grading-based entries in step with results just written (``rows``: entity_id, lists), for
    the entities in ``rows`` only. Dated today, when the platform learns it (a run as of a past date does not
    rewrite what the lists said then)."""
    day = today()
    current = (session.execute(_GRADED_OPEN).all() if full
               else for_ids(session, _GRADED_OPEN_OF, rows["entity_id"].to_list()))
    to_add, to_end = (_compare_rows if rows.height <= SMALL else _compare_frames)(rows, current, full)
    if to_add:
        _add_from_grading(session, run, to_add, day)
    if to_end:
        _end_many(session, to_end, day)
    if to_add or to_end:
        events.synced(session, run, added=len(to_add), ended=len(to_end))


# The comparison two ways, held to the same answer by tests/lists/test_follow.py: an instant regrade brings a
# row or two, where every Polars step costs more than the whole comparison in Python (5 ms against 0.2);
# a full run brings a million rows and several hundred thousand open entries, where Polars takes half the time.
SMALL = 5_000
Compared = tuple[list[tuple[int, str]], list[int]]


def _compare_rows(rows, current, full: bool) -> Compared:
    """(entity, kind) to add and entry ids to end: ``rows`` (entity_id, lists) against ``current`` (id,
    entity_id, kind), as Python sets."""
    wanted = {(eid, kind) for eid, names in zip(rows["entity_id"].to_list(), rows["lists"].to_list(), strict=True)
              for kind in (names or "").split(" ") if kind in _KINDS}
    if full:
        graded = set(rows["entity_id"].to_list())
        current = [row for row in current if row[1] in graded]
    return (sorted(wanted.difference((eid, kind) for _id, eid, kind in current)),
            sorted(entry for entry, eid, kind in current if (eid, kind) not in wanted))


def _compare_frames(rows, current, full: bool) -> Compared:
    """``_compare_rows`` as Polars frames."""
    import polars as pl

    key = {"entity_id": pl.Int64, "kind": pl.String}
    wanted = (rows.filter(pl.col("lists") != "").select("entity_id", kind=pl.col("lists").str.split(" ")).explode("kind")
              .filter(pl.col("kind").is_in(list(_KINDS))).cast(key))
    found = pl.DataFrame(current, schema={"id": pl.Int64} | key, orient="row")
    if full:
        found = found.join(rows.select(pl.col("entity_id").cast(pl.Int64)), on="entity_id", how="semi")
    return (wanted.join(found, on=["entity_id", "kind"], how="anti").unique().sort("entity_id", "kind").rows(),
            found.join(wanted, on=["entity_id", "kind"], how="anti")["id"].sort().to_list())


def _basis(run) -> str:
    return f"信用评价结果（{run.as_of} 评价，评价运行 #{run.id}）达到该名单的列入标准"


def _add_from_grading(session: Session, run, keys: list[tuple[int, str]], day: dt.date) -> None:
    first = next_free_id(session, TABLE)
    from xinyong.kit.clock import now

    shared = {"basis": Basis.GRADING.value, "basis_text": _basis(run), "department_id": None, "document_number": None,
              "run_id": run.id, "started_on": day, "planned_end": None, "ended_on": None, "end_reason": None,
              "end_note": None, "created_by": None, "created_at": now()}
    rows: list[dict[str, Any]] = [{"id": first + i, "entity_id": eid, "kind": kind} for i, (eid, kind) in enumerate(keys)]
    insert_many(session, TABLE, rows, shared)
    sync_id_sequence(session, TABLE)
    attest_rows(session, TABLE, rows, shared=shared)


# ends the entries ``:ids`` on ``:day`` and returns them as they now are, to be attested without reading them back
_END = (update(TABLE).where(TABLE.c.id.in_(IDS))
        .values(ended_on=bindparam("day", type_=Date), end_reason=EndReason.REGRADED.value, end_note="重新评价后不再符合列入条件")
        .returning(*TABLE.c).execution_options(attested=True))


def _end_many(session: Session, ids: list[int], day: dt.date) -> None:
    attest_rows(session, TABLE, [dict(r._mapping) for r in for_ids(session, _END, ids, {"day": day})], op="update")


def to_read(session: Session, entry: ListEntry, day: dt.date | None = None):
    return to_reads(session, [entry], day)[0]


def to_reads(session: Session, entries: list[ListEntry], day: dt.date | None = None) -> list:
    """``to_read`` for many, their objection marks read in one query."""
    from xinyong.accounts.models import Department
    from xinyong.entities.models import Entity

    from .schemas import ListEntryRead

    out = []
    for entry, d in zip(entries, describe_entries(session, entries, day), strict=True):
        e = session.get(Entity, entry.entity_id)
        dept = session.get(Department, entry.department_id) if entry.department_id else None
        out.append(ListEntryRead(**{k: d[k] for k in ListEntryRead.model_fields if k in d}, entity_code=e.code,
                                 entity_name=e.name, department=dept.name if dept else None))
    return out


def describe_entries(session: Session, entries: list[ListEntry], day: dt.date | None = None) -> list[dict[str, Any]]:
    """``describe_entry`` for many, each with its objection mark."""
    from xinyong.objections.marks import entry_marks  # objections build on lists: imported when asked

    marked = entry_marks(session, [e.id for e in entries], day)
    return [describe_entry(e, day, mark=marked.get(e.id)) for e in entries]


def describe_entry(entry: ListEntry, day: dt.date | None = None, *, mark: dict[str, Any] | None = None) -> dict[str, Any]:
    """``mark``: the open objection about the entry, as ``objections.marks.entry_marks`` gives it
    (``describe_entries`` asks)."""
    from .models import END_LABELS, EXCHANGE_CODES, LIST_TITLES

    day = day or today()
    return {"id": entry.id, "list": entry.kind.value, "list_label": LIST_TITLES[entry.kind],
            "short_label": LIST_LABELS[entry.kind],
            "exchange_code": EXCHANGE_CODES[entry.kind], "basis": entry.basis.value, "basis_label": BASIS_LABELS[entry.basis],
            "basis_text": entry.basis_text, "document_number": entry.document_number, "started_on": entry.started_on,
            "planned_end": entry.planned_end,
            "planned_end_label": str(entry.planned_end) if entry.planned_end else "随评价结果动态调整",
            "ended_on": entry.ended_on, "end_reason": entry.end_reason.value if entry.end_reason else None,
            "end_label": END_LABELS[entry.end_reason] if entry.end_reason else None, "in_force": is_in_force(entry, day),
            "under_objection": mark is not None, "objection_id": mark["objection_id"] if mark else None,
            "suspended": bool(mark and mark["suspended"])}
