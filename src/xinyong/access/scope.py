"""Who sees what of an entity's credit file — the one place that decides it (SPEC §0, R-PUB-2, R-PUB-3).

- credit office (admin): everything current, whatever its state; each read is logged.
- entity user, its own file: every current accepted or revoked record, public or not.
- entity user, another's file: nothing — the same 404 as a code that does not exist; logged as refused.
- department (officer, reviewer): its own department's records, whatever their state, and what is
  public today; others' non-public accepted records only when it claims a duty from the 应查必查 list
  (``duties``) or uses a valid consent the entity gave it — each such read logged with the duty or
  consent. A consent that is not valid is refused and logged, and only the public part is shown.
- auditor: no credit files (the logs instead); a try is logged as refused.
- public: what is public today (``records.visibility.public``).

"The catalog's sharing rules" (003 §14): a type published only to specified parties (向特定主体公开)
is shown outside its department only under a consent; a duty opens the public and internal-use types.

``decide`` is pure: it takes the consent already looked up and returns the ``FileScope`` and what to
log. ``file_clause`` turns a scope into SQL over ``Record``; ``records.repository.file_of`` uses it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, false, or_, select

from xinyong.accounts.permissions import Actor, Role
from xinyong.catalog.enums import Publicity
from xinyong.catalog.models import InfoType, InfoTypeVersion
from xinyong.records.models import Record, Status
from xinyong.records.visibility import public

from .duties import DUTY_LABELS, Duty
from .models import Outcome

NOT_FOUND = "未找到该信用主体"  # word for word what entities.service answers for a code that does not exist
# the states a file shows; a department's own work in progress shows in its view, nobody else's does
FILE_STATES = (Status.ACCEPTED, Status.REVOKED, Status.SUBMITTED, Status.AWAITING_APPROVAL, Status.RETURNED)


@dataclass(frozen=True)
class Grant:
    """One ground for reading others' non-public records: a duty (public and internal-use types) or a
    consent (also the types published only to specified parties; perhaps limited to some types)."""

    specified: bool = False
    info_types: tuple[str, ...] = ()  # empty: every type


@dataclass(frozen=True)
class FileScope:
    entity_id: int
    everything: bool = False  # the credit office
    own_file: bool = False  # the entity itself
    department_id: int | None = None  # a department's own records, in any state of their lifecycle
    grants: tuple[Grant, ...] = ()  # others' accepted records that are not public today
    public: bool = True  # what is public today

    @property
    def non_public(self) -> bool:
        """True when this read shows information that is not public (and so is a logged read)."""
        return self.everything or bool(self.grants)


@dataclass(frozen=True)
class LogNote:
    """What the query log records of this read."""

    outcome: Outcome
    reason: str
    duty: Duty | None = None
    consent_id: int | None = None


@dataclass(frozen=True)
class ConsentView:
    """The facts of a consent ``decide`` needs, without the ORM."""

    id: int
    entity_id: int
    grantee_department_id: int | None
    valid_from: dt.date
    valid_to: dt.date
    revoked: bool
    info_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    scope: FileScope | None  # None: refused as a whole — raise ``error``
    log: LogNote | None = None
    error: str | None = None  # "not_found" or "forbidden"
    notice: str | None = None  # what the page tells the reader about this view
    refused: list[str] = field(default_factory=list)


def consent_problem(consent: ConsentView | None, *, entity_id: int, department_id: int | None, day: dt.date,
                    credit_office: bool = False) -> str | None:
    """Why this consent does not let this reader read this entity today; None when it does. The
    credit office answers for an outside party, so the grantee check is the department's only."""
    if consent is None or consent.entity_id != entity_id:
        return "该主体没有这项授权"
    if credit_office and consent.grantee_department_id is not None:
        return "该授权是给平台上部门的，由该部门使用"
    if not credit_office and (department_id is None or consent.grantee_department_id != department_id):
        return "该授权不是给本部门的"
    if consent.revoked:
        return "该授权已被主体撤回"
    if day < consent.valid_from:
        return f"该授权自 {consent.valid_from} 起生效"
    if day > consent.valid_to:
        return f"该授权已于 {consent.valid_to} 到期"
    return None


