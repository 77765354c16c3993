"""Which measures apply to an entity: pure rules on plain data (DESIGN: tested in milliseconds).

A measure has one or more *triggers*; it applies when any trigger holds. A trigger holds when every
condition it states holds:

- ``model``: the grading model the grade (and score) come from. Grades are letters of a model's own
  scale — the ETDZ A–D (000 表1), the culture-tourism AAA–C (001 文旅 §8) and Shijingshan's risk
  classes A–D (003 §10–11) share letters but not meaning — so a trigger on grades names its model;
  a trigger without one matches whatever model graded the entity;
- ``grades``: the entity's grade is one of them;
- ``lists``: the entity is on one of these lists (``red``, ``black``, ``key_attention``);
- ``above`` / ``at_or_below``: the score is strictly above / at or below the number (350–950);
- ``unless_lists``: the entity is on none of these lists (an entity black-listed by a department's
  determination gets no incentive from its grade).

Order of the answer (R-MEA-3 "mandatory first"): mandatory before recommended; within each,
punishments before incentives — a department acting on a check must first see what it may not grant;
then the catalog's own order (the order the measures were entered: the documents' article order).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from xinyong.kit.errors import Invalid

from .matters import MATTER_LABELS, MATTERS


class Kind(StrEnum):
    INCENTIVE = "incentive"  # 激励
    PUNISHMENT = "punishment"  # 惩戒


KIND_LABELS = {Kind.INCENTIVE: "激励", Kind.PUNISHMENT: "惩戒"}
MANDATORY_LABELS = {True: "强制性", False: "推荐性"}  # 002 二(四)1

# the list codes of SPEC §18 (``lists`` of `entity show`)
LIST_LABELS = {"red": "诚信典型（红名单）", "key_attention": "重点关注对象名单", "black": "严重失信主体（黑名单）"}

# the shipped grading models (xinyong.grading presets); a zone's own model may have another code
MODEL_LABELS = {
    "etdz_reference": "经开区信用评价（A/B/C/D）",
    "regional_nine_levels": "四等九级（A…D）",
    "wenlv_five_grades": "文化和旅游行业五级（AAA–C）",
    "shijingshan_risk_classes": "石景山区风险分类（A守信/B警示/C失信/D严重失信）",
}
DEFAULT_MODEL = "etdz_reference"

ALL_DEPARTMENTS = "all"  # 各行政部门
SCORE_RANGE = (0, 1000)
_MODEL_CODE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
_GRADE = re.compile(r"^[A-Za-z][A-Za-z+\-]{0,7}$")
TRIGGER_KEYS = ("model", "grades", "lists", "above", "at_or_below", "unless_lists")


@dataclass(frozen=True)
class Trigger:
    model: str | None = None
    grades: frozenset[str] = frozenset()
    lists: frozenset[str] = frozenset()
    above: float | None = None
    at_or_below: float | None = None
    unless_lists: frozenset[str] = frozenset()

    def holds(self, *, model: str | None, grade: str | None, score: float | None, lists: frozenset[str]) -> bool:
        if self.model is not None and model != self.model:
            return False
        if self.grades and grade not in self.grades:
            return False
        if self.lists and self.lists.isdisjoint(lists):
            return False
        if self.above is not None and (score is None or not score > self.above):
            return False
        if self.at_or_below is not None and (score is None or not score <= self.at_or_below):
            return False
        return self.unless_lists.isdisjoint(lists)

    def as_dict(self) -> dict[str, Any]:
        """The stored form: only what is set, lists sorted (a stable digest for the audit chain)."""
        out: dict[str, Any] = {}
        if self.model is not None:
            out["model"] = self.model
        for key in ("grades", "lists"):
            if getattr(self, key):
                out[key] = sorted(getattr(self, key))
        for key in ("above", "at_or_below"):
            value = getattr(self, key)
            if value is not None:
                out[key] = int(value) if float(value).is_integer() else value
        if self.unless_lists:
            out["unless_lists"] = sorted(self.unless_lists)
        return out

    def describe(self) -> str:
        """In the words of the measures page: 经开区信用评价（A/B/C/D）：等级为 A、B，未列入黑名单."""
        parts = []
        if self.grades:
            parts.append("等级为 " + "、".join(sorted(self.grades)))
        if self.lists:
            parts.append("列入" + "或".join(LIST_LABELS.get(c, c) for c in sorted(self.lists)))
        if self.above is not None:
            parts.append(f"分数高于 {self.as_dict()['above']}")
        if self.at_or_below is not None:
            parts.append(f"分数不高于 {self.as_dict()['at_or_below']}")
        if self.unless_lists:
            parts.append("未列入" + "、".join(LIST_LABELS.get(c, c) for c in sorted(self.unless_lists)))
        text = "，".join(parts)
        return f"{MODEL_LABELS.get(self.model, self.model)}：{text}" if self.model else text


@dataclass(frozen=True)
class Measure:
    """One measure as the catalog currently has it (its current, not retired, version)."""

    code: str
    version: int
    name: str
    kind: Kind
    mandatory: bool
    basis: str
    triggers: tuple[Trigger, ...]
    matters: frozenset[str]
    departments: tuple[str, ...]
    duration: str | None = None
    duration_months: int | None = None
    extends_to_related: bool = False
    notes: str | None = None
    order: int = 0  # the catalog's own order (the head row's id)
    rank: tuple[int, int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rank", (0 if self.mandatory else 1, 0 if self.kind is Kind.PUNISHMENT else 1, self.order))

    def applies(self, *, model: str | None, grade: str | None, score: float | None, lists: frozenset[str]) -> bool:
        return any(t.holds(model=model, grade=grade, score=score, lists=lists) for t in self.triggers)

    @property
    def department_labels(self) -> list[str]:
        return ["各行政部门" if d == ALL_DEPARTMENTS else d for d in self.departments]

    def as_dict(self) -> dict[str, Any]:
        """What a credit check returns for it (SPEC §18: at least ``name``, ``mandatory``, ``basis``)."""
        return {"code": self.code, "version": self.version, "name": self.name, "kind": self.kind.value,
                "kind_label": KIND_LABELS[self.kind], "mandatory": self.mandatory,
                "mandatory_label": MANDATORY_LABELS[self.mandatory], "basis": self.basis,
                "departments": self.department_labels, "matters": sorted(self.matters),
                "duration": self.duration, "duration_months": self.duration_months,
                "extends_to_related": self.extends_to_related, "notes": self.notes}


def applicable(measures: Iterable[Measure], *, grade: str | None, score: float | None, lists: Iterable[str] = (),
               model: str | None = DEFAULT_MODEL, matter: str | None = None, related: bool = False) -> list[Measure]:
    """The measures that apply, mandatory first, then punishments before incentives, then catalog order.

    ``matter``: only measures that apply to that matter. ``related``: the check is about a related
    person (legal representative, manager …) of the entity whose grade, score and lists are given —
    only the measures that extend to related persons (000 §37(二); 002 二(四)3; R-MEA-2).
    ``model``: the grading model the grade comes from; None matches only triggers that name none.
    """
    on = frozenset(lists)
    found = [m for m in measures
             if (matter is None or matter in m.matters) and (not related or m.extends_to_related)
             and m.applies(model=model, grade=grade, score=score, lists=on)]
    found.sort(key=lambda m: m.rank)
    return found


class Catalog:
    """The active catalog, indexed by matter once, so that a check scans only its matter's measures."""

    def __init__(self, measures: Iterable[Measure]):
        self.measures: tuple[Measure, ...] = tuple(sorted(measures, key=lambda m: m.rank))
        self._by_matter: dict[str, tuple[Measure, ...]] = {}
        for m in self.measures:
            for matter in m.matters:
                self._by_matter.setdefault(matter, ())
                self._by_matter[matter] += (m,)

    def __len__(self) -> int:
        return len(self.measures)

    def applicable(self, *, grade: str | None, score: float | None, lists: Iterable[str] = (),
                   model: str | None = DEFAULT_MODEL, matter: str | None = None, related: bool = False) -> list[Measure]:
        pool = self.measures if matter is None else self._by_matter.get(matter, ())
        return applicable(pool, grade=grade, score=score, lists=lists, model=model, matter=matter, related=related)


