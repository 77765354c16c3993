"""Reading an entity's file under the scope rules, consents, and the query log for auditors
(R-PUB-2, R-PUB-3, R-SEC-3). Services flush, never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy.orm import Session

from xinyong.accounts.permissions import ROLE_LABELS, SYSTEM, Actor, Permission, Role
from xinyong.kit.clock import now, today
from xinyong.kit.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.kit.schemas import Page
from xinyong.kit.text import clean_text

from . import events, log, repository, scope
from .duties import DUTY_LABELS, Duty, parse_duty
from .models import OUTCOME_LABELS, TARGET_LABELS, Consent, Outcome, QueryLog, Target
from .schemas import ConsentCreate, ConsentRead, ConsentUse, FileView, QueryLogRead

CONSENT_NOT_FOUND = "未找到该授权"


def _require(actor: Actor, permission: Permission, what: str) -> None:
    if not actor.can(permission):
        raise Forbidden(f"无权{what}")


# ---- reading a file ---------------------------------------------------------------------------

def _entity(session: Session, actor: Actor, entity_id: int | None = None, code: str | None = None):
    """The entity asked for, looked up past the reader's own scope — an entity user's try at another's
    file must be logged against it — or None when there is none (for the public: none it may see;
    natural persons are never shown to it)."""
    from xinyong.entities import service as entities

    finder = actor if actor.is_public else SYSTEM
    try:
        if code is not None:
            return entities.get_by_code(session, actor=finder, code=code, allow_id_number=False)
        return entities.get_entity(session, actor=finder, entity_id=entity_id) if entity_id else None
    except (NotFound, Invalid):  # an absurd probe answers (and is logged) exactly like a code not on file
        return None


def _consent_view(session: Session, consent_id: int | None) -> scope.ConsentView | None:
    c = repository.consent(session, consent_id) if consent_id else None
    if c is None:
        return None
    return scope.ConsentView(id=c.id, entity_id=c.entity_id, grantee_department_id=c.grantee_department_id,
                             valid_from=c.valid_from, valid_to=c.valid_to, revoked=c.revoked_at is not None,
                             info_types=tuple(c.info_types or ()))


def authorise(session: Session, *, actor: Actor, entity_id: int | None = None, code: str | None = None,
              duty: Duty | str | None = None, consent_id: int | None = None, matter: str | None = None, via: str = "",
              target: Target = Target.FILE, record_id: int | None = None, day: dt.date | None = None,
              entity=None) -> scope.Decision:
    """Decide what ``actor`` reads of one entity's file (by id, or by ``code``, or the ``entity`` the
    caller has already looked up past the reader's scope) and note it on the query log. Raises the
    not-found or forbidden the decision calls for — after noting it, so that the refusal is logged. An
    entity that does not exist answers word for word like another's file."""
    from xinyong.entities.identifiers import mask_ids_in, normalize_code

    day = day or today()
    duty = duty if isinstance(duty, Duty) or duty is None else parse_duty(duty)
    matter_text = clean_text(matter, field="matter", label="办理事项", max_len=200) if matter else None
    if entity is None:
        entity = _entity(session, actor, entity_id, code)
    asked = f"（未找到）{mask_ids_in(normalize_code(code)) if code is not None else f'#{entity_id}'}"
    decision = scope.decide(actor, entity.id if entity else 0, entity_exists=entity is not None, day=day, duty=duty,
                            consent_asked=consent_id is not None, consent=_consent_view(session, consent_id))
    if decision.log is not None:
        log.note(session, actor_id=actor.user_id, actor=actor.label, actor_role=actor.role.value,
                 department_id=actor.department_id, department=actor.department_name,
                 entity_id=entity.id if entity else None, entity=f"{entity.name}（{entity.code}）" if entity else asked,
                 target=target, record_id=record_id, duty=decision.log.duty.value if decision.log.duty else None,
                 matter=matter_text, consent_id=decision.log.consent_id, outcome=decision.log.outcome,
                 reason=decision.log.reason, path=(via or "")[:300])
    if decision.error == "not_found":
        raise NotFound(scope.NOT_FOUND)
    if decision.error == "forbidden":
        raise Forbidden("审计监督角色查阅日志，不查看信用档案" if actor.role is Role.AUDITOR else "无权查看信用档案")
    return decision


NO_FILE_NOTE = "未在平台登记为信用主体，系其他主体的关联人员"


