from __future__ import annotations

from fastapi import Request

from xinyong.accounts.permissions import Permission
from xinyong.kit.platform import keyring_of
from xinyong.web.deps import DB, PageNo, allowed, page_router
from xinyong.web.templating import render

from . import service
from .verify import verify

router = page_router()
Auditor = allowed(Permission.AUDIT_READ)
PAGE_SIZE = 50


@router.get("/audit")
def audit_page(request: Request, session: DB, actor: Auditor, action: str = "", actor_name: str = "",
               subject_id: str = "", page: PageNo = 1, check: bool = False):
    """``?check=1`` verifies the whole trail: a read, so a GET that never holds the writer's lock."""
    events = service.list_events(session, actor=actor, action=action or None, actor_name=actor_name or None,
                                 subject_id=subject_id or None, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    report = verify(session, keyring_of(session)) if check else None
    return render(request, "audit/index.html", {"events": events, "action": action, "actor_name": actor_name,
                                                "subject_id": subject_id, "page": page, "report": report,
                                                "pages": max(1, -(-events.total // PAGE_SIZE))})
