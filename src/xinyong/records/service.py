"""Records: submission, department approval, review and return, correction and revocation as new
versions (R-COL-1…4, R-REV-1…3, R-REV-5). Services flush, never commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor, Permission, Role
from xinyong.catalog import service as catalog
from xinyong.entities import service as entities
from xinyong.entities.identifiers import is_valid_uscc, mask_ids_in, normalize_code
from xinyong.entities.models import KIND_LABELS
from xinyong.entities.privacy import refuse_forbidden_fields, refuse_forbidden_type
from xinyong.entities.schemas import EntityCreate
from xinyong.kit.clock import now, today
from xinyong.kit.errors import Conflict, DeadlineUnknown, Forbidden, Invalid, NotFound, XinyongError
from xinyong.kit.schemas import Page
from xinyong.kit.text import clean_text, split_list
from xinyong.kit.workdays import WorkCalendar, parse_date
from xinyong.workcalendar import service as workcalendar

from . import events, repository, visibility
from .models import STATUS_LABELS, Channel, Record, Status
from .periods import (
    SEVERITY_BY_LABEL,
    Severity,
    in_history,
    publicity_window,
    record_year,
    severity_of_penalty,
    validity_end,
)
from .schemas import BatchResult, RecordChange, RecordCreate, RecordRead

# Fields of the national formats that describe the party: the record's entity answers them.
PARTY_FIELDS = {"party_name", "party_kind", "party_uscc", "legal_representative"}
TOP_LEVEL = {"document_number", "decision_date", "authority"}


def _require(actor: Actor, permission: Permission, what: str) -> None:
    if not actor.can(permission):
        raise Forbidden(f"无权{what}")


def _own(actor: Actor, record: Record) -> None:
    """Only the recording department changes its records (R-REV-3; 003 §19)."""
    if record.department_id != actor.department_id:
        raise Forbidden("只有记录部门可以修改本部门的信用记录")


def dedup_key(department_id: int, type_code: str, document_number: str, entity_id: int) -> str:
    raw = f"{department_id}\x1f{type_code}\x1f{normalize_code(document_number)}\x1f{entity_id}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _check_content(fields: list[dict], content: dict[str, Any]) -> dict[str, Any]:
    """Each value against the catalog's field definition; the first problem names the field."""
    by_name = {f["name"]: f for f in fields}
    clean: dict[str, Any] = {}
    for name, value in content.items():
        spec = by_name.get(name)
        if spec is None:
            raise Invalid(f"信息项“{name}”不在该信息类型的目录中", field=f"content.{name}")
        if name in TOP_LEVEL:
            continue
        kind = spec.get("type", "text")
        if isinstance(value, str) and kind in _SCALAR_KINDS and len(value) <= _CACHED_LEN:
            clean[name] = _check_scalar(name, spec["label"], kind, tuple(spec.get("options") or ()), value)
        else:
            clean[name] = _check_value(spec, value, f"content.{name}")
    for f in fields:
        if f.get("required") and f["name"] not in TOP_LEVEL | PARTY_FIELDS and clean.get(f["name"]) in (None, "", []):
            raise Invalid(f"缺少必填信息项“{f['label']}”", field=f"content.{f['name']}")
    return clean


_SCALAR_KINDS = frozenset({"text", "enum", "uscc", "date", "money"})
_CACHED_LEN = 100  # the repeated values (an authority, a basis, a code); a row's own facts are not kept


@lru_cache(maxsize=1 << 16)
def _check_scalar(name: str, label: str, kind: str, options: tuple[str, ...], value: str) -> str | None:
    """A short value's check, remembered: a file of thousands of records repeats its authority, its
    legal basis and its codes row after row. Results are immutable strings; refusals are not kept."""
    return _check_value({"label": label, "type": kind, "options": list(options)}, value, f"content.{name}")