def note_check_without_file(session: Session, *, actor: Actor, masked_id: str, duty: Duty | str,
                            matter: str | None = None, via: str = "") -> scope.Decision:
    """Note on the query log a credit check of a natural person who has no file on the platform but is
    known as a related person of entities on it (R-ENT-4, R-MEA-3): what the check tells of him or her is
    logged like any check — same columns as ``authorise`` fills, the same ruling on the reader — with no
    entity id and, for the entity, the masked ID number and a note that he or she is not a subject on the
    platform; the full number is in no column (the path masked too). Raises the forbidden or not-found
    the ruling calls for, after noting it."""
    from xinyong.entities.identifiers import mask_ids_in

    _require(actor, Permission.CREDIT_CHECK, "进行信用核查")
    duty = duty if isinstance(duty, Duty) else parse_duty(duty)
    matter_text = clean_text(matter, field="matter", label="办理事项", max_len=200) if matter else None
    # the reader is ruled on as for a file that exists (its department, the duty), so both notes agree
    decision = scope.decide(actor, 0, entity_exists=True, day=today(), duty=duty)
    if decision.log is not None:
        log.note(session, actor_id=actor.user_id, actor=actor.label, actor_role=actor.role.value,
                 department_id=actor.department_id, department=actor.department_name,
                 entity_id=None, entity=f"{mask_ids_in(masked_id)}（{NO_FILE_NOTE}）",
                 target=Target.CHECK, record_id=None, duty=decision.log.duty.value if decision.log.duty else None,
                 matter=matter_text, consent_id=None, outcome=decision.log.outcome,
                 reason=decision.log.reason, path=mask_ids_in(via or "")[:300])
    if decision.error == "not_found":
        raise NotFound(scope.NOT_FOUND)
    if decision.error == "forbidden" or decision.log is None:
        raise Forbidden("无权进行信用核查")
    return decision


def read_file(session: Session, *, actor: Actor, entity_id: int | None = None, code: str | None = None,
              duty: Duty | str | None = None, consent_id: int | None = None, matter: str | None = None,
              via: str = "") -> FileView:
    """The file and the ground it was read on: what the entity page and the file API show."""
    from xinyong.records import service as records

    decision = authorise(session, actor=actor, entity_id=entity_id, code=code, duty=duty, consent_id=consent_id,
                         matter=matter, via=via)
    file_scope = decision.scope
    rows = _as_seen(session, actor, file_scope,
                    records.credit_file(session, actor=actor, entity_id=file_scope.entity_id, decision=decision))
    note = decision.log
    return FileView(entity_id=file_scope.entity_id, records=rows, non_public=file_scope.non_public,
                    duty=note.duty.value if note and note.duty else None,
                    duty_label=DUTY_LABELS[note.duty] if note and note.duty else None,
                    consent_id=note.consent_id if note else None, notice=decision.notice, refused=decision.refused)


# What a reader learns of a record it holds only because the record is public: not the department's
# workflow (deadline, lateness, review times, a correction's reasons).
_WORKFLOW = {"due_by": None, "late_workdays": None, "reason": None, "submitted_at": None, "reviewed_at": None}


def _as_seen(session: Session, actor: Actor, file_scope: scope.FileScope, rows: list) -> list:
    """The records of a file as this reader is shown them (R-SEC-2). The credit office, the entity
    itself and the recording department see a record as recorded. Another department reading under a
    duty or a consent sees its content with ID numbers masked; anyone else — the public, a department
    claiming nothing — sees only what the public page shows of it: the published items, masked."""
    from xinyong.catalog import service as catalog
    from xinyong.public.service import masked, public_content

    if file_scope.everything or file_scope.own_file:
        return rows
    specs: dict[tuple[str, int], list] = {}
    shown = []
    for r in rows:
        if actor.department_name is not None and r.department == actor.department_name:  # names are unique
            shown.append(r)
        else:  # the document number and authority are free text too: a clerk may have typed a number there
            texts = {"document_number": masked(r.document_number), "authority": masked(r.authority)}
            if file_scope.grants:
                shown.append(r.model_copy(update={"content": masked(r.content)} | texts))
                continue
            key = (r.info_type, r.info_type_version)
            if key not in specs:
                specs[key] = catalog.get_type(session, *key).fields
            shown.append(r.model_copy(update={"content": public_content(specs[key], r.content)} | texts | _WORKFLOW))
    return shown


