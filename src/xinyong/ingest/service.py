"""Importing a national-format file (R-COL-1, R-COL-5, R-ENT-6): the storing side.

This is a boundary like the CLI: it commits every ``BATCH`` rows, each in its own unit of work,
so a process killed mid-import leaves whole batches; running it again finds those rows already in
(duplicates, by the record's dedup key) and completes the rest. Within a batch each row has a
savepoint: a row the records service refuses is reported and rolled back alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xinyong.accounts import service as accounts
from xinyong.accounts.permissions import Actor, Role
from xinyong.catalog import service as catalog
from xinyong.entities import service as entities
from xinyong.entities.models import EntityKind
from xinyong.entities.schemas import EntityCreate
from xinyong.kit.clock import today
from xinyong.kit.errors import Conflict, NotFound, XinyongError
from xinyong.kit.platform import Platform
from xinyong.records import service as records
from xinyong.records.models import Channel
from xinyong.records.periods import Severity
from xinyong.records.schemas import RecordCreate
from xinyong.workcalendar import service as workcalendar

from .reader import open_table
from .report import RejectedRow, RowReport
from .rows import ParsedRow, RowError, parse_row

BATCH = 500
LONG_TERM = "2099-12-31"
KINDS = {"organisation": EntityKind.LEGAL_PERSON, "individual_business": EntityKind.INDIVIDUAL_BUSINESS,
         "natural_person": EntityKind.NATURAL_PERSON}


@dataclass
class ImportResult:
    report: RowReport
    rejected_rows: list[RejectedRow]
    headers: list[str]
    encoding: str | None
    format: str


def import_actor(platform: Platform, department_uscc: str) -> Actor:
    """The operator imports on behalf of a department; the records carry that department."""
    with platform.uow(write=False) as session:
        dept = accounts.department_by_uscc(session, department_uscc)
        return Actor(role=Role.OFFICER, username="import", display_name=f"{dept.name}（文件导入）",
                     department_id=dept.id, department_name=dept.name)


def import_file(platform: Platform, path: str | Path, *, actor: Actor,
                progress: Callable[[int], None] | None = None) -> ImportResult:
    table = open_table(path)
    report = RowReport(warnings=list(table.warnings))
    rejected: list[RejectedRow] = []
    batch: list[tuple[int, dict, ParsedRow]] = []
    with platform.uow(write=False) as session:
        fields = {f["name"] for f in catalog.get_type(session, table.format).fields}
    for number, raw in table.rows():
        parsed = parse_row(table.format, number, raw, today=today())
        if isinstance(parsed, RowError):
            report.reject(parsed.row, parsed.reason)
            rejected.append(RejectedRow(number, raw, parsed.reason))
        else:
            batch.append((number, raw, parsed))
        if len(batch) >= BATCH:
            _store(platform, actor, batch, fields, report, rejected)
            batch = []
            if progress:
                progress(report.total)
    if batch:
        _store(platform, actor, batch, fields, report, rejected)
    if progress:
        progress(report.total)
    rejected.sort(key=lambda r: r.row)
    report.rejected.sort(key=lambda r: r["row"])
    return ImportResult(report, rejected, table.headers, table.encoding, table.format)


def _store(platform: Platform, actor: Actor, batch: list, fields: set[str], report: RowReport,
           rejected: list[RejectedRow]) -> None:
    with platform.uow(actor=actor) as session:
        calendar = workcalendar.calendar(session)
        for number, raw, row in batch:
            savepoint = session.begin_nested()
            try:
                entity = _entity(session, actor, row)
                records.create(session, actor=actor, record_in=_record_in(row, row.party_code or entity.uscc, fields),
                               channel=Channel.FILE,
                               calendar=calendar, entity=entity)
                savepoint.commit()
                report.accepted += 1
            except Conflict:
                savepoint.rollback()
                report.duplicate()
            except XinyongError as exc:
                savepoint.rollback()
                report.reject(number, exc.message)
                rejected.append(RejectedRow(number, raw, exc.message))


def _entity(session, actor: Actor, row: ParsedRow):
    """R-ENT-6: a valid code attaches the row to its entity or registers it; a row with only a name
    attaches only when exactly one entity has that name."""
    code = row.party_code
    if code:
        try:
            return entities.get_by_code(session, actor=actor, code=code)
        except NotFound:
            kind = KINDS[row.party_kind]
            data = {"name": row.party_name, "kind": kind}
            data["id_number" if kind is EntityKind.NATURAL_PERSON else "uscc"] = code
            return entities.create_entity(session, actor=actor, entity_in=EntityCreate(**data))
    matches = entities.by_name_key(session, row.name_key, limit=2)
    if len(matches) == 1:
        return matches[0]
    reason = "没有代码，且平台中没有同名主体" if not matches else "没有代码，且有多个同名主体，无法唯一匹配"
    raise NotFound(f"{reason}：请补充统一社会信用代码后重新导入", field="party_uscc")


def _record_in(row: ParsedRow, entity_code: str, fields: set[str]) -> RecordCreate:
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
    return RecordCreate(info_type=row.format, entity_code=entity_code, document_number=row.document_number,
                        decision_date=row.decision_date, authority=row.authority,
                        severity=Severity(row.severity) if row.severity else None,
                        content={k: v for k, v in content.items() if k in fields and v not in (None, "")},
                        valid_to=row.end_date, publicity_end=row.publicity_end)
