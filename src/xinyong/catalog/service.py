"""The catalog (R-CAT-1…5): information types are versioned; a change is a new version."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor, Permission
from xinyong.entities.privacy import forbidden_catalog_field, forbidden_field, refuse_forbidden_type
from xinyong.kit.errors import Forbidden, Invalid, NotFound
from xinyong.kit.text import clean_text

from . import defaults, events, repository
from .models import CATEGORY_LABELS, PUBLICITY_LABELS, InfoType, InfoTypeVersion, PublicityRegime
from .schemas import InfoTypeRead, InfoTypeUpdate

VERSION_FIELDS = ("name", "category", "publicity", "regime_code", "validity_months", "retention_years",
                  "deadline_workdays", "source_department", "update_cycle", "usage_scope", "subject_kinds",
                  "fields", "basis")


def load_defaults(session: Session, *, actor: Actor) -> dict[str, int]:
    """Safe to run again: what exists is left as the credit office may have edited it."""
    added = {"regimes": 0, "info_types": 0}
    have = repository.regime_codes(session)
    for regime in defaults.REGIMES:
        if regime["code"] not in have:
            session.add(PublicityRegime(**regime))
            added["regimes"] += 1
    session.flush()
    have = repository.type_codes(session)
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
        events.defaults_loaded(session, actor, added)
    return added


FIELD_TYPES = {"text", "date", "money", "uscc", "enum", "enum_list", "bool"}
FIELD_KEYS = {"name", "label", "type", "required", "options"}
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _check_fields(fields: list) -> None:
    names = set()
    for i, f in enumerate(fields):
        where = f"fields[{i}]"
        if not isinstance(f, dict):
            raise Invalid(f"第 {i + 1} 个信息项应为对象", field=where)
        unknown = set(f) - FIELD_KEYS
        if unknown:
            raise Invalid(f"第 {i + 1} 个信息项含有不认识的属性：{'、'.join(sorted(map(str, unknown)))}", field=where)
        name, label = f.get("name"), f.get("label")
        kind = forbidden_field(name, label)  # R-ENT-5, by name and label alike: belief / 宗教信仰情况
        if kind:  # first: the clerk learns why, not merely that the name is malformed
            raise Invalid(f"信息项“{label or name}”属于禁止归集的自然人信息（{kind}）", field=where)
        if not isinstance(name, str) or not FIELD_NAME.match(name):
            raise Invalid(f"第 {i + 1} 个信息项的字段名应为小写英文字母开头的标识符", field=f"{where}.name")
        label = clean_text(label, field=f"{where}.label", label="信息项名称", max_len=100)
        if f.get("type") not in FIELD_TYPES:
            raise Invalid(f"信息项“{label}”的类型应为 {'、'.join(sorted(FIELD_TYPES))} 之一", field=f"{where}.type")
        if not isinstance(f.get("required", False), bool):
            raise Invalid(f"信息项“{label}”的 required 应为 true 或 false", field=f"{where}.required")
        options = f.get("options")
        if options is not None and not (isinstance(options, list) and all(isinstance(o, str) for o in options)):
            raise Invalid(f"信息项“{label}”的可选值应为文本列表", field=f"{where}.options")
        if name in names:
            raise Invalid(f"信息项 {name} 重复", field=where)
        names.add(name)


# (label, max length, multiline) for the text columns of a version
TEXT_LIMITS = {"name": ("信息类型名称", 100, False), "source_department": ("数据来源", 200, False),
               "update_cycle": ("更新周期", 40, False), "usage_scope": ("使用范围", 2000, True)}
# (label, low, high, may be empty)
NUMBER_LIMITS = {"validity_months": ("使用期限（月）", 1, 1200, True), "retention_years": ("保存期限（年）", 1, 100, False),
                 "deadline_workdays": ("归集时限（工作日）", 1, 60, False)}


def _check_changes(session: Session, data: dict) -> dict:
    for key in ("category", "publicity", "fields"):
        if key in data and data[key] is None:
            raise Invalid(f"{key} 不能为空", field=key)
    for key, (label, max_len, multiline) in TEXT_LIMITS.items():
        if key in data:
            data[key] = clean_text(data[key], field=key, label=label, max_len=max_len, multiline=multiline)
    for key, (label, low, high, nullable) in NUMBER_LIMITS.items():
        if key in data:
            value = data[key]
            if value is None and nullable:
                continue
            if value is None or not low <= value <= high:
                raise Invalid(f"{label}应在 {low}–{high} 之间", field=key)
    if "fields" in data:
        _check_fields(data["fields"])
    if "regime_code" in data and data["regime_code"] is not None and repository.regime(session, data["regime_code"]) is None:
        raise Invalid(f"未知的公示期限规则“{data['regime_code']}”", field="regime_code")
    return data


def _current(session: Session, code: str) -> tuple[InfoType, InfoTypeVersion]:
    info_type = repository.info_type(session, code)
    if info_type is None:
        raise NotFound(f"目录中没有信息类型“{code}”")
    return info_type, repository.version(session, info_type.id, info_type.current_version)


def to_read(code: str, v: InfoTypeVersion) -> InfoTypeRead:
    return InfoTypeRead(code=code, version=v.version, name=v.name, category=v.category,
                        category_label=CATEGORY_LABELS[v.category], publicity=v.publicity,
                        publicity_label=PUBLICITY_LABELS[v.publicity], regime_code=v.regime_code,
                        validity_months=v.validity_months, retention_years=v.retention_years,
                        deadline_workdays=v.deadline_workdays, source_department=v.source_department,
                        update_cycle=v.update_cycle, usage_scope=v.usage_scope, subject_kinds=v.subject_kinds,
                        fields=v.fields, basis=v.basis)


def list_types(session: Session) -> list[InfoTypeRead]:
    return [to_read(code, v) for code, v in repository.current_versions(session)]


def get_type(session: Session, code: str, version: int | None = None) -> InfoTypeRead:
    info_type, current = _current(session, code)
    if version is None or version == current.version:
        return to_read(code, current)
    v = repository.version(session, info_type.id, version)
    if v is None:
        raise NotFound(f"信息类型“{code}”没有第 {version} 版")
    return to_read(code, v)


def history(session: Session, code: str) -> list[InfoTypeVersion]:
    info_type = repository.info_type(session, code, with_versions=True)
    if info_type is None:
        raise NotFound(f"目录中没有信息类型“{code}”")
    return list(info_type.versions)


def update_type(session: Session, *, actor: Actor, code: str, changes: InfoTypeUpdate) -> InfoTypeRead:
    """R-CAT-5: a new version; records made under the old one keep pointing at it."""
    if not actor.can(Permission.CATALOG_MANAGE):
        raise Forbidden("无权修改信用信息目录")
    info_type, current = _current(session, code)
    data = changes.model_dump(exclude_unset=True)
    note = clean_text(data.pop("change_note"), field="change_note", label="修改说明", max_len=500, multiline=True)
    data = _check_changes(session, data)
    values = {k: getattr(current, k) for k in VERSION_FIELDS} | data
    if "fields" not in data and (found := forbidden_catalog_field(values["fields"])):
        # a field stored before R-ENT-5 was checked by label must not be carried into a new version
        f, kind = found
        raise Invalid(f"现行版本的信息项“{f.get('label') or f.get('name')}”属于禁止归集的自然人信息（{kind}），"
                      "请在本次修改中一并删除该信息项", field="fields")
    if all(values[k] == getattr(current, k) for k in VERSION_FIELDS):
        raise Invalid("修改前后内容相同，未生成新版本")
    new = InfoTypeVersion(info_type_id=info_type.id, version=current.version + 1, change_note=note, **values)
    session.add(new)
    info_type.current_version = new.version
    session.flush()
    events.type_versioned(session, actor, code, new.version, sorted(data), note)
    return to_read(code, new)


def list_regimes(session: Session) -> list[PublicityRegime]:
    return repository.regimes(session)


def current_version(session: Session, code: str) -> InfoTypeVersion:
    """The version a new record is made under (R-CAT-5: records keep it). A version defining a field
    R-ENT-5 forbids (stored before the label was checked) takes no new record, by any channel."""
    version = _current(session, code)[1]
    refuse_forbidden_type(version.name, version.fields)
    return version


def regime_rules(session: Session, regime_code: str | None) -> dict | None:
    if regime_code is None:
        return None
    regime = repository.regime(session, regime_code)
    return regime.rules if regime else None
