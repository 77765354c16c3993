"""The measures catalog (奖惩措施清单, R-MEA-1, R-MEA-2): versioned measures and which of them apply.

Every change is a new version — creating, editing and retiring alike — written by the credit office.
``applicable`` answers the credit check (R-MEA-3) from an in-process copy of the active catalog, built
once per catalog state and keyed by ``repository.catalog_token`` (a new version changes it, in this
process or any other), so a check costs one small aggregate query and a scan of its matter's measures.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor, Permission
from xinyong.kit.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.kit.text import clean_text

from . import defaults, events, repository
from .matching import (
    ALL_DEPARTMENTS,
    DEFAULT_MODEL,
    KIND_LABELS,
    MANDATORY_LABELS,
    Catalog,
    Kind,
    Measure,
    matters_from,
    measure_from,
    trigger_from,
    triggers_from,
)
from .matters import MATTER_LABELS, MATTERS, parse_matter
from .models import Measure as MeasureHead
from .models import MeasureVersion
from .schemas import MatterRead, MeasureCreate, MeasureRead, MeasureUpdate

VERSION_FIELDS = ("name", "kind", "mandatory", "basis", "triggers", "matters", "departments", "duration", "duration_months",
                  "extends_to_related", "notes")
CODE = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
MATTER_ORDER = {code: i for i, code in enumerate(MATTERS)}


def require_manager(actor: Actor) -> None:
    if not actor.can(Permission.MEASURE_MANAGE):  # the credit office alone edits the catalog
        raise Forbidden("只有信用办可以修改奖惩措施清单")


# ---- checking what the credit office writes --------------------------------------------------------

def _flag(value: Any, field: str, label: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"{label}应为是或否", field=field)
    return value


def _departments(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        raise Invalid("至少应有一个实施部门（全部行政部门写 all）", field="departments")
    out: list[str] = []
    for i, d in enumerate(value):
        d = clean_text(d, field=f"departments[{i}]", label="实施部门", max_len=100)
        d = ALL_DEPARTMENTS if d in ("各行政部门", "全部", "全部行政部门") else d
        if d not in out:
            out.append(d)
    if ALL_DEPARTMENTS in out and len(out) > 1:
        raise Invalid("“各行政部门”已包含全部部门，不必再列出其他部门", field="departments")
    return out


def _check(data: dict[str, Any]) -> dict[str, Any]:
    """Each field given, checked and in its stored form (raises Invalid naming the field)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "name":
            out[key] = clean_text(value, field=key, label="措施名称", max_len=200)
        elif key == "kind":
            try:
                out[key] = Kind(value)
            except ValueError:
                raise Invalid("措施类型应为 incentive（激励）或 punishment（惩戒）", field=key) from None
        elif key == "mandatory":
            out[key] = _flag(value, key, "是否强制性措施")
        elif key == "extends_to_related":
            out[key] = _flag(value, key, "是否延伸至相关责任人")
        elif key == "basis":
            out[key] = clean_text(value, field=key, label="依据", max_len=2000, multiline=True)
        elif key == "triggers":
            out[key] = [t.as_dict() for t in triggers_from(value)]
        elif key == "matters":
            out[key] = sorted(matters_from(value), key=MATTER_ORDER.__getitem__)
        elif key == "departments":
            out[key] = _departments(value)
        elif key == "duration":
            out[key] = clean_text(value, field=key, label="实施期限", max_len=500, required=False, multiline=True)
        elif key == "duration_months":
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1200):
                raise Invalid("实施期限（月）应为 1–1200 之间的整数", field=key)
            out[key] = value
        elif key == "notes":
            out[key] = clean_text(value, field=key, label="备注", max_len=2000, required=False, multiline=True)
        else:  # the schemas forbid other keys; a default with a typo is caught here
            raise Invalid(f"不认识的属性 {key}", field=key)
    return out


def _new_content(data: dict[str, Any]) -> dict[str, Any]:
    missing = [k for k in ("name", "kind", "basis", "triggers", "matters") if data.get(k) is None]
    if missing:
        raise Invalid(f"{missing[0]} 不能为空", field=missing[0])
    content = {"mandatory": False, "departments": [ALL_DEPARTMENTS], "duration": None, "duration_months": None,
               "extends_to_related": False, "notes": None} | data
    return _check(content)


