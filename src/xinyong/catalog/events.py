"""Named audit events for the catalog."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.audit.trail import describe, record_event

describe("catalog.defaults_loaded", "载入默认信用信息目录", subject=("catalog", "信用信息目录"))
describe("catalog.type_versioned", "信息类型生成新版本", subject=("info_type", "信息类型"))


def defaults_loaded(session: Session, actor, added: dict) -> None:
    record_event(session, "catalog.defaults_loaded", subject_type="catalog", actor=actor, detail=added)


def type_versioned(session: Session, actor, code: str, version: int, changed: list[str], note: str) -> None:
    record_event(session, "catalog.type_versioned", subject_type="info_type", subject_id=code, actor=actor,
                 detail={"version": version, "changed": changed, "note": note})
