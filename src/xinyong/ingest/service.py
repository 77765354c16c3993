"""Importing a national-format file (R-COL-1, R-COL-5, R-ENT-6): the storing side.

This is a boundary like the CLI. The file is read as a stream and checked row by row (``rows``);
every ``BATCH`` good rows are stored in one unit of work, so a process killed mid-import leaves
whole batches, and running it again finds those rows already in (duplicates, by the record's dedup
key) and completes the rest. Memory stays flat whatever the file's size.

A batch is stored in bulk, with a handful of statements whatever its size:
  1. each row goes to the department that decided it (处罚机关/许可机关, else 数据来源单位); a
     department imports its own rows, the credit office anyone's;
  2. parties with a code are looked up all at once, and the unknown ones registered
     (``entities.bulk``);
  3. parties with only a name attach when exactly one entity has that name, else the row waits in
     the match queue for a person (R-ENT-6);
  4. the records are checked, deduplicated and inserted by ``records.bulk``, one audit event a batch.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts import service as accounts
from xinyong.accounts.models import Department
from xinyong.accounts.permissions import Actor, Permission, Role
from xinyong.entities import bulk as entity_bulk
from xinyong.entities.identifiers import mask_ids_in
from xinyong.entities.models import Entity, EntityKind
from xinyong.kit.clock import now
from xinyong.kit.db import batched, tune_for_bulk
from xinyong.kit.errors import XinyongError
from xinyong.kit.platform import Platform, keyring_of
from xinyong.records import bulk as record_bulk
from xinyong.records.periods import Severity
from xinyong.records.schemas import RecordCreate

from . import queue
from .models import HeldStatus
from .reader import open_table
from .report import RejectedRow, RowReport
from .rows import ParsedRow, RowError, parse_row

BATCH = 5000
PARSE_CHUNK = 2000
PARALLEL_OVER_BYTES = 4 * 1024 * 1024  # about 10,000 rows
LONG_TERM = "2099-12-31"
KINDS = {"organisation": EntityKind.LEGAL_PERSON, "individual_business": EntityKind.INDIVIDUAL_BUSINESS,
         "natural_person": EntityKind.NATURAL_PERSON}
AUTHORITY_LABEL = {"penalty": "处罚机关", "licence": "许可机关"}


# called inside a batch's transaction with the import's counts once that batch is in (runs.checkpoint)
Checkpoint = Callable[[Session, dict[str, int]], None]


@dataclass
class ImportResult:
    report: RowReport
    rejected_rows: list[RejectedRow]
    headers: list[str]
    encoding: str | None
    format: str


@dataclass(frozen=True)
class _Unmatched:
    reason: str
    candidates: list[int]


@dataclass(frozen=True)
class _Dept:
    id: int
    name: str
    is_credit_office: bool


def import_actor(platform: Platform, department_uscc: str) -> Actor:
    """The operator imports on behalf of a department; the records carry that department."""
    with platform.uow(write=False) as session:
        dept = accounts.department_by_uscc(session, department_uscc)
        return Actor(role=Role.OFFICER, username="import", display_name=f"{dept.name}（文件导入）",
                     department_id=dept.id, department_name=dept.name)


def import_file(platform: Platform, path: str | Path, *, actor: Actor,
                progress: Callable[[RowReport], None] | None = None, source: str | None = None,
                run_id: int | None = None, checkpoint: Checkpoint | None = None) -> ImportResult:
    """``progress`` is called with the running report after each stored batch; ``source`` names the file
    in the audit trail (an upload's own name rather than its temporary one); rows waiting for a person
    are filed under ``run_id`` (``runs``); ``checkpoint(session, counts)`` is called inside each batch's
    transaction with the counts as they stand once it commits, so what the run says it did is what is in."""
    table = open_table(path)
    report = RowReport(warnings=list(table.warnings), expected=table.estimated_rows() if progress else None)
    rejected: list[RejectedRow] = []
    batch: list[tuple[int, dict, Checked]] = []
    with platform.uow(write=False) as session:
        ctx = record_bulk.Context.load(session, table.format)
        departments = {d.uscc: _Dept(d.id, d.name, d.is_credit_office) for d in session.scalars(select(Department))}
    importer = next((d for d in departments.values() if d.id == actor.department_id), None)
    store = _Store(platform, actor, importer, departments, ctx, {"file": source or Path(path).name, "run": run_id},
                   report, rejected, checkpoint)
    for number, raw, checked in checked_rows(ctx, table.rows(), workers=_workers(path)):
        if isinstance(checked, RowError):
            report.reject(checked.row, checked.reason)
            rejected.append(RejectedRow(number, raw, checked.reason))
        else:
            batch.append((number, raw, checked))
        if len(batch) >= BATCH:
            store(batch)
            batch = []
            if progress:
                progress(report)
    if batch:
        store(batch)
    if progress:
        progress(report)
    rejected.sort(key=lambda r: r.row)
    report.rejected.sort(key=lambda r: r["row"])
    return ImportResult(report, rejected, table.headers, table.encoding, table.format)


@dataclass(frozen=True, slots=True)
class Checked:
    """A row that passed every check that needs no database: the file's rules (``parse_row``) and the
    record's (``records.service.prepare``)."""

    row: ParsedRow
    values: dict[str, Any]


def check(ctx: record_bulk.Context, number: int, raw: dict) -> Checked | RowError:
    parsed = parse_row(ctx.type_code, number, raw, today=ctx.today)
    if isinstance(parsed, RowError):
        return parsed
    try:
        return Checked(parsed, ctx.prepare(record_data(parsed, ctx.fields)))
    except XinyongError as exc:
        return RowError(number, mask_ids_in(exc.message), exc.field)


def _workers(path: str | Path) -> int:
    """Checking a row costs about as much as storing it: a big file is checked in other processes
    while this one writes. A small one is not worth starting processes for."""
    return max(1, (os.cpu_count() or 1) - 1) if Path(path).stat().st_size > PARALLEL_OVER_BYTES else 0


def checked_rows(ctx: record_bulk.Context, rows: Iterable[tuple[int, dict]], *,
                 workers: int = 0) -> Iterator[tuple[int, dict, Checked | RowError]]:
    """``rows`` each checked, in order. With ``workers``, chunks are checked in that many processes,
    at most two chunks a worker in flight, so memory stays flat whatever the file's size."""
    if workers < 1:
        for number, raw in rows:
            yield number, raw, check(ctx, number, raw)
        return
    context = multiprocessing.get_context("forkserver")
    # The workers end with this process, however it ends (kill -9 included): each watches the read end
    # of a pipe whose only write end is ours. The forkserver and the resource tracker, which live until
    # their last client (us and the workers) has gone, then exit too.
    lifeline, ours = context.Pipe(duplex=False)
    try:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_end_with_parent,
                                 initargs=(lifeline,)) as pool:
            flight: deque = deque()
            for chunk in batched(rows, PARSE_CHUNK):
                flight.append((chunk, pool.submit(_check_chunk, ctx, chunk)))
                if len(flight) >= 2 * workers:
                    yield from _zip_checked(*flight.popleft())
            while flight:
                yield from _zip_checked(*flight.popleft())
    finally:  # only once the pool has shut down: closing it earlier would end workers still at work
        lifeline.close()
        ours.close()


