"""The match queue (待人工匹配, R-ENT-6): a row with no party code whose name matches no entity or several is
neither rejected nor guessed. It waits, with the entities it could be, until an officer of the department
that imported it picks one (the record is then created in that entity's file) or dismisses it.

``hold`` is called by the storing side of an import inside its batch's transaction: it only flushes,
and holding the same row again adds nothing, so re-importing a file never doubles the queue.

The row is kept as read, except its ID-number columns (a legal representative's 证件号码): those are
stored masked for display and encrypted for the match, like every ID number on the platform (R-SEC-2);
the row's key is keyed (HMAC), so it cannot be used to guess them either.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor, Permission
from xinyong.catalog import service as catalog
from xinyong.entities import service as entities
from xinyong.entities.identifiers import mask_id_number
from xinyong.entities.models import KIND_LABELS, Entity, EntityKind
from xinyong.kit.clock import now, today
from xinyong.kit.errors import Conflict, Forbidden, Invalid, NotFound, XinyongError
from xinyong.kit.platform import keyring_of
from xinyong.kit.schemas import Page
from xinyong.kit.text import clean_text
from xinyong.records import service as records
from xinyong.records.models import Channel, Record

from . import events, repository
from .models import HELD_STATUS_LABELS, HeldRow, HeldStatus
from .national import FORMAT_LABELS, field_for, get_format
from .rows import RowError, parse_row
from .schemas import Candidate, HeldRowRead
from .values import as_text

MAX_CANDIDATES = 20
SEALED_CONTEXT = "held_rows.sealed"
# 行政相对人类别 of the row → the kinds of entity it may be matched to
KINDS_FOR = {"organisation": (EntityKind.LEGAL_PERSON, EntityKind.UNINCORPORATED),
             "individual_business": (EntityKind.INDIVIDUAL_BUSINESS,),
             "natural_person": (EntityKind.NATURAL_PERSON,)}
PARTY_KIND_LABELS = {"organisation": "法人及非法人组织", "individual_business": "个体工商户", "natural_person": "自然人"}


def plain_row(raw: Mapping[object, object]) -> dict[str, str | None]:
    """The row as read, JSON-ready: every value as text, dates as ISO (parse_row reads them back)."""
    return {str(k): None if v is None else as_text(v) for k, v in raw.items()}


def row_key(session: Session, department_id: int, fmt: str, raw: Mapping[str, str | None]) -> str:
    """The same row of the same department's file, whatever the column order or empty columns around it."""
    body = {k.strip(): v.strip() for k, v in raw.items() if v is not None and v.strip()}
    text = json.dumps({"department": department_id, "format": fmt, "row": body}, ensure_ascii=False, sort_keys=True)
    return keyring_of(session).blind_index(text)


def _id_columns(fmt: str, headers) -> set[str]:
    ids = {f.name for f in get_format(fmt).fields if f.type == "id_number"}
    return {h for h in headers if field_for(fmt, h) in ids}


def _seal(session: Session, fmt: str, values: dict[str, str | None]) -> tuple[dict[str, str | None], bytes | None]:
    secret = {h: values[h] for h in _id_columns(fmt, values) if values[h] and values[h].strip()}
    if not secret:
        return values, None
    shown = {h: (mask_id_number(v.strip()) if h in secret else v) for h, v in values.items()}
    blob = keyring_of(session).encrypt(json.dumps(secret, ensure_ascii=False), context=SEALED_CONTEXT)
    return shown, blob


def full_row(session: Session, held: HeldRow) -> dict[str, str | None]:
    """The row as the file had it, ID numbers included: for parsing it again, never for display."""
    values = dict(held.raw or {})
    if held.sealed:
        values |= json.loads(keyring_of(session).decrypt(held.sealed, context=SEALED_CONTEXT))
    return values


def hold(session: Session, *, actor: Actor, department_id: int, run_id: int | None, fmt: str, row_number: int,
         raw: Mapping[object, object], name: str, name_key: str, reason: str, candidate_ids: list[int]) -> HeldRow:
    """Put one row in ``department_id``'s queue (the department the row's record would belong to: the
    importer decides, as the credit office may import for others), or return the row already there
    (``just_held`` False): a row once held, then matched or dismissed, is not queued again by a re-import."""
    values = plain_row(raw)
    key = row_key(session, department_id, fmt, values)
    existing = repository.held_by_key(session, key)
    if existing is not None:
        return existing
    shown, sealed = _seal(session, fmt, values)
    held = HeldRow(import_run_id=run_id, department_id=department_id, format=fmt, row_number=row_number, raw=shown,
                   sealed=sealed, row_key=key, party_name=(name or "")[:200], name_key=(name_key or "")[:200], reason=reason,
                   candidate_ids=[int(i) for i in candidate_ids], status=HeldStatus.WAITING)
    session.add(held)
    session.flush()
    held.just_held = True
    return held


def get(session: Session, *, actor: Actor, held_id: int) -> HeldRow:
    held = session.scalars(repository.held(session, actor).where(HeldRow.id == held_id)).first()
    if held is None:
        raise NotFound("未找到该待匹配行")
    return held