def _check_value(spec: dict, value: Any, where: str) -> Any:
    label, kind = spec["label"], spec.get("type", "text")
    if value is None or value == "":
        return None
    if kind == "date":
        return parse_date(value, field=where).isoformat()
    if kind == "money":
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise Invalid(f"“{label}”应为数字", field=where) from None
        if not amount.is_finite() or amount < 0:
            raise Invalid(f"“{label}”不能为负数", field=where)
        return str(amount)
    if kind == "uscc":
        code = normalize_code(str(value))
        if not is_valid_uscc(code):
            raise Invalid(f"“{label}”不是有效的统一社会信用代码", field=where)
        return code
    if kind == "bool":
        if not isinstance(value, bool):
            raise Invalid(f"“{label}”应为是或否", field=where)
        return value
    if kind == "enum_list":
        items = value if isinstance(value, list) else split_list(str(value))
        bad = [v for v in items if v not in spec.get("options", [])]
        if bad or not items:
            raise Invalid(f"“{label}”含有不认识的值：{'、'.join(map(str, bad)) or '空'}", field=where)
        return items
    text = clean_text(value if isinstance(value, str) else str(value), field=where, label=label, max_len=2000,
                      multiline=True)
    if kind == "enum" and spec.get("options") and text not in spec["options"] and not (
            text.startswith("其他") and any(o.startswith("其他") for o in spec["options"])):
        raise Invalid(f"“{label}”应为以下之一：{'、'.join(spec['options'])}", field=where)
    return text


def _severity(given: Severity | None, content: dict[str, Any]) -> Severity | None:
    if given is not None:
        return given
    if "penalty_categories" in content:
        return severity_of_penalty(content["penalty_categories"])
    if "severity" in content:
        return SEVERITY_BY_LABEL.get(content["severity"])
    return None


def _due_by(cal: WorkCalendar, decision: dt.date, workdays: int) -> dt.date | None:
    """When it is due (R-COL-2); unknown while a year's calendar is not loaded — then nobody is
    called late on a guess."""
    try:
        return cal.add_workdays(decision, workdays)
    except DeadlineUnknown:
        return None


def late_workdays(cal: WorkCalendar, due: dt.date | None, submitted: dt.date) -> int | None:
    try:
        return cal.workdays_between(due, submitted) if due else None
    except DeadlineUnknown:
        return None


def create(session: Session, *, actor: Actor, record_in: RecordCreate, channel: Channel = Channel.FORM,
           entity_name: str | None = None, calendar: WorkCalendar | None = None, entity=None) -> Record:
    """``entity``: the caller has already found or registered it (an import); else by entity_code."""
    _require(actor, Permission.RECORD_SUBMIT, "报送信用记录")
    if actor.department_id is None:
        raise Forbidden("报送信用记录须以部门身份进行")
    # R-ENT-5: the record alone is refused — in a batch the other items stand (create_batch)
    refuse_forbidden_fields(record_in.content, "content", not_stored="该条记录未保存")
    version = catalog.current_version(session, record_in.info_type)  # refuses a type defining a forbidden field
    entity = entity or _entity(session, actor, record_in.entity_code, entity_name)
    if entity.kind.value not in version.subject_kinds:
        raise Invalid(f"“{version.name}”不适用于{KIND_LABELS[entity.kind]}", field="entity_code")
    record = Record(info_type_version_id=version.id, entity_id=entity.id, department_id=actor.department_id,
                    channel=channel, created_by=actor.user_id, version=1, is_current=True)
    _fill(session, record, version, record_in.model_dump(exclude={"info_type", "entity_code", "draft",
                                                                  "is_pre_warning", "final_deadline"}), calendar)
    record.is_pre_warning = record_in.is_pre_warning
    if record_in.is_pre_warning:
        if record_in.final_deadline is None or record_in.final_deadline <= record.decision_date:
            raise Invalid("预警信息须申请晚于决定日期的最终报送期限", field="final_deadline")
        record.final_deadline = record_in.final_deadline
    record.dedup_key = dedup_key(actor.department_id, record_in.info_type, record.document_number, entity.id)
    if repository.current_by_dedup_key(session, record.dedup_key) is not None:
        raise Conflict(f"文书号 {record.document_number} 的{version.name}已报送过，不重复入库", field="document_number")
    record.status = Status.DRAFT
    record.lineage = uuid.uuid4().hex
    session.add(record)
    session.flush()
    events.record_created(session, record, actor)
    if not record_in.draft:
        submit(session, actor=actor, record=record, calendar=calendar)
    if not record.is_pre_warning:
        _lift_pre_warnings(session, record, actor)
    return record