RESERVED_CODES = {"new", "preview", "matters", "applicable"}  # paths beside /measures/{code}


def _code(value: Any) -> str:
    if not isinstance(value, str) or not CODE.match(value.strip()):
        raise Invalid("措施代码应为小写英文字母开头、由小写字母、数字和下划线组成的 2–60 位标识符", field="code")
    if value.strip() in RESERVED_CODES:
        raise Invalid(f"“{value.strip()}”是保留字，不能用作措施代码", field="code")
    return value.strip()


# ---- reading -------------------------------------------------------------------------------------

def to_read(code: str, v: MeasureVersion) -> MeasureRead:
    triggers = [trigger_from(t) for t in v.triggers]
    return MeasureRead(code=code, version=v.version, name=v.name, kind=v.kind, kind_label=KIND_LABELS[v.kind],
                       mandatory=v.mandatory, mandatory_label=MANDATORY_LABELS[v.mandatory], basis=v.basis,
                       triggers=list(v.triggers), trigger_texts=[t.describe() for t in triggers],
                       matters=list(v.matters), matter_labels=[MATTER_LABELS.get(m, m) for m in v.matters],
                       departments=list(v.departments),
                       department_labels=["各行政部门" if d == ALL_DEPARTMENTS else d for d in v.departments],
                       duration=v.duration, duration_months=v.duration_months, extends_to_related=v.extends_to_related,
                       notes=v.notes, retired=v.retired, change_note=v.change_note, created_at=v.created_at)


def _current(session: Session, code: str) -> tuple[MeasureHead, MeasureVersion]:
    head = repository.measure(session, code)
    if head is None:
        raise NotFound(f"奖惩措施清单中没有措施“{code}”")
    return head, repository.version(session, head.id, head.current_version)


def list_measures(session: Session, *, include_retired: bool = False, kind: Kind | None = None,
                  matter: str | None = None) -> list[MeasureRead]:
    matter = parse_matter(matter)
    return [to_read(code, v) for _, code, v in repository.current_versions(session)
            if (include_retired or not v.retired) and (kind is None or v.kind == kind)
            and (matter is None or matter in v.matters)]


def get_measure(session: Session, code: str, version: int | None = None) -> MeasureRead:
    head, current = _current(session, code)
    if version is None or version == current.version:
        return to_read(code, current)
    v = repository.version(session, head.id, version)
    if v is None:
        raise NotFound(f"措施“{code}”没有第 {version} 版")
    return to_read(code, v)


def history(session: Session, code: str) -> list[MeasureVersion]:
    head = repository.measure(session, code, with_versions=True)
    if head is None:
        raise NotFound(f"奖惩措施清单中没有措施“{code}”")
    return list(head.versions)


def matters() -> list[MatterRead]:
    return [MatterRead(code=m.code, label=m.label, duty=m.duty.value if m.duty else None, basis=m.basis)
            for m in MATTERS.values()]


# ---- writing -------------------------------------------------------------------------------------

def load_defaults(session: Session, *, actor: Actor) -> dict[str, int]:
    """Safe to run again: a measure that exists — edited or retired by the credit office — is left as it is."""
    have = repository.codes(session)
    added = 0
    for spec in defaults.MEASURES:
        if spec["code"] in have:
            continue
        content = _new_content({k: v for k, v in spec.items() if k != "code"})
        head = MeasureHead(code=_code(spec["code"]), current_version=1)
        session.add(head)
        session.flush()
        session.add(MeasureVersion(measure_id=head.id, version=1, change_note="默认清单", created_by=actor.user_id,
                                   **content))
        added += 1
    session.flush()
    if added:
        events.defaults_loaded(session, actor, {"measures": added})
    return {"measures": added}


def create_measure(session: Session, *, actor: Actor, measure_in: MeasureCreate) -> MeasureRead:
    require_manager(actor)
    data = measure_in.model_dump()
    code = _code(data.pop("code"))
    note = clean_text(data.pop("change_note"), field="change_note", label="修改说明", max_len=500, required=False,
                      multiline=True) or "新增措施"
    if repository.measure(session, code) is not None:
        raise Conflict(f"措施代码“{code}”已存在；修改已有措施请生成新版本", field="code")
    content = _new_content(data)
    head = MeasureHead(code=code, current_version=1)
    session.add(head)
    session.flush()
    version = MeasureVersion(measure_id=head.id, version=1, change_note=note, created_by=actor.user_id, **content)
    session.add(version)
    session.flush()
    events.created(session, actor, code, note)
    return to_read(code, version)


