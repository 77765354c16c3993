"""异议处理结果告知书: the written notice the applicant gets once the credit office has decided (R-OBJ-2,
000 §24 "书面告知"), as a numbered A4 PDF. Who may read the objection may have its notice: the applicant,
the verifying department, the credit office and the auditor (``repository.readable``).

The notice is rendered from the objection as it stands, so a notice taken after the management committee
decided an appeal carries that decision too (000 §26)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor
from xinyong.kit.errors import Conflict

from . import reading
from .deadlines import CORRECT_WORKDAYS
from .models import Objection, Outcome, Status, Target
from .schemas import ObjectionRead

TEMPLATE = "objections/notice.html"
# the notice's own environment: the CLI renders it too, with no web app around
_env = Environment(loader=FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
_NUMERALS = "一二三四五六七八九十"


def chinese_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


_env.filters["cn_date"] = chinese_date
_env.globals["numerals"] = _NUMERALS


@dataclass(frozen=True)
class Notice:
    objection_id: int
    number: str
    filename: str
    content: bytes

    def disposition(self, kind: str = "attachment") -> str:
        # an ASCII name for old clients, the Chinese one (RFC 6266 / 5987) for the rest
        return (f"{kind}; filename=\"objection-{self.objection_id}-notice.pdf\"; "
                f"filename*=UTF-8''{quote(self.filename)}")


def _settings(session: Session):
    return session.info.get("settings")


def _issuer(session: Session, zone: str) -> str:
    """The credit office as registered among the departments; else the zone's 信用办."""
    from xinyong.accounts.models import Department

    name = session.scalar(select(Department.name).where(Department.is_credit_office.is_(True))
                          .order_by(Department.id).limit(1))
    return name or f"{zone}信用办"


def subject_of(o: ObjectionRead) -> str:
    """What was objected to, as a phrase that reads both in a table and in a sentence."""
    if o.target == Target.RECORD:
        what = f"“{o.info_type_name}”信息" if o.info_type_name else "信用记录"
        return f"{what}（文书号 {o.document_number}）" if o.document_number else what
    if o.target == Target.LIST_ENTRY:
        return f"列入{o.list_label}的记录" if o.list_label else "名单记录"
    if o.grade:
        return f"信用评价结果（{o.grade}级" + (f"，{o.score}分）" if o.score is not None else "）")
    return "信用评价结果"


def _addressed_as(session: Session, o: ObjectionRead) -> str:
    from xinyong.entities.models import EntityKind

    if o.applicant_department_id is not None:
        return "你单位"
    return "你" if session.get(Objection, o.id).entity.kind is EntityKind.NATURAL_PERSON else "你单位"


def _follow_up(o: ObjectionRead) -> list[str]:
    """What follows from the decision in force (after an appeal, the committee's)."""
    outcome = Outcome.UPHELD if o.upheld else Outcome(o.outcome) if o.outcome else None
    if outcome is Outcome.UPHELD:
        if o.target == Target.RECORD:
            line = f"信息将在{CORRECT_WORKDAYS}个工作日内更正并在原公示范围内重新发布"
            line += (f"（最迟于{chinese_date(o.correct_by)}完成）。" if o.correct_by
                     else "（完成日期待相关年度放假安排公布后确定）。")
            lines = [line]
            if o.corrected:
                lines.append("该信息已完成更正，更正后的信息已按原公示范围发布。")
            return lines
        if o.target == Target.LIST_ENTRY:
            return ["相关名单记录依本决定予以更正，据此采取的惩戒措施依程序解除。", "已据此重新进行信用评价。"]
        return ["已据此重新进行信用评价，评价结果以平台最新发布的为准。"]
    if outcome is Outcome.NOT_UPHELD:
        return ["异议不成立，原信息予以维持；异议处理程序终结后，该信息不再标注“异议处理中”，继续依规公示和使用。"]
    return ["异议申请与核查意见将一并记载于该信息，供依法查询和使用时参考。"]


def context(session: Session, *, actor: Actor, objection_id: int, day: dt.date | None = None) -> dict[str, Any]:
    """What the notice says; refused (409) until the credit office has decided."""
    o = reading.get(session, actor=actor, objection_id=objection_id, day=day)
    if o.notice_number is None or o.decided_on is None:
        if o.status == Status.WITHDRAWN:
            raise Conflict(f"异议 #{o.id} 已于{o.withdrawn_on.isoformat()}撤回，未作出处理决定，没有处理结果告知书")
        raise Conflict(f"异议 #{o.id} 尚未作出处理决定（当前：{o.status_label}），处理结果告知书在信用办作出决定后出具")
    settings = _settings(session)
    zone = getattr(settings, "zone_name", "北京经济技术开发区")
    return {
        "o": o,
        "zone": zone,
        "issuer": _issuer(session, zone),
        "committee": f"{zone}管理委员会",
        "by_department": o.applicant_department_id is not None,
        "you": _addressed_as(session, o),
        "subject": subject_of(o),
        "first_outcome_label": o.outcome_label,
        "follow_up": _follow_up(o),
        "appeal_workdays": getattr(settings, "appeal_workdays", 15),
    }


def render(session: Session, *, actor: Actor, objection_id: int, day: dt.date | None = None) -> Notice:
    """The notice as PDF. Nothing outside the document is fetched while rendering: every style is in it."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    ctx = context(session, actor=actor, objection_id=objection_id, day=day)
    html = _env.get_template(TEMPLATE).render(**ctx)
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()
    number = ctx["o"].notice_number
    return Notice(objection_id=objection_id, number=number, filename=f"异议处理结果告知书{number}.pdf", content=pdf)
