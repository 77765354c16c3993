"""An entity's consents (/me/consents) and the auditor's query log (/audit/queries) with its exports."""

from __future__ import annotations

import csv
import os
import tempfile
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import FileResponse, RedirectResponse
from starlette.background import BackgroundTask

from xinyong.accounts.permissions import Permission
from xinyong.catalog import service as catalog
from xinyong.kit.clock import local, today
from xinyong.kit.errors import Invalid, XinyongError
from xinyong.kit.schemas import parse_payload
from xinyong.kit.workdays import optional_date
from xinyong.web.deps import DB, PageNo, PostedForm, RowId, allowed, page_router
from xinyong.web.templating import render

from . import service
from .duties import DUTY_LABELS
from .models import OUTCOME_LABELS
from .schemas import ConsentCreate, QueryLogRead

router = page_router()
ConsentManager = allowed(Permission.CONSENT_MANAGE)
LogReader = allowed(Permission.QUERY_LOG_READ)
PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- consents ---------------------------------------------------------------------------------

def _consents_page(request: Request, session, actor, *, status: int = 200, **extra):
    ctx = {"consents": service.my_consents(session, actor=actor), "types": catalog.list_types(session),
           "today": today(), "form": {}}
    return render(request, "access/consents.html", ctx | extra, status=status)


@router.get("/me/consents")
def consents_page(request: Request, session: DB, actor: ConsentManager):
    return _consents_page(request, session, actor)


@router.post("/me/consents")
def grant(request: Request, session: DB, actor: ConsentManager, form: PostedForm):
    data = {k: str(form.get(k, "")).strip() for k in ("grantee_uscc", "grantee_name", "purpose", "valid_from",
                                                      "valid_to")}
    payload = {k: v for k, v in data.items() if v} | {"info_types": [str(v) for v in form.getlist("info_types")]}
    try:
        if not data["valid_to"]:
            raise Invalid("请填写授权截止日", field="valid_to")
        consent = service.grant(session, actor=actor, consent_in=parse_payload(ConsentCreate, payload))
    except XinyongError as exc:
        session.rollback()
        return _consents_page(request, session, actor, status=exc.status, error=exc,
                              form=data | {"info_types": payload["info_types"]})
    return RedirectResponse(f"/me/consents/{consent.id}", status_code=303)


@router.get("/me/consents/{consent_id}")
def consent_page(request: Request, session: DB, actor: ConsentManager, consent_id: RowId):
    consent = service.get_consent(session, actor=actor, consent_id=consent_id)
    uses = service.consent_uses(session, actor=actor, consent_id=consent_id)
    return render(request, "access/consent.html", {"c": consent, "uses": uses})


@router.post("/me/consents/{consent_id}/revoke")
def revoke(request: Request, session: DB, actor: ConsentManager, consent_id: RowId):
    service.revoke(session, actor=actor, consent_id=consent_id)
    return RedirectResponse(f"/me/consents/{consent_id}", status_code=303)


# ---- the query log ----------------------------------------------------------------------------

def _filters(date_from: str, date_to: str, actor: str, entity: str, outcome: str, duty: str) -> dict:
    return {"date_from": optional_date(date_from, field="date_from"),
            "date_to": optional_date(date_to, field="date_to"),
            "actor_q": actor.strip()[:100] or None, "entity_q": entity.strip()[:100] or None,
            "outcome": outcome if outcome in OUTCOME_LABELS else None, "duty": duty or None}


@router.get("/audit/queries")
def queries_page(request: Request, session: DB, actor: LogReader, date_from: str = "", date_to: str = "",
                 actor_name: str = "", entity: str = "", outcome: str = "", duty: str = "", page: PageNo = 1):
    form = {"date_from": date_from, "date_to": date_to, "actor_name": actor_name, "entity": entity,
            "outcome": outcome, "duty": duty}
    ctx = {"form": form, "duties": DUTY_LABELS, "outcomes": OUTCOME_LABELS, "page": page, "error": None,
           "query": urlencode({k: v for k, v in form.items() if v})}
    try:
        result = service.list_queries(session, actor=actor, **_filters(date_from, date_to, actor_name, entity, outcome,
                                                                       duty),
                                      offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    except XinyongError as exc:
        return render(request, "access/queries.html", ctx | {"error": exc, "result": None, "pages": 1},
                      status=exc.status)
    return render(request, "access/queries.html",
                  ctx | {"result": result, "pages": max(1, -(-result.total // PAGE_SIZE))})


HEADERS = ["序号", "时间（北京时间）", "查询人", "角色", "部门", "信用主体", "查询内容", "记录ID", "履职事由", "办理事项",
           "授权编号", "结果", "依据或拒绝理由", "请求路径"]


def _row(e: QueryLogRead) -> list:
    return [e.seq, local(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.actor_role_label, e.department or "",
            e.entity or "", e.target_label, e.record_id or "", e.duty_label or "", e.matter or "", e.consent_id or "",
            e.outcome_label, e.reason or "", e.path]


def _export(request: Request, session, actor, suffix: str, write) -> FileResponse:
    q = request.query_params
    rows = service.export_queries(session, actor=actor, **_filters(
        q.get("date_from", ""), q.get("date_to", ""), q.get("actor_name", ""), q.get("entity", ""),
        q.get("outcome", ""), q.get("duty", "")))
    fd, path = tempfile.mkstemp(prefix="query-log-", suffix=suffix)
    os.close(fd)
    try:
        write(path, rows)
    except BaseException:
        os.unlink(path)
        raise
    name = f"查询日志-{today():%Y%m%d}{suffix}"
    media = "text/csv; charset=utf-8" if suffix == ".csv" else XLSX
    return FileResponse(path, filename=name, media_type=media, background=BackgroundTask(os.unlink, path))


def _write_csv(path: str, rows) -> None:
    # UTF-8 with a BOM: Excel on a government PC then opens the Chinese as Chinese
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADERS)
        for e in rows:
            out.writerow([_safe(v) for v in _row(e)])


def _safe(value):
    """A cell a spreadsheet will not run: text starting with = + - @ is prefixed with '."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


def _write_xlsx(path: str, rows) -> None:
    """Streamed (openpyxl write-only), as ``ingest.report.write_xlsx``: a year's log stays small in memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("查询日志")
    ws.freeze_panes = "A2"
    for i, width in enumerate([8, 20, 24, 10, 24, 36, 10, 8, 20, 20, 8, 8, 40, 30], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    bold = Font(bold=True)

    def cell(value, *, header=False):
        c = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value)
        if isinstance(value, str):
            c.data_type = "s"  # never a formula
        if header:
            c.font = bold
        return c

    ws.append([cell(h, header=True) for h in HEADERS])
    for e in rows:
        ws.append([cell(v) for v in _row(e)])
    wb.save(path)


@router.get("/audit/queries.csv")
def export_csv(request: Request, session: DB, actor: LogReader):
    return _export(request, session, actor, ".csv", _write_csv)


@router.get("/audit/queries.xlsx")
def export_xlsx(request: Request, session: DB, actor: LogReader):
    return _export(request, session, actor, ".xlsx", _write_xlsx)
