"""Uploading a national file in the browser: the same import as `xinyong import`, with its row report
and the rejected rows as an Excel file to fix and upload again."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from fastapi import File, Request, UploadFile
from fastapi.responses import FileResponse

from xinyong.accounts.permissions import Permission
from xinyong.kit.errors import Invalid, NotFound, XinyongError
from xinyong.web.deps import allowed, page_router, reads_only
from xinyong.web.templating import render

from .report import write_xlsx
from .service import import_file

router = page_router()
Submitter = allowed(Permission.RECORD_SUBMIT)
REPORTS = Path(tempfile.gettempdir()) / "xinyong-import-reports"
MAX_UPLOAD = 200 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx", ".xls")


@router.get("/records/import")
def upload_form(request: Request, actor: Submitter):
    return render(request, "ingest/upload.html", {"result": None})


@router.post("/records/import")
@reads_only  # the import commits batch by batch in units of work of its own
def upload(request: Request, actor: Submitter, file: UploadFile = File(...)):
    name = file.filename or ""
    try:
        if not name.lower().endswith(SUFFIXES):
            raise Invalid("请上传 CSV 或 Excel（.xlsx）格式的双公示文件", field="file")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / ("upload" + Path(name).suffix.lower())
            size = 0
            with open(path, "wb") as out:
                while chunk := file.file.read(1 << 20):
                    size += len(chunk)
                    if size > MAX_UPLOAD:
                        raise Invalid("文件超过 200 MB，请拆分后上传，或由管理员使用 xinyong import 导入", field="file")
                    out.write(chunk)
            result = import_file(request.app.state.platform, path, actor=actor)
    except XinyongError as exc:
        return render(request, "ingest/upload.html", {"result": None, "error": exc}, status=exc.status)
    token = None
    if result.rejected_rows:
        REPORTS.mkdir(parents=True, exist_ok=True)
        token = secrets.token_urlsafe(16)
        write_xlsx(REPORTS / f"{token}.xlsx", result.headers, result.rejected_rows)
    return render(request, "ingest/upload.html", {"result": result, "report": result.report.as_dict(),
                                                  "filename": name, "token": token})


@router.get("/records/import/errors/{token}")
def download_errors(actor: Submitter, token: str):
    path = REPORTS / f"{token}.xlsx"
    if not token.replace("-", "").replace("_", "").isalnum() or not path.exists():
        raise NotFound("错误报告已过期，请重新导入")
    return FileResponse(path, filename="导入错误行.xlsx",
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