def _entity(session: Session, actor: Actor, code: str, name: str | None):
    # a code that cannot exist is refused for what it is (get_by_code: 400, with or without a name);
    # only a valid code not on file is 404, or registered when the submission names the entity
    try:
        return entities.get_by_code(session, actor=actor, code=code, field="entity_code")
    except NotFound:
        if not name:
            raise NotFound(f"未找到代码为 {mask_ids_in(normalize_code(code))} 的信用主体；新主体请同时填写名称",
                           field="entity_code") from None
        field = "uscc" if is_valid_uscc(normalize_code(code)) else "id_number"
        return entities.create_entity(session, actor=actor, entity_in=EntityCreate(**{field: code, "name": name}))


def _fill(session: Session, record: Record, version, data: dict[str, Any], calendar: WorkCalendar | None) -> None:
    """Set the document, content, severity and the computed periods and deadline of a record."""
    values = prepare(version, catalog.regime_rules(session, version.regime_code),
                     calendar or workcalendar.calendar(session), data)
    for name, value in values.items():
        setattr(record, name, value)


def prepare(version, rules: dict | None, calendar: WorkCalendar, data: dict[str, Any]) -> dict[str, Any]:
    """The stored values of a record's document, content, severity, periods and deadline, from what was
    submitted (``document_number``, ``decision_date``, ``authority``, ``content``, optional ``severity``,
    ``valid_to``, ``publicity_end``). Pure: one record (``_fill``) and a file's thousands (``bulk``) alike."""
    document_number = clean_text(data["document_number"], field="document_number", label="文书号", max_len=100)
    authority = clean_text(data["authority"], field="authority", label="决定机关", max_len=200)
    decision = data["decision_date"]
    if decision > today():
        raise Invalid(f"决定日期 {decision} 晚于今天", field="decision_date")
    content = _check_content(version.fields, data.get("content") or {})
    severity = _severity(data.get("severity"), content)
    valid_to = data.get("valid_to")
    if valid_to is not None and valid_to < decision:
        raise Invalid("有效期截止日早于决定日期", field="valid_to")
    window = publicity_window(rules, decision_date=decision, severity=severity,
                              categories=content.get("penalty_categories"), validity_months=version.validity_months,
                              valid_to=valid_to, given_end=data.get("publicity_end"))
    return {
        "document_number": document_number, "authority": authority, "decision_date": decision, "content": content,
        "severity": severity, "public": window.public and version.publicity.value == "public",
        "publicity_start": window.start, "publicity_end": window.end,
        "validity_end": validity_end(window, category=version.category.value, validity_months=version.validity_months,
                                     decision_date=decision, valid_to=valid_to),
        "due_by": _due_by(calendar, decision, version.deadline_workdays),
    }


def submit(session: Session, *, actor: Actor, record: Record, calendar: WorkCalendar | None = None) -> Record:
    """Draft or returned → to the credit office, or first to the department's reviewer when the
    department wants that (R-REV-1: the department verifies before submitting). Lateness is
    measured at the first submission: a draft kept for a week is late by that week; a record
    returned and resubmitted keeps the lateness of its first submission."""
    _own(actor, record)
    if record.status not in (Status.DRAFT, Status.RETURNED):
        raise Conflict(f"“{STATUS_LABELS[record.status]}”的记录不能再报送")
    if record.late_workdays is None:
        record.late_workdays = late_workdays(calendar or workcalendar.calendar(session), record.due_by, today())
    needs_approval = record.department.requires_approval and actor.role is not Role.REVIEWER
    record.status = Status.AWAITING_APPROVAL if needs_approval else Status.SUBMITTED
    record.submitted_at = now()
    session.flush()
    events.record_submitted(session, record, actor)
    return record