def listing(session: Session, *, actor: Actor, status: HeldStatus | None = HeldStatus.WAITING, offset: int = 0,
            limit: int = 20) -> Page[HeldRowRead]:
    stmt = repository.held(session, actor)
    if status is not None:
        stmt = stmt.where(HeldRow.status == status)
    rows, total = repository.page(session, stmt, (HeldRow.created_at.desc(), HeldRow.id.desc()), offset, limit)
    return Page[HeldRowRead](items=[to_read(h) for h in rows], total=total, offset=offset, limit=limit)


def waiting_count(session: Session, actor: Actor) -> int:
    return repository.waiting_count(session, actor)


def can_decide(actor: Actor, held: HeldRow) -> bool:
    return (actor.can(Permission.RECORD_SUBMIT) and actor.department_id == held.department_id
            and held.status is HeldStatus.WAITING)


def _decidable(session: Session, actor: Actor, held_id: int) -> HeldRow:
    held = get(session, actor=actor, held_id=held_id)
    if not (actor.can(Permission.RECORD_SUBMIT) and actor.department_id == held.department_id):
        raise Forbidden("只有导入该文件的部门的经办人可以处理待匹配行")
    if held.status is not HeldStatus.WAITING:
        raise Conflict(f"该行已处理（{HELD_STATUS_LABELS[held.status]}），无需再次处理")
    return held


def _candidate(entity, same_name: bool) -> Candidate:
    return Candidate(id=entity.id, name=entity.name, code=entity.code, kind_label=KIND_LABELS[entity.kind],
                     legal_representative=entity.legal_representative, region=entity.region, address=entity.address,
                     status=entity.status, same_name=same_name)


def candidates(session: Session, held: HeldRow, *, actor: Actor) -> list[Candidate]:
    """The entities named when the row was held, and any registered since under the same name."""
    found: dict[int, Entity] = {}
    for entity_id in held.candidate_ids or []:
        try:
            found[entity_id] = entities.get_entity(session, actor=actor, entity_id=int(entity_id))
        except NotFound:
            continue
    if held.name_key:
        for entity in entities.by_name_key(session, held.name_key, limit=MAX_CANDIDATES):
            found.setdefault(entity.id, entity)
    ordered = sorted(found.values(), key=lambda e: (e.name_key != held.name_key, e.id))[:MAX_CANDIDATES]
    return [_candidate(e, e.name_key == held.name_key) for e in ordered]


def match(session: Session, *, actor: Actor, held_id: int, entity_id: int) -> Record:
    """Create the row's record in the chosen entity's file, as the import would have (channel: file)."""
    held = _decidable(session, actor, held_id)
    entity = entities.get_entity(session, actor=actor, entity_id=entity_id)
    parsed = parse_row(held.format, held.row_number, full_row(session, held), today=today())
    if isinstance(parsed, RowError):
        raise Invalid(f"第{held.row_number}行已不能导入：{parsed.reason}。请选择「不予导入」，修改后重新导入文件")
    if entity.kind not in KINDS_FOR.get(parsed.party_kind, (entity.kind,)):
        raise Invalid(f"该行的行政相对人类别为“{PARTY_KIND_LABELS.get(parsed.party_kind, parsed.party_kind)}”，"
                      f"所选主体“{entity.name}”是{KIND_LABELS[entity.kind]}，请选择相符的主体", field="entity_id")
    from .service import record_in_of  # lazily: the storing side imports this module
    fields = {f["name"] for f in catalog.get_type(session, held.format).fields}
    record_in = record_in_of(parsed, entity.uscc or entity.code, fields)
    savepoint = session.begin_nested()
    try:
        record = records.create(session, actor=actor, record_in=record_in, channel=Channel.FILE, entity=entity)
    except Conflict as exc:
        savepoint.rollback()
        raise Conflict(f"该行与本部门已报送的记录重复（{exc.message}）：无需再导入，可选择「不予导入」") from None
    except XinyongError as exc:
        savepoint.rollback()
        raise type(exc)(f"无法导入“{entity.name}”的信用档案：{exc.message}", field=exc.field) from None
    savepoint.commit()
    held.status = HeldStatus.MATCHED
    held.record_id = record.id
    held.decided_by = actor.user_id
    held.decided_at = now()
    session.flush()
    events.row_matched(session, held, entity.id, actor)
    return record


def dismiss(session: Session, *, actor: Actor, held_id: int, reason: str) -> HeldRow:
    """不予导入: the row stays on file with the reason; re-importing the same row does not queue it again."""
    held = _decidable(session, actor, held_id)
    held.decision_reason = clean_text(reason, field="reason", label="不予导入的理由", max_len=500, multiline=True)
    held.status = HeldStatus.DISMISSED
    held.decided_by = actor.user_id
    held.decided_at = now()
    session.flush()
    events.row_dismissed(session, held, actor)
    return held


def to_read(held: HeldRow) -> HeldRowRead:
    return HeldRowRead(id=held.id, import_run_id=held.import_run_id, department_id=held.department_id,
                       department=held.department.name, format=held.format,
                       format_label=FORMAT_LABELS.get(held.format, held.format), row_number=held.row_number,
                       raw=held.raw or {}, party_name=held.party_name, reason=held.reason,
                       candidate_ids=list(held.candidate_ids or []), status=held.status,
                       status_label=HELD_STATUS_LABELS[held.status], decided_at=held.decided_at,
                       decision_reason=held.decision_reason, record_id=held.record_id, created_at=held.created_at)