def _next_version(session: Session, actor: Actor, head: MeasureHead, values: dict[str, Any], *, retired: bool,
                  note: str) -> MeasureVersion:
    new = MeasureVersion(measure_id=head.id, version=head.current_version + 1, retired=retired, change_note=note,
                         created_by=actor.user_id, **values)
    session.add(new)
    head.current_version = new.version
    session.flush()
    return new


def update_measure(session: Session, *, actor: Actor, code: str, changes: MeasureUpdate) -> MeasureRead:
    """A new version; a retired measure is put back in force by it. Earlier versions stay readable."""
    require_manager(actor)
    head, current = _current(session, code)
    data = changes.model_dump(exclude_unset=True)
    note = clean_text(data.pop("change_note"), field="change_note", label="修改说明", max_len=500, multiline=True)
    data = _check(data)
    values = {k: getattr(current, k) for k in VERSION_FIELDS} | data
    changed = [k for k in VERSION_FIELDS if values[k] != getattr(current, k)]
    if not changed and not current.retired:
        raise Invalid("修改前后内容相同，未生成新版本")
    new = _next_version(session, actor, head, values, retired=False, note=note)
    events.versioned(session, actor, code, new.version, changed + (["retired"] if current.retired else []), note)
    return to_read(code, new)


def retire_measure(session: Session, *, actor: Actor, code: str, note: str) -> MeasureRead:
    """Retiring is a version too: the measure no longer applies from now on, its history stays."""
    require_manager(actor)
    head, current = _current(session, code)
    note = clean_text(note, field="change_note", label="停用说明", max_len=500, multiline=True)
    if current.retired:
        raise Conflict(f"措施“{current.name}”已停用")
    new = _next_version(session, actor, head, {k: getattr(current, k) for k in VERSION_FIELDS}, retired=True, note=note)
    events.retired(session, actor, code, new.version, note)
    return to_read(code, new)


# ---- which measures apply (the credit check) ------------------------------------------------------

_CACHE: dict[str, tuple[tuple, Catalog]] = {}


def _rule(order: int, code: str, v: MeasureVersion) -> Measure:
    return measure_from({k: getattr(v, k) for k in VERSION_FIELDS}, code=code, version=v.version, order=order)


def active_catalog(session: Session, token: tuple | None = None) -> Catalog:
    """The measures in force, from this process's copy while no version has been written since it was built.
    ``token``: ``repository.catalog_token`` when the caller has read it (a credit check, with the standing)."""
    bind = session.get_bind()
    key = bind.url.render_as_string(hide_password=False)
    token = token if token is not None else repository.catalog_token(session)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == token:
        return hit[1]
    catalog = Catalog(_rule(order, code, v) for order, code, v in repository.current_versions(session) if not v.retired)
    _CACHE[key] = (token, catalog)
    return catalog


def _active_model(session: Session) -> str:
    from xinyong.grading.service import active_version

    version = active_version(session)
    return version.code if version is not None else DEFAULT_MODEL


def applicable(session: Session, *, grade: str | None, score: float | None, lists, matter: str | None = None,
               related: bool = False, model: str | None = None, catalog_token: tuple | None = None) -> list[Measure]:
    """The measures that apply to an entity with this grade, score and lists: mandatory first, then
    punishments before incentives, then catalog order (see ``matching``). Each has ``name``, ``kind``,
    ``mandatory``, ``basis``, ``departments`` (``as_dict()`` for JSON).

    ``matter``: a matter code or label (``matters.MATTERS``), only the measures for it. ``related=True``:
    the person checked is a legal representative or manager of the entity whose standing is given —
    only the measures that reach related persons (R-MEA-2). ``model``: the grading model the grade
    comes from (``Standing.model.code``); None means the zone's active model, at the cost of a query.
    ``catalog_token``: see ``active_catalog``.
    """
    matter = parse_matter(matter)
    if model is None:
        model = _active_model(session)
    return active_catalog(session, catalog_token).applicable(grade=grade, score=score, lists=lists, model=model, matter=matter,
                                              related=related)