def approve(session: Session, *, actor: Actor, record: Record) -> Record:
    _require(actor, Permission.RECORD_APPROVE, "审批本部门的报送")
    _own(actor, record)
    if record.status is not Status.AWAITING_APPROVAL:
        raise Conflict("只有待部门审批的记录可以审批")
    record.status = Status.SUBMITTED
    session.flush()
    events.record_approved(session, record, actor)
    return record


def accept(session: Session, *, actor: Actor, records: list[Record]) -> list[Record]:
    """The credit office's review (R-REV-2). A corrected version replaces the one before it now."""
    _require(actor, Permission.RECORD_REVIEW, "审核信用记录")
    for record in records:
        if record.status is not Status.SUBMITTED:
            raise Conflict(f"记录 {record.id} 当前为“{STATUS_LABELS[record.status]}”，不在待审核状态", field="ids")
    for record in records:
        previous = repository.current_accepted(session, record.lineage, exclude_id=record.id)
        if previous is not None:
            previous.is_current, previous.status = False, Status.SUPERSEDED
        record.status, record.is_current = Status.ACCEPTED, True
        record.reviewed_by, record.reviewed_at = actor.user_id, now()
    session.flush()
    events.records_accepted(session, records, actor)
    return records


def return_(session: Session, *, actor: Actor, record: Record, reason: str) -> Record:
    _require(actor, Permission.RECORD_REVIEW, "退回信用记录")
    if record.status is not Status.SUBMITTED:
        raise Conflict("只有待审核的记录可以退回")
    record.reason = clean_text(reason, field="reason", label="退回理由", max_len=1000, multiline=True)
    record.status = Status.RETURNED
    record.reviewed_by, record.reviewed_at = actor.user_id, now()
    session.flush()
    events.record_returned(session, record, actor)
    return record


def resubmit(session: Session, *, actor: Actor, record: Record, change: RecordChange) -> Record:
    """A returned record, corrected by its department and sent again. Never accepted, so never
    published: it is amended in place, and the chain keeps what it was before."""
    _own(actor, record)
    if record.status is not Status.RETURNED:
        raise Conflict("只有被退回的记录可以修改后重新报送")
    _apply(session, record, change, record.info_type_version)
    record.reason = clean_text(change.reason, field="reason", label="修改说明", max_len=1000, multiline=True)
    return submit(session, actor=actor, record=record)


def correct(session: Session, *, actor: Actor, record: Record, change: RecordChange) -> Record:
    """R-REV-3/R-REV-5: a new version; the accepted one stays in force until the new one is accepted."""
    _own(actor, record)
    if record.status is not Status.ACCEPTED or not record.is_current:
        raise Conflict("只能更正现行的已入库记录")
    if repository.pending_version(session, record.lineage) is not None:
        raise Conflict("该记录已有一个待审核的更正版本")
    new = _next_version(record, actor, Status.DRAFT)
    new.is_current = False
    session.add(new)
    _apply(session, new, change, record.info_type_version)
    new.reason = clean_text(change.reason, field="reason", label="更正理由", max_len=1000, multiline=True)
    session.flush()
    events.record_corrected(session, new, actor)
    return submit(session, actor=actor, record=new)


def revoke(session: Session, *, actor: Actor, record: Record, reason: str) -> Record:
    """Takes effect at once: the revoked version becomes current and nothing of it is public
    (R-PUB-4a: withdrawn within 3 working days; here immediately)."""
    _own(actor, record)
    if not record.is_current or record.status is not Status.ACCEPTED:
        raise Conflict("只能撤销现行的已入库记录")
    new = _next_version(record, actor, Status.REVOKED)
    new.reason = clean_text(reason, field="reason", label="撤销理由", max_len=1000, multiline=True)
    new.public, new.validity_end = False, new.decision_date
    record.is_current, record.status = False, Status.SUPERSEDED
    session.add(new)
    session.flush()
    events.record_revoked(session, new, actor)
    return new