def _end_with_parent(lifeline) -> None:
    """In each checking worker: exit the moment the importing process is gone. A worker is the
    forkserver's child, not the importer's, so the kernel's parent-death signal would not reach it;
    and it holds its task queue's write end itself, so it would wait for work forever."""

    def watch() -> None:
        try:
            lifeline.recv_bytes()  # nobody ever writes: this returns only at EOF, when the importer is gone
        except (EOFError, OSError):
            pass
        os._exit(1)

    threading.Thread(target=watch, name="xinyong-parent-watch", daemon=True).start()


def _check_chunk(ctx: record_bulk.Context, chunk: list[tuple[int, dict]]) -> list[Checked | RowError]:
    return [check(ctx, number, raw) for number, raw in chunk]


def _zip_checked(chunk: list[tuple[int, dict]], future) -> Iterator[tuple[int, dict, Checked | RowError]]:
    for (number, raw), checked in zip(chunk, future.result(), strict=True):
        yield number, raw, checked


class _Store:
    """Stores one batch of checked rows per unit of work (see the module's docstring)."""

    def __init__(self, platform: Platform, actor: Actor, importer: _Dept | None, departments: dict[str, _Dept],
                 ctx: record_bulk.Context, source: dict[str, Any], report: RowReport, rejected: list[RejectedRow],
                 checkpoint: Checkpoint | None = None):
        self.platform, self.actor, self.importer, self.departments = platform, actor, importer, departments
        self.ctx, self.fmt, self.source, self.report, self.rejected = ctx, ctx.type_code, source, report, rejected
        self.checkpoint = checkpoint

    def __call__(self, batch: list[tuple[int, dict, Checked]]) -> None:
        raw_of = {number: raw for number, raw, _ in batch}
        counts = RowReport()  # this batch's; added to the import's once its transaction has committed
        rejected: list[RejectedRow] = []

        def reject(number: int, reason: str) -> None:
            counts.reject(number, reason)
            rejected.append(RejectedRow(number, raw_of[number], reason))

        with self.platform.uow(actor=self.actor) as session:
            tune_for_bulk(session)
            routed = []
            for number, _, checked in batch:
                owner = self.route(checked.row)
                if isinstance(owner, str):
                    reject(number, owner)
                else:
                    routed.append((number, checked, owner))
            entities = self.entities(session, [checked.row for _, checked, _ in routed])
            drafts = []
            for number, checked, department_id in routed:
                found = entities[number]
                if isinstance(found, str):
                    reject(number, found)
                elif isinstance(found, _Unmatched):
                    self.hold(session, counts, number, raw_of[number], checked.row, department_id, found)
                else:
                    drafts.append(record_bulk.Draft(ref=number, department_id=department_id, entity_id=found[0],
                                                    entity_kind=found[1], values=checked.values))
            outcome = record_bulk.store(session, actor=self.actor, ctx=self.ctx, drafts=drafts,
                                        source=self.source | {"rows": [batch[0][0], batch[-1][0]]})
            for number, reason in outcome.rejected:
                reject(number, reason)
            if self.checkpoint is not None:
                r = self.report
                after = {"accepted": r.accepted + len(outcome.stored),
                         "duplicates": r.duplicates + len(outcome.duplicates) + counts.duplicates,
                         "rejected_count": len(r.rejected) + len(counts.rejected), "held": r.held + counts.held}
                self.checkpoint(session, after | {"total": sum(after.values())})
        self.report.accepted += len(outcome.stored)
        self.report.duplicates += len(outcome.duplicates) + counts.duplicates
        self.report.held += counts.held
        self.report.rejected += counts.rejected
        self.rejected += rejected

    def hold(self, session, counts: RowReport, number: int, raw: dict, row: ParsedRow, department_id: int,
             why: _Unmatched) -> None:
        """R-ENT-6: not guessed, not refused: the row waits in its department's queue for a person."""
        held = queue.hold(session, actor=self.actor, department_id=department_id, run_id=self.source["run"],
                          fmt=self.fmt, row_number=number, raw=raw, name=row.party_name, name_key=row.name_key,
                          reason=why.reason, candidate_ids=why.candidates)
        if getattr(held, "just_held", False) or held.status is HeldStatus.WAITING:
            counts.held += 1
        else:  # held by an earlier import of the same file, and already decided
            counts.duplicates += 1

    def route(self, row: ParsedRow) -> int | str:
        """The department a row belongs to, or why it cannot be imported here (R-REV-3: only the
        recording department changes its records, so it must be the one that decided)."""
        owner = self.departments.get(row.authority_uscc) or self.departments.get(row.source_unit_uscc or "")
        importer = self.importer
        if importer is None:
            return "导入须以部门身份进行"
        if owner is None or owner.id == importer.id:
            return importer.id
        if importer.is_credit_office:
            return owner.id
        return (f"{AUTHORITY_LABEL[self.fmt]}“{row.authority}”（或数据来源单位）是平台上的另一个部门“{owner.name}”："
                f"本行应由该部门报送，或由信用办统一导入")

    def entities(self, session, rows: Sequence[ParsedRow]) -> dict[int, tuple[int, EntityKind] | _Unmatched | str]:
        """R-ENT-6 for a whole batch: row number → (entity id, kind); or why no single entity answers
        (the row waits for a person); or why it cannot be imported."""
        found: dict[int, tuple[int, EntityKind] | _Unmatched | str] = {}
        keyring = keyring_of(session)
        by_uscc = {key for r in rows if (key := _key_of(r)) and r.party_kind != "natural_person"}
        by_index = {keyring.blind_index(key): key for r in rows if (key := _key_of(r)) and r.party_kind == "natural_person"}
        known: dict[str, tuple[int, EntityKind]] = {}
        for part in batched(sorted(by_uscc)):
            for id_, code, kind in session.execute(select(Entity.id, Entity.uscc, Entity.kind).where(Entity.uscc.in_(part))):
                known[code] = (id_, kind)
        for part in batched(sorted(by_index)):
            for id_, index, kind in session.execute(
                    select(Entity.id, Entity.id_number_index, Entity.kind).where(Entity.id_number_index.in_(part))):
                known[by_index[index]] = (id_, kind)
        unknown = [r for r in rows if (key := _key_of(r)) and key not in known]
        if unknown and self.actor.can(Permission.ENTITY_CREATE):
            self.register(session, unknown, known)
        named = _by_name_key(session, {r.name_key for r in rows if not _key_of(r)})
        for r in rows:
            key = _key_of(r)
            if key:
                found[r.row_number] = known.get(key) or "平台中没有该代码的主体，且导入人无权登记新主体：请先登记该主体"
                continue
            matches = [m for m in named.get(r.name_key, []) if m[1] in queue.KINDS_FOR[r.party_kind]][:2]
            found[r.row_number] = matches[0] if len(matches) == 1 else _Unmatched(
                ("没有统一社会信用代码或公民身份号码" if r.party_code else "没有代码")
                + ("，平台中也没有同名主体" if not matches else "，且有多个同名主体"), [id_ for id_, _ in matches])
        return found

    def register(self, session, rows: Sequence[ParsedRow], known: dict[str, tuple[int, EntityKind]]) -> None:
        """Parties with a valid code the platform does not know yet become entities, as
        ``entities.service.create_entity`` would register them (R-ENT-1): an organisation by its USCC,
        a natural person by a resident ID number (encrypted, blind-indexed, masked)."""
        new: dict[str, dict[str, Any]] = {}
        for r in rows:
            key = _key_of(r)
            kind = KINDS[r.party_kind]
            representative = r.content.get("legal_representative")
            data = {"name": r.party_name, "kind": kind.value,
                    "legal_representative": representative if representative and len(representative) <= 100 else None}
            data["id_number" if kind is EntityKind.NATURAL_PERSON else "uscc"] = key
            new.setdefault(key, data)
        first, _ = entity_bulk.next_ids(session)
        at, keyring = now(), keyring_of(session)
        created = [entity_bulk.entity_row(keyring, data, first + i, at) for i, data in enumerate(new.values())]
        entity_bulk.write_batch(session, entity_bulk.Batch(created, []), source=f"文件导入：{self.source['file']}",
                                actor=self.actor)
        for key, row in zip(new, created, strict=True):
            known[key] = (row["id"], EntityKind(row["kind"]))


