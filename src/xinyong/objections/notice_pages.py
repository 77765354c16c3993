"""The notice as the browser opens it from an objection's page: 异议处理结果告知书 (R-OBJ-2, 000 §24)."""

from __future__ import annotations

from fastapi import Response

from xinyong.accounts.permissions import Permission
from xinyong.web.deps import DB, RowId, allowed, page_router

from . import notice

router = page_router()
# whoever may read the objection; which objection each may read is the repository's to decide
Reader = allowed(Permission.OBJECTION_FILE, Permission.OBJECTION_VERIFY, Permission.OBJECTION_OVERSEE)


@router.get("/objections/{objection_id}/notice.pdf", response_class=Response)
def notice_pdf(objection_id: RowId, session: DB, actor: Reader) -> Response:
    n = notice.render(session, actor=actor, objection_id=objection_id)
    return Response(n.content, media_type="application/pdf",
                    headers={"Content-Disposition": n.disposition("inline"), "Cache-Control": "no-store"})