def measure_from(data: Mapping[str, Any], *, code: str, version: int = 1, order: int = 0) -> Measure:
    """A measure from its stored form (a version row's columns, or an entry of ``defaults.MEASURES``)."""
    return Measure(code=code, version=version, name=data["name"], kind=Kind(data["kind"]), mandatory=bool(data["mandatory"]),
                   basis=data["basis"], triggers=tuple(trigger_from(t) for t in data["triggers"]),
                   matters=frozenset(data["matters"]), departments=tuple(data["departments"]),
                   duration=data.get("duration"), duration_months=data.get("duration_months"),
                   extends_to_related=bool(data.get("extends_to_related")), notes=data.get("notes"), order=order)


# ---- reading triggers from a payload, with reasons a clerk can act on ----------------------------

def _number(value: Any, where: str, label: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"{label}应为数字", field=where)
    if not math.isfinite(value) or not SCORE_RANGE[0] <= value <= SCORE_RANGE[1]:
        raise Invalid(f"{label}应在 {SCORE_RANGE[0]}–{SCORE_RANGE[1]} 之间", field=where)
    return float(value)


def _codes(value: Any, where: str, label: str, known: Mapping[str, str] | None = None,
           pattern: re.Pattern | None = None) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{label}应为文本列表", field=where)
    out = set()
    for v in value:
        v = v.strip()
        if known is not None and v not in known:
            raise Invalid(f"{label}“{v}”不是已知的名单；应为 {'、'.join(known)} 之一", field=where)
        if pattern is not None and not pattern.match(v):
            raise Invalid(f"{label}“{v}”格式不对（等级如 A、B、AAA、B+）", field=where)
        out.add(v)
    return frozenset(out)


