"""Lists over REST: the lists in force, a department's determination, ending an entry; the public lists."""

from __future__ import annotations

from xinyong.accounts.permissions import Permission
from xinyong.kit.schemas import Page
from xinyong.web.deps import DB, CurrentActor, Limit, Offset, RowId, allowed, api_router

from . import service
from .models import ListKind
from .schemas import DeterminationCreate, EntryEnd, ListEntryRead

router = api_router(tags=["lists 红黑名单"])
Reader = allowed(Permission.ENTITY_SEARCH)
Determiner = allowed(Permission.LIST_DETERMINE)


@router.get("/lists/{kind}")
def list_entries(kind: ListKind, session: DB, actor: Reader, offset: Offset = 0, limit: Limit = 30) -> Page[ListEntryRead]:
    """The entries of one list in force today, newest first (staff)."""
    page = service.listing(session, kind=kind, offset=offset, limit=limit, public_only=actor.is_public)
    return Page(items=service.to_reads(session, page.items), total=page.total, offset=offset, limit=limit)


@router.post("/lists/determinations", status_code=201)
def determine(body: DeterminationCreate, session: DB, actor: Determiner) -> ListEntryRead:
    """A department's formal determination puts an entity on a list for a period (R-LST-2)."""
    entry = service.determine(session, actor=actor, entity_code=body.entity_code, kind=body.list, basis_text=body.basis_text,
                              document_number=body.document_number, decided_on=body.decided_on, planned_end=body.planned_end)
    return service.to_read(session, entry)


@router.post("/lists/entries/{entry_id}/end")
def end_entry(entry_id: RowId, body: EntryEnd, session: DB, actor: Determiner) -> ListEntryRead:
    """End an entry whose basis ended: corrected, revoked, repaired, lifted (R-LST-4)."""
    entry = service.get(session, entry_id)
    service.end(session, actor=actor, entry=entry, reason=body.reason, note=body.note)
    return service.to_read(session, entry)


@router.get("/public/lists/{kind}")
def public_list(kind: ListKind, session: DB, actor: CurrentActor, offset: Offset = 0, limit: Limit = 30) -> Page[ListEntryRead]:
    """What the public sees of a list: the red and black lists' legal entities, indexed by USCC (000 §32, §36).
    The key-attention list and natural persons are not published."""
    page = service.listing(session, kind=kind, offset=offset, limit=limit, public_only=True)
    return Page(items=service.to_reads(session, page.items), total=page.total, offset=offset, limit=limit)