def _next_version(record: Record, actor: Actor, status: Status) -> Record:
    copy = {c.key: getattr(record, c.key) for c in Record.__table__.columns
            if c.key not in {"id", "version", "status", "reason", "content", "created_by", "created_at",
                             "submitted_at", "reviewed_by", "reviewed_at"}}
    return Record(**copy, version=record.version + 1, status=status, created_by=actor.user_id, created_at=now(),
                  content=dict(record.content))


def _apply(session: Session, record: Record, change: RecordChange, version) -> None:
    data = {"document_number": record.document_number, "decision_date": record.decision_date,
            "authority": record.authority, "severity": record.severity, "content": record.content,
            "valid_to": None, "publicity_end": None}
    data |= change.model_dump(exclude_unset=True, exclude={"reason"})
    # R-ENT-5: a version defining a forbidden field would carry its content into the new one
    refuse_forbidden_type(version.name, version.fields, content=change.content)
    if change.content is not None:
        refuse_forbidden_fields(change.content, "content", not_stored="该条记录未保存")
        data["content"] = dict(record.content) | change.content
    _fill(session, record, version, data, None)
    from . import publicity  # publicity uses this module

    publicity.carry_shortening(session, record)  # a correction must not undo an approved shortening (§63)


def _lift_pre_warnings(session: Session, record: Record, actor: Actor) -> None:
    """R-COL-3: the final record lifts the pre-warnings of the same type about the same entity."""
    for warning in repository.open_pre_warnings(session, record.entity_id, record.info_type_version.info_type_id,
                                                record.department_id):
        lift_pre_warning(session, warning, record.id, record.document_number, actor)


def lift_pre_warning(session: Session, warning: Record, final_id: int, document_number: str, actor: Actor) -> None:
    warning.is_current = False
    warning.status = Status.SUPERSEDED
    warning.reason = f"已由正式记录（文书号 {document_number}）解除"
    session.flush()
    events.pre_warning_lifted(session, warning, final_id, actor)


def get(session: Session, *, actor: Actor, record_id: int) -> Record:
    record = repository.readable_record(session, actor, record_id)
    if record is None:
        raise NotFound("未找到该信用记录")
    return record


def history(session: Session, *, actor: Actor, record: Record) -> list[Record]:
    return repository.versions(session, actor, record.lineage)


def to_reads(session: Session, records: list[Record], day: dt.date | None = None) -> list[RecordRead]:
    """``to_read`` for many, each with its objection mark (R-OBJ-3), read in one query."""
    from xinyong.objections.marks import disputed, marks

    day = day or today()
    lineages = [r.lineage for r in records]
    found, notes = marks(session, lineages, day), disputed(session, lineages)
    return [to_read(r, day, mark=found.get(r.lineage), disputed=notes.get(r.lineage)) for r in records]


def to_read(record: Record, day: dt.date | None = None, *, mark: dict[str, Any] | None = None,
            disputed: str | None = None) -> RecordRead:
    """``mark``: the record's open objection, as ``objections.marks.marks`` gives it (``to_reads``)."""
    v = record.info_type_version
    day = day or today()
    suspended = bool(mark and mark["suspended"])
    return RecordRead(
        id=record.id, lineage=record.lineage, version=record.version, is_current=record.is_current,
        status=record.status, status_label=STATUS_LABELS[record.status], channel=record.channel,
        info_type=v.info_type.code, info_type_name=v.name, info_type_version=v.version, category=v.category.value,
        entity_id=record.entity_id, entity_code=record.entity.code, entity_name=record.entity.name,
        department=record.department.name, is_pre_warning=record.is_pre_warning, final_deadline=record.final_deadline,
        document_number=record.document_number, decision_date=record.decision_date, authority=record.authority,
        severity=record.severity, content=record.content, public=record.public, publicity_start=record.publicity_start,
        publicity_end=record.publicity_end, validity_end=record.validity_end, due_by=record.due_by,
        late_workdays=record.late_workdays, reason=record.reason, submitted_at=record.submitted_at,
        reviewed_at=record.reviewed_at, record_year=record_year(record.created_at),
        in_history=in_history(record.created_at, day),
        in_force=visibility.is_counting(record, day), public_now=visibility.is_public(record, day, suspended=suspended),
        fulfilment=record.fulfilment, fulfilled_on=record.fulfilled_on, under_objection=mark is not None,
        objection_id=mark["objection_id"] if mark else None, objection_status_label=mark["status_label"] if mark else None,
        suspended=suspended, disputed_finding=disputed)