# ---- consents ---------------------------------------------------------------------------------

def _status(c: Consent, day: dt.date) -> tuple[str, str]:
    if c.revoked_at is not None:
        return "revoked", "已撤回"
    if day < c.valid_from:
        return "pending", "待生效"
    if day > c.valid_to:
        return "expired", "已到期"
    return "active", "有效"


def _type_names(session: Session) -> dict[str, str]:
    from xinyong.catalog import service as catalog

    return {t.code: t.name for t in catalog.list_types(session)}


def consent_read(c: Consent, *, names: dict[str, str], uses: int = 0, day: dt.date | None = None) -> ConsentRead:
    status, label = _status(c, day or today())
    types = list(c.info_types or [])
    return ConsentRead(id=c.id, entity_id=c.entity_id, entity_name=c.entity.name, grantee_uscc=c.grantee_uscc,
                       grantee_name=c.grantee_name, on_platform=c.grantee_department_id is not None,
                       purpose=c.purpose, info_types=types, info_type_names=[names.get(t, t) for t in types],
                       valid_from=c.valid_from, valid_to=c.valid_to, status=status, status_label=label,
                       granted_at=c.created_at, revoked_at=c.revoked_at, uses=uses)


def _own_entity(actor: Actor) -> int:
    _require(actor, Permission.CONSENT_MANAGE, "管理查询授权")
    if not actor.entity_id:
        raise Forbidden("当前账户不代表信用主体")
    return actor.entity_id


def grant(session: Session, *, actor: Actor, consent_in: ConsentCreate) -> Consent:
    """R-PUB-2: the entity names the party (by its USCC), the purpose and the period."""
    from xinyong.accounts import service as accounts
    from xinyong.entities import service as entities
    from xinyong.entities.identifiers import validate_uscc

    entity_id = _own_entity(actor)
    uscc = validate_uscc(consent_in.grantee_uscc, field="grantee_uscc")
    entity = entities.get_entity(session, actor=actor, entity_id=entity_id)
    if entity.uscc == uscc:
        raise Invalid("被授权方不能是本主体", field="grantee_uscc")
    try:
        department = accounts.department_by_uscc(session, uscc)
    except NotFound:
        department = None
    name = department.name if department is not None else clean_text(
        consent_in.grantee_name, field="grantee_name", label="被授权方名称", max_len=200, required=True)
    purpose = clean_text(consent_in.purpose, field="purpose", label="查询用途", max_len=1000, required=True,
                         multiline=True)
    start = consent_in.valid_from or today()
    if start < today():
        raise Invalid("授权起始日不能早于今天", field="valid_from")
    if consent_in.valid_to < start:
        raise Invalid("授权截止日早于起始日", field="valid_to")
    names = _type_names(session)
    unknown = [t for t in consent_in.info_types if t not in names]
    if unknown:
        raise Invalid(f"信息目录中没有这些信息类型：{'、'.join(unknown)}", field="info_types")
    consent = Consent(entity_id=entity_id, grantee_uscc=uscc, grantee_name=name,
                      grantee_department_id=department.id if department is not None else None, purpose=purpose,
                      info_types=sorted(set(consent_in.info_types)), valid_from=start, valid_to=consent_in.valid_to,
                      granted_by=actor.user_id, created_at=now())
    session.add(consent)
    session.flush()
    events.consent_granted(session, consent, actor)
    return consent


def _own_consent(session: Session, actor: Actor, consent_id: int) -> Consent:
    entity_id = _own_entity(actor)
    consent = repository.consent(session, consent_id)
    if consent is None or consent.entity_id != entity_id:
        raise NotFound(CONSENT_NOT_FOUND)
    return consent


def revoke(session: Session, *, actor: Actor, consent_id: int) -> Consent:
    """Takes effect at once: the next read under it is refused (and logged)."""
    consent = _own_consent(session, actor, consent_id)
    if consent.revoked_at is not None:
        raise Conflict("该授权已撤回")
    consent.revoked_at, consent.revoked_by = now(), actor.user_id
    session.flush()
    events.consent_revoked(session, consent, actor)
    return consent


def my_consents(session: Session, *, actor: Actor) -> list[ConsentRead]:
    consents = repository.consents_of(session, _own_entity(actor))
    counts = repository.use_counts(session, [c.id for c in consents])
    names, day = _type_names(session), today()
    return [consent_read(c, names=names, uses=counts.get(c.id, 0), day=day) for c in consents]