def trigger_from(data: Any, where: str = "triggers[0]") -> Trigger:
    if not isinstance(data, Mapping):
        raise Invalid("触发条件应为对象", field=where)
    unknown = set(data) - set(TRIGGER_KEYS)
    if unknown:
        raise Invalid(f"触发条件含有不认识的属性：{'、'.join(sorted(map(str, unknown)))}", field=where)
    model = data.get("model") or None
    if model is not None and (not isinstance(model, str) or not _MODEL_CODE.match(model)):
        raise Invalid("评价模型代码应为小写英文字母开头的标识符", field=f"{where}.model")
    t = Trigger(model=model, grades=_codes(data.get("grades"), f"{where}.grades", "等级", pattern=_GRADE),
                lists=_codes(data.get("lists"), f"{where}.lists", "名单", LIST_LABELS),
                above=_number(data.get("above"), f"{where}.above", "分数下限（不含）"),
                at_or_below=_number(data.get("at_or_below"), f"{where}.at_or_below", "分数上限（含）"),
                unless_lists=_codes(data.get("unless_lists"), f"{where}.unless_lists", "排除名单", LIST_LABELS))
    if not (t.grades or t.lists or t.above is not None or t.at_or_below is not None):
        raise Invalid("触发条件至少应有等级、名单或分数线之一", field=where)
    if t.above is not None and t.at_or_below is not None and t.above >= t.at_or_below:
        raise Invalid("分数下限应低于分数上限，否则没有主体满足该条件", field=where)
    if t.lists & t.unless_lists:
        raise Invalid("同一名单不能既是触发条件又是排除条件", field=where)
    return t


def triggers_from(data: Any) -> tuple[Trigger, ...]:
    if not isinstance(data, list | tuple) or not data:
        raise Invalid("至少应有一个触发条件", field="triggers")
    if len(data) > 20:
        raise Invalid("触发条件最多 20 个", field="triggers")
    triggers = tuple(trigger_from(t, f"triggers[{i}]") for i, t in enumerate(data))
    if len(set(triggers)) != len(triggers):
        raise Invalid("触发条件有重复", field="triggers")
    return triggers


def matters_from(data: Any) -> frozenset[str]:
    if not isinstance(data, list | tuple) or not data:
        raise Invalid("至少应选择一个适用事项", field="matters")
    out = set()
    for v in data:
        if not isinstance(v, str) or v not in MATTERS:
            raise Invalid(f"“{v}”不是已知的事项；应为以下之一：{'、'.join(MATTER_LABELS)}", field="matters")
        out.add(v)
    return frozenset(out)
