from __future__ import annotations

from xinyong.accounts.permissions import Permission
from xinyong.kit.platform import keyring_of
from xinyong.kit.schemas import Page
from xinyong.web.deps import DB, Limit, Offset, RowId, allowed, api_router

from . import service
from .schemas import AuditEventRead
from .verify import inclusion, verify

router = api_router(tags=["audit 审计"])
Auditor = allowed(Permission.AUDIT_READ)


@router.get("/audit/events")
def events(session: DB, actor: Auditor, action: str | None = None, subject_type: str | None = None,
           subject_id: str | None = None, actor_name: str | None = None, offset: Offset = 0,
           limit: Limit = 50) -> Page[AuditEventRead]:
    return service.list_events(session, actor=actor, action=action, subject_type=subject_type,
                               subject_id=subject_id, actor_name=actor_name, offset=offset, limit=limit)


@router.get("/audit/verify")
def verify_trail(session: DB, actor: Auditor) -> dict:
    """The same check as `xinyong audit verify` (R-REV-4)."""
    return verify(session, keyring_of(session)).as_dict()


@router.get("/audit/proof/{seq}")
def proof(seq: RowId, session: DB, actor: Auditor) -> dict:
    """RFC 9162 inclusion proof of one event in the latest signed checkpoint."""
    return inclusion(session, seq) | {"public_key": keyring_of(session).public_key_hex()}