def get_consent(session: Session, *, actor: Actor, consent_id: int) -> ConsentRead:
    consent = _own_consent(session, actor, consent_id)
    uses = repository.use_counts(session, [consent.id]).get(consent.id, 0)
    return consent_read(consent, names=_type_names(session), uses=uses)


def consent_uses(session: Session, *, actor: Actor, consent_id: int) -> list[ConsentUse]:
    """Every read under the consent, and every refused try, as the entity sees them."""
    consent = _own_consent(session, actor, consent_id)
    return [ConsentUse(at=e.at, party=e.department or ("信用办" if e.actor_role == Role.ADMIN else consent.grantee_name),
                       matter=e.matter, outcome=e.outcome, outcome_label=OUTCOME_LABELS[e.outcome], reason=e.reason)
            for e in repository.uses_of(session, consent.id)]


def usable_consents(session: Session, *, actor: Actor, entity_id: int) -> list[ConsentRead]:
    """The consents this department may use for this entity today (a page's choice)."""
    if actor.role not in (Role.OFFICER, Role.REVIEWER) or not actor.department_id:
        return []
    names = _type_names(session)
    return [consent_read(c, names=names) for c in repository.usable_consents(
        session, entity_id=entity_id, department_id=actor.department_id, day=today())]


# ---- the query log, for auditors ----------------------------------------------------------------

def log_read(e: QueryLog) -> QueryLogRead:
    duty = Duty(e.duty) if e.duty in Duty._value2member_map_ else None
    role = ROLE_LABELS.get(Role(e.actor_role), e.actor_role) if e.actor_role in Role._value2member_map_ else e.actor_role
    return QueryLogRead(seq=e.seq, at=e.at, actor=e.actor, actor_role=e.actor_role, actor_role_label=role,
                        department=e.department,
                        entity_id=e.entity_id, entity=e.entity, target=e.target, target_label=TARGET_LABELS[e.target],
                        record_id=e.record_id, duty=e.duty, duty_label=DUTY_LABELS[duty] if duty else e.duty,
                        matter=e.matter, consent_id=e.consent_id, outcome=e.outcome,
                        outcome_label=OUTCOME_LABELS[e.outcome], reason=e.reason, path=e.path)


def _filters(*, date_from: dt.date | None, date_to: dt.date | None, actor_q: str | None, entity_q: str | None,
             outcome: Outcome | str | None, duty: Duty | str | None):
    if date_from and date_to and date_to < date_from:
        raise Invalid("截止日期早于起始日期", field="date_to")
    start, end = log.day_bounds(date_from, date_to)
    duty = duty if isinstance(duty, Duty) or not duty else parse_duty(duty)
    outcome = Outcome(outcome) if outcome else None
    return repository.log_query(start=start, end=end, actor=(actor_q or "").strip() or None,
                                entity=(entity_q or "").strip() or None, outcome=outcome,
                                duty=duty.value if duty else None)


def list_queries(session: Session, *, actor: Actor, date_from: dt.date | None = None, date_to: dt.date | None = None,
                 actor_q: str | None = None, entity_q: str | None = None, outcome: Outcome | str | None = None,
                 duty: Duty | str | None = None, offset: int = 0, limit: int = 50) -> Page[QueryLogRead]:
    _require(actor, Permission.QUERY_LOG_READ, "查阅查询日志")
    stmt = _filters(date_from=date_from, date_to=date_to, actor_q=actor_q, entity_q=entity_q, outcome=outcome,
                    duty=duty)
    rows, total = repository.log_page(session, stmt, offset=offset, limit=max(1, min(limit, 200)))
    return Page[QueryLogRead](items=[log_read(e) for e in rows], total=total, offset=offset, limit=limit)


def export_queries(session: Session, *, actor: Actor, date_from: dt.date | None = None,
                   date_to: dt.date | None = None, actor_q: str | None = None, entity_q: str | None = None,
                   outcome: Outcome | str | None = None, duty: Duty | str | None = None) -> Iterator[QueryLogRead]:
    _require(actor, Permission.QUERY_LOG_READ, "导出查询日志")
    stmt = _filters(date_from=date_from, date_to=date_to, actor_q=actor_q, entity_q=entity_q, outcome=outcome,
                    duty=duty)
    return (log_read(e) for e in repository.log_stream(session, stmt))