def _key_of(row: ParsedRow) -> str | None:
    """What identifies a party on the platform (R-ENT-1): an organisation's or individual business's USCC,
    a natural person's resident ID number. A passport number, or an individual business known only by
    its operator's ID number, identifies no entity: such a row is matched by name."""
    if row.party_kind == "natural_person":
        return row.party_id_number if row.party_id_type == "身份证" else None
    return row.party_uscc


def _by_name_key(session, keys: set[str]) -> dict[str, list[tuple[int, EntityKind]]]:
    """Entities by normalised name (the caller keeps those of the row's kind: one is a match, more are
    ambiguous)."""
    out: dict[str, list[tuple[int, EntityKind]]] = defaultdict(list)
    for part in batched(sorted(keys)):
        for id_, key, kind in session.execute(select(Entity.id, Entity.name_key, Entity.kind)
                                              .where(Entity.name_key.in_(part)).order_by(Entity.id)):
            out[key].append((id_, kind))
    return out


def record_data(row: ParsedRow, fields: frozenset[str] | set[str]) -> dict[str, Any]:
    """What ``records.service.prepare`` reads, from a checked row."""
    content = {k: v for k, v in row.content.items() if k in fields}
    if row.format == "penalty":
        content["penalty_categories"] = list(row.categories)
    elif row.categories:
        content["licence_category"] = row.categories[0]
    if row.end_date or row.long_term:
        # the file's own words: 2099-12-31 is how the national format writes long-term
        content["valid_to"] = row.end_date.isoformat() if row.end_date else LONG_TERM
    content["authority_uscc"] = row.authority_uscc
    if row.source_unit:
        content["source_unit"] = row.source_unit
    if row.source_unit_uscc:
        content["source_unit_uscc"] = row.source_unit_uscc
    return {"document_number": row.document_number, "decision_date": row.decision_date, "authority": row.authority,
            "severity": Severity(row.severity) if row.severity else None,
            "content": {k: v for k, v in content.items() if k in fields and v not in (None, "")},
            "valid_to": row.end_date, "publicity_end": row.publicity_end}


def record_in_of(row: ParsedRow, entity_code: str, fields: frozenset[str] | set[str]) -> RecordCreate:
    """The same row as a single submission (``records.service.create``), e.g. once a person matched it."""
    return RecordCreate(info_type=row.format, entity_code=entity_code, **record_data(row, fields))