def by_ids(session: Session, *, actor: Actor, ids: list[int]) -> list[Record]:
    records = repository.by_ids(session, actor, ids)
    missing = sorted(set(ids) - {r.id for r in records})
    if missing:
        raise NotFound(f"未找到信用记录：{'、'.join(map(str, missing))}", field="ids")
    return records


def listing(session: Session, *, actor: Actor, statuses: list[Status] | None, offset: int = 0, limit: int = 20,
            department_id: int | None = None, entity_id: int | None = None, cycle: str | None = None,
            year: int | None = None) -> Page[RecordRead]:
    """``cycle`` "current" or "history" and ``year`` select by record-keeping year (R-COL-6)."""
    day = today()
    rows, total = repository.listing(session, actor, statuses=statuses, department_id=department_id,
                                     info_type_id=None, q_entity_ids=[entity_id] if entity_id else None,
                                     offset=offset, limit=limit, cycle=cycle, year=year, today=day)
    return Page[RecordRead](items=to_reads(session, rows, day), total=total, offset=offset, limit=limit)


def create_batch(session: Session, *, actor: Actor, items: list[dict[str, Any]], key: str, body_hash: str,
                 parse) -> BatchResult:
    """Each item in a savepoint: a bad one is rolled back alone and reported (R-COL-5)."""
    _require(actor, Permission.RECORD_SUBMIT, "报送信用记录")
    earlier = repository.submission(session, actor.department_id, key)
    if earlier is not None:
        if earlier.body_hash != body_hash:
            raise Conflict("同一个 Idempotency-Key 已用于内容不同的请求", field="Idempotency-Key")
        return BatchResult.model_validate(earlier.result)
    result = BatchResult(accepted=[], rejected=[], duplicates=[])
    calendar = workcalendar.calendar(session)  # built once for the whole batch
    for index, item in enumerate(items):
        savepoint = session.begin_nested()
        try:
            record_in, name = parse(item)
            record = create(session, actor=actor, record_in=record_in, channel=Channel.API, entity_name=name,
                            calendar=calendar)
            savepoint.commit()
            result.accepted.append(record.id)
        except XinyongError as exc:
            savepoint.rollback()
            entry = {"index": index, "reason": exc.message, "field": exc.field}
            (result.duplicates if isinstance(exc, Conflict) else result.rejected).append(entry)
    repository.save_submission(session, actor.department_id, key, body_hash, result.model_dump())
    return result


def credit_file(session: Session, *, actor: Actor, entity_id: int, duty=None, consent_id: int | None = None,
                matter: str | None = None, via: str = "", decision=None) -> list[RecordRead]:
    """The entity's current records that this actor may see, newest decision first (R-ENT-3). What that
    is, and what the query log says of it, is decided in ``access.scope`` (R-PUB-2, R-PUB-3): ``duty``
    (an 应查必查 matter) or ``consent_id`` opens another department's non-public records to a
    department; ``decision`` is one ``access.service.authorise`` has already made (and logged)."""
    from xinyong.access import service as access

    day = today()
    if decision is None:
        decision = access.authorise(session, actor=actor, entity_id=entity_id, duty=duty, consent_id=consent_id,
                                    matter=matter, via=via, day=day)
    return to_reads(session, repository.file_of(session, actor, entity_id, scope=decision.scope, day=day), day)


def timeliness(session: Session, *, actor: Actor) -> list[dict]:
    """The credit office's view of each department's lateness (002 二(一)4: shown in its assessment)."""
    _require(actor, Permission.RECORD_REVIEW, "查看各部门报送时效")
    return repository.timeliness(session, today())
