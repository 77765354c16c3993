"""The catalog (R-CAT-1…5): information types are versioned; a change is a new version."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from xinyong.accounts.permissions import Actor, Permission
from xinyong.audit.trail import record_event
from xinyong.entities.privacy import forbidden_kind
from xinyong.kit.errors import Forbidden, Invalid, NotFound
from xinyong.kit.text import clean_text

from . import defaults
from .models import CATEGORY_LABELS, PUBLICITY_LABELS, InfoType, InfoTypeVersion, PublicityRegime
from .schemas import InfoTypeRead, InfoTypeUpdate

VERSION_FIELDS = ("name", "category", "publicity", "regime_code", "validity_months", "retention_years",
                  "deadline_workdays", "source_department", "update_cycle", "usage_scope", "subject_kinds",
                  "fields", "basis")


def load_defaults(session: Session, *, actor: Actor) -> dict[str, int]:
    """Safe to run again: what exists is left as the credit office may have edited it."""
    added = {"regimes": 0, "info_types": 0}
    have = set(session.scalars(select(PublicityRegime.code)))
    for regime in defaults.REGIMES:
        if regime["code"] not in have:
            session.add(PublicityRegime(**regime))
            added["regimes"] += 1
    session.flush()
    have = set(session.scalars(select(InfoType.code)))
    for spec in defaults.INFO_TYPES:
        if spec["code"] in have:
            continue
        _check_fields(spec["fields"])
        info_type = InfoType(code=spec["code"], current_version=1)
        session.add(info_type)
        session.flush()
        session.add(InfoTypeVersion(info_type_id=info_type.id, version=1, change_note="默认目录",
                                    **{k: v for k, v in spec.items() if k != "code"}))
        added["info_types"] += 1
    if any(added.values()):
        record_event(session, "catalog.defaults_loaded", subject_type="catalog", actor=actor, detail=added)
    return added


def _check_fields(fields: list[dict]) -> None:
    names = set()
    for i, f in enumerate(fields):
        name = f.get("name")
        if not name or not f.get("label"):
            raise Invalid(f"第 {i + 1} 个信息项缺少 name 或 label", field=f"fields[{i}]")
        kind = forbidden_kind(name) or forbidden_kind(f["label"])
        if kind:
            raise Invalid(f"信息项“{f['label']}”属于禁止归集的自然人信息（{kind}）", field=f"fields[{i}]")
        if name in names:
            raise Invalid(f"信息项 {name} 重复", field=f"fields[{i}]")
        names.add(name)


def _current(session: Session, code: str) -> tuple[InfoType, InfoTypeVersion]:
    info_type = session.scalar(select(InfoType).where(InfoType.code == code))
    if info_type is None:
        raise NotFound(f"目录中没有信息类型“{code}”")
    version = session.scalar(select(InfoTypeVersion).where(InfoTypeVersion.info_type_id == info_type.id,
                                                            InfoTypeVersion.version == info_type.current_version))
    return info_type, version


def to_read(code: str, v: InfoTypeVersion) -> InfoTypeRead:
    return InfoTypeRead(code=code, version=v.version, name=v.name, category=v.category,
                        category_label=CATEGORY_LABELS[v.category], publicity=v.publicity,
                        publicity_label=PUBLICITY_LABELS[v.publicity], regime_code=v.regime_code,
                        validity_months=v.validity_months, retention_years=v.retention_years,
                        deadline_workdays=v.deadline_workdays, source_department=v.source_department,
                        update_cycle=v.update_cycle, usage_scope=v.usage_scope, subject_kinds=v.subject_kinds,
                        fields=v.fields, basis=v.basis)


def list_types(session: Session) -> list[InfoTypeRead]:
    rows = session.execute(
        select(InfoType.code, InfoTypeVersion)
        .join(InfoTypeVersion, (InfoTypeVersion.info_type_id == InfoType.id)
              & (InfoTypeVersion.version == InfoType.current_version))
        .order_by(InfoType.id)
    ).all()
    return [to_read(code, v) for code, v in rows]


def get_type(session: Session, code: str, version: int | None = None) -> InfoTypeRead:
    info_type, current = _current(session, code)
    if version is None or version == current.version:
        return to_read(code, current)
    v = session.scalar(select(InfoTypeVersion).where(InfoTypeVersion.info_type_id == info_type.id,
                                                      InfoTypeVersion.version == version))
    if v is None:
        raise NotFound(f"信息类型“{code}”没有第 {version} 版")
    return to_read(code, v)


def history(session: Session, code: str) -> list[InfoTypeVersion]:
    info_type = session.scalar(select(InfoType).where(InfoType.code == code).options(selectinload(InfoType.versions)))
    if info_type is None:
        raise NotFound(f"目录中没有信息类型“{code}”")
    return list(info_type.versions)


def update_type(session: Session, *, actor: Actor, code: str, changes: InfoTypeUpdate) -> InfoTypeRead:
    """R-CAT-5: a new version; records made under the old one keep pointing at it."""
    if not actor.can(Permission.CATALOG_MANAGE):
        raise Forbidden("无权修改信用信息目录")
    info_type, current = _current(session, code)
    data = changes.model_dump(exclude_unset=True)
    note = clean_text(data.pop("change_note"), field="change_note", label="修改说明", max_len=500)
    if "fields" in data:
        _check_fields(data["fields"])
    if data.get("regime_code") and session.get(PublicityRegime, data["regime_code"]) is None:
        raise Invalid(f"未知的公示期限规则“{data['regime_code']}”", field="regime_code")
    values = {k: getattr(current, k) for k in VERSION_FIELDS} | data
    if all(values[k] == getattr(current, k) for k in VERSION_FIELDS):
        raise Invalid("修改前后内容相同，未生成新版本")
    new = InfoTypeVersion(info_type_id=info_type.id, version=current.version + 1, change_note=note, **values)
    session.add(new)
    info_type.current_version = new.version
    session.flush()
    record_event(session, "catalog.type_versioned", subject_type="info_type", subject_id=code, actor=actor,
                 detail={"version": new.version, "changed": sorted(data), "note": note})
    return to_read(code, new)


def list_regimes(session: Session) -> list[PublicityRegime]:
    return list(session.scalars(select(PublicityRegime).order_by(PublicityRegime.code)))
