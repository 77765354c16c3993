"""External dimension scores (R-GRD-2, R-XCH-1; 000 §17): the city's public credit evaluation and
third-party evaluations arrive as a CSV and become ``ExternalScore`` rows, which the model weighs
beside its own (industry) score.

The file: UTF-8 (with or without BOM) or GBK, comma or tab separated, one row per entity and
dimension, headers in Chinese or English —

    统一社会信用代码 (code) · 维度 (dimension: public / third_party, or 公共信用评价 / 第三方评价)
    · 分值 (score, already on the model's scale) · 来源 (source; the file's name when absent)
    · 评价日期 (evaluated_on; optional)

Each bad row is reported with its row number (the header is row 1) and reason; the good ones are
kept, the latest evaluation per entity and dimension: a row dated before the stored one is left out,
the same score again changes nothing, so importing a file twice changes nothing the second time.
The entities whose scores changed are graded again by the instant regrading (``instant`` notices
``ExternalScore`` on flush) in the same transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor, Permission
from xinyong.entities.identifiers import is_valid_id_number, is_valid_uscc, mask_ids_in, normalize_code
from xinyong.entities.models import Entity
from xinyong.ingest.reader import detect_encoding
from xinyong.kit.clock import now, today
from xinyong.kit.db import batched
from xinyong.kit.errors import Forbidden, Invalid, NotFound, XinyongError
from xinyong.kit.workdays import parse_date

from . import events, service
from .models import ExternalScore
from .schemas import RowProblem, ScoreImportReport

MAX_BYTES = 50 * 1024 * 1024
DIMENSION_LABELS = {"public": "公共信用评价", "third_party": "第三方评价", "basic": "基础信用", "government": "政务信用",
                    "industry": "行业评价"}
_DIMENSION_NAMES = {label: code for code, label in DIMENSION_LABELS.items()} | {
    "公共信用综合评价": "public", "公共信用": "public", "第三方信用评价": "third_party", "第三方信用": "third_party",
    "行业信用评价": "industry", "行业领域信用评价": "industry"}
_COLUMNS = {
    "统一社会信用代码": "code", "信用代码": "code", "主体代码": "code", "code": "code", "uscc": "code",
    "维度": "dimension", "评价维度": "dimension", "dimension": "dimension",
    "分值": "score", "得分": "score", "分数": "score", "score": "score",
    "来源": "source", "评价机构": "source", "source": "source",
    "评价日期": "evaluated_on", "evaluated_on": "evaluated_on", "date": "evaluated_on",
}
_REQUIRED = {"code": "统一社会信用代码（code）", "dimension": "维度（dimension）", "score": "分值（score）"}


@dataclass
class _Row:
    number: int
    entity_id: int
    dimension: str
    score: float
    source: str
    evaluated_on: dt.date | None


def _decode(raw: bytes) -> tuple[str, str]:
    """The text and its encoding, detected as the record import detects it (UTF-8 with or without BOM,
    UTF-16, GBK); GB 18030 is reported by the name clerks know it by."""
    encoding = detect_encoding(raw, complete=True)
    return raw.decode(encoding), "gbk" if encoding == "gb18030" else encoding


def _read(raw: bytes) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    if raw[:4] == b"PK\x03\x04":
        raise Invalid("这是 Excel 文件：外部评分请另存为 CSV（UTF-8 或 GBK 编码）后上传", field="file")
    text, encoding = _decode(raw)
    if not text.strip():
        raise Invalid("文件是空的", field="file")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = [h.strip() for h in next(reader)]
        rows = [(i, cells) for i, cells in enumerate(reader, start=2)]
    except csv.Error as exc:
        raise Invalid(f"CSV 格式错误：{exc}", field="file") from None
    return headers, rows, encoding


def _columns(headers: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, header in enumerate(headers):
        name = _COLUMNS.get(header) or _COLUMNS.get(header.lower())
        if name and name not in found:
            found[name] = i
    missing = [label for key, label in _REQUIRED.items() if key not in found]
    if missing:
        raise Invalid(f"第1行（表头）缺少列：{'、'.join(missing)}", field="file")
    return found


def _dimension(value: str, weighed: set[str], own: str) -> str:
    code = _DIMENSION_NAMES.get(value, value.lower())
    if code == own:
        raise Invalid(f"维度“{value}”由平台按评价模型计算，不从外部导入")
    if code not in DIMENSION_LABELS and code not in weighed:
        known = "、".join(f"{c}（{DIMENSION_LABELS.get(c, c)}）" for c in sorted(weighed - {own}))
        raise Invalid(f"未知的评价维度“{value}”，现行模型使用：{known}")
    return code


def _score(value: str, floor: int, ceiling: int) -> float:
    try:
        score = float(value.replace(",", "").strip())
    except ValueError:
        raise Invalid(f"分值“{value}”不是数字") from None
    if not math.isfinite(score) or not floor <= score <= ceiling:
        raise Invalid(f"分值 {value} 超出模型的分值范围 {floor}～{ceiling}（请先换算到该范围）")
    return round(score, 2)


def _evaluated_on(value: str) -> dt.date | None:
    if not value.strip():
        return None
    day = parse_date(value.strip(), field="evaluated_on")
    if day > today():
        raise Invalid(f"评价日期 {day} 晚于今天")
    return day


def _entities(session: Session, codes: set[str]) -> dict[str, int]:
    """Code → entity id, for the codes that name an entity on the platform."""
    from xinyong.accounts.permissions import SYSTEM
    from xinyong.entities import service as entities

    found: dict[str, int] = {}
    usccs = sorted(c for c in codes if is_valid_uscc(c))
    for part in batched(usccs):
        found.update((uscc, id_) for uscc, id_ in session.execute(select(Entity.uscc, Entity.id).where(Entity.uscc.in_(part))))
    for code in sorted(codes - set(found)):
        if is_valid_id_number(code):  # a person: by the blind index, never by the number itself
            try:
                found[code] = entities.get_by_code(session, actor=SYSTEM, code=code).id
            except NotFound:
                pass
    return found


def import_scores(session: Session, *, actor: Actor, path_or_bytes: str | Path | bytes, filename: str | None = None
                  ) -> ScoreImportReport:
    """Import one external-scores file; returns the report (nothing to commit here: the caller's unit of
    work commits, and the entities whose scores changed are regraded just before it does)."""
    if not actor.can(Permission.GRADING_MANAGE):
        raise Forbidden("只有信用办可以导入外部维度评分")
    if isinstance(path_or_bytes, bytes):
        raw, name = path_or_bytes, filename or "外部评分.csv"
    else:
        path = Path(path_or_bytes)
        if not path.is_file():
            raise Invalid(f"找不到文件：{path}", field="file")
        raw, name = path.read_bytes(), filename or path.name
    if len(raw) > MAX_BYTES:
        raise Invalid("文件超过 50 MB，请拆分后导入", field="file")
    headers, rows, encoding = _read(raw)
    at = _columns(headers)
    version = service.active_version(session)
    if version is None:
        raise Invalid("没有启用的评价模型：请先运行 xinyong init")
    model = service.parsed(version)
    weighed = set(model.weights)
    report = ScoreImportReport(filename=name, encoding=encoding)

    def cell(cells: list[str], key: str) -> str:
        i = at.get(key)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    parsed: list[tuple[int, str, str, float, str, dt.date | None]] = []
    for number, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        report.total += 1
        try:
            code = normalize_code(cell(cells, "code"))
            if not code:
                raise Invalid("缺少统一社会信用代码")
            if not (is_valid_uscc(code) or is_valid_id_number(code)):
                raise Invalid(f"“{mask_ids_in(code)}”不是有效的统一社会信用代码")
            raw_dimension = cell(cells, "dimension")
            if not raw_dimension:
                raise Invalid("缺少维度")
            dimension = _dimension(raw_dimension, weighed, model.dimension)
            raw_score = cell(cells, "score")
            if not raw_score:
                raise Invalid("缺少分值")
            score = _score(raw_score, model.floor, model.ceiling)
            source = cell(cells, "source") or f"文件 {name}"
            if len(source) > 200:
                raise Invalid("来源过长：最多 200 个字符")
            parsed.append((number, code, dimension, score, source, _evaluated_on(cell(cells, "evaluated_on"))))
        except XinyongError as exc:
            report.rejected.append(RowProblem(row=number, reason=exc.message))

    ids = _entities(session, {code for _, code, *_ in parsed})
    latest: dict[tuple[int, str], _Row] = {}
    for number, code, dimension, score, source, evaluated_on in parsed:
        entity_id = ids.get(code)
        if entity_id is None:
            shown = mask_ids_in(code)
            report.rejected.append(RowProblem(row=number, reason=f"平台上没有代码为 {shown} 的信用主体"))
            if shown not in report.unknown_codes:
                report.unknown_codes.append(shown)
            continue
        row = _Row(number, entity_id, dimension, score, source, evaluated_on)
        before = latest.get((entity_id, dimension))
        if before is not None and _earlier(row.evaluated_on, before.evaluated_on):
            report.older += 1  # the file itself holds a later evaluation of this entity and dimension
            continue
        if before is not None:
            report.older += 1
        latest[(entity_id, dimension)] = row

    stored: dict[tuple[int, str], ExternalScore] = {}
    for part in batched(sorted({e for e, _ in latest})):
        for s in session.scalars(select(ExternalScore).where(ExternalScore.entity_id.in_(part))):
            stored[(s.entity_id, s.dimension)] = s
    changed: set[int] = set()
    at_time = now()
    for key, row in latest.items():
        have = stored.get(key)
        if have is None:
            session.add(ExternalScore(entity_id=row.entity_id, dimension=row.dimension, score=row.score, source=row.source,
                                      evaluated_on=row.evaluated_on, imported_by=actor.user_id, imported_at=at_time))
            report.imported += 1
        elif _earlier(row.evaluated_on, have.evaluated_on):
            report.older += 1
            continue
        elif (have.score, have.source, have.evaluated_on) == (row.score, row.source, row.evaluated_on):
            report.unchanged += 1
            continue
        else:
            have.score, have.source, have.evaluated_on = row.score, row.source, row.evaluated_on
            have.imported_by, have.imported_at = actor.user_id, at_time
            report.updated += 1
        changed.add(row.entity_id)
    report.rejected.sort(key=lambda p: p.row)
    report.entities = len(changed)
    if changed:
        session.flush()  # noticed here by the instant regrading (R-GRD-4)
        events.scores_imported(session, name, report.imported + report.updated, actor)
    return report


def _earlier(day: dt.date | None, than: dt.date | None) -> bool:
    return day is not None and than is not None and day < than


def scores_of(session: Session, entity_id: int) -> list[dict]:
    """An entity's external scores, for its page and its grade in the API."""
    rows = session.scalars(select(ExternalScore).where(ExternalScore.entity_id == entity_id)
                           .order_by(ExternalScore.dimension))
    return [{"dimension": s.dimension, "label": DIMENSION_LABELS.get(s.dimension, s.dimension), "score": s.score,
             "source": s.source, "evaluated_on": s.evaluated_on.isoformat() if s.evaluated_on else None} for s in rows]