def decide(actor: Actor, entity_id: int, *, entity_exists: bool, day: dt.date, duty: Duty | None = None,
           consent_asked: bool = False, consent: ConsentView | None = None) -> Decision:
    """What ``actor`` reads of entity ``entity_id``'s file, and what the query log says of it."""
    if actor.role is Role.ENTITY:
        if actor.entity_id == entity_id and entity_exists:
            return Decision(FileScope(entity_id, own_file=True))
        # another's file answers exactly like a code that does not exist; a probe is still on the log
        return Decision(None, LogNote(Outcome.REFUSED, "信用主体查询其他主体的档案"), error="not_found")
    if actor.role is Role.AUDITOR:
        return Decision(None, LogNote(Outcome.REFUSED, "审计监督角色查阅日志，不查看信用档案"), error="forbidden")
    if not entity_exists:
        return Decision(None, error="not_found")
    if actor.role is Role.ADMIN:
        # the credit office sees everything; a consent it cites is an outside party's query answered by it
        reason, used, refused = "信用办", None, []
        if consent_asked:
            problem = consent_problem(consent, entity_id=entity_id, department_id=None, day=day, credit_office=True)
            if problem is None and consent is not None:
                reason, used = "信用办代被授权方查询（主体书面同意）", consent.id
            else:
                refused = [problem or "该主体没有这项授权"]
                reason = f"信用办（所称授权无效：{refused[0]}）"
        return Decision(FileScope(entity_id, everything=True), LogNote(Outcome.ALLOWED, reason, duty, used),
                        notice="信用办查看全部信息；本次查询已记入查询日志", refused=refused)
    if actor.role in (Role.OFFICER, Role.REVIEWER) and actor.department_id:
        grants: list[Grant] = []
        reasons: list[str] = []
        refused: list[str] = []
        if duty is not None:
            grants.append(Grant())
            reasons.append(f"履职需要：{DUTY_LABELS[duty]}")
        used = None
        if consent_asked:
            problem = consent_problem(consent, entity_id=entity_id, department_id=actor.department_id, day=day)
            if problem is None and consent is not None:
                grants.append(Grant(specified=True, info_types=consent.info_types))
                reasons.append("主体书面同意")
                used = consent.id
            else:
                refused.append(problem or "该主体没有这项授权")
        scope = FileScope(entity_id, department_id=actor.department_id, grants=tuple(grants))
        if grants:
            note = LogNote(Outcome.ALLOWED, "；".join(reasons + [f"授权无效：{r}" for r in refused]), duty, used)
            return Decision(scope, note, notice="本次查询已记入查询日志", refused=refused)
        if refused:
            note = LogNote(Outcome.REFUSED, f"未获准查询非公开信息：{refused[0]}", duty,
                           consent.id if consent is not None and consent.entity_id == entity_id else None)
            return Decision(scope, note, notice="仅显示公开信息和本部门记录；本次查询已记入查询日志", refused=refused)
        return Decision(scope)
    if actor.role is Role.PUBLIC:
        return Decision(FileScope(entity_id))
    return Decision(None, LogNote(Outcome.REFUSED, "当前角色无权查看信用档案"), error="forbidden")


def file_clause(scope: FileScope, day: dt.date) -> ColumnElement[bool]:
    """SQL over ``Record``: the records of the file ``scope`` shows on ``day``."""
    in_file = and_(Record.entity_id == scope.entity_id, Record.is_current.is_(True))
    if scope.everything:
        return and_(in_file, Record.status.in_(FILE_STATES))
    if scope.own_file:
        return and_(in_file, Record.status.in_([Status.ACCEPTED, Status.REVOKED]))
    parts = []
    if scope.department_id is not None:
        parts.append(and_(Record.department_id == scope.department_id, Record.status.in_(FILE_STATES)))
    if scope.public:
        parts.append(public(day))
    for grant in scope.grants:
        types = select(InfoTypeVersion.id)
        if not grant.specified:
            types = types.where(InfoTypeVersion.publicity != Publicity.SPECIFIED)
        if grant.info_types:
            types = types.join(InfoType, InfoType.id == InfoTypeVersion.info_type_id).where(
                InfoType.code.in_(grant.info_types))
        parts.append(and_(Record.status == Status.ACCEPTED, Record.info_type_version_id.in_(types)))
    return and_(in_file, or_(*parts)) if parts else false()

