"""A grading model as data (R-GRD-1…3, R-GRD-7): the frozen classes, and ``load`` to read one.

Pure: no database. ``load`` returns a ``GradingModel``; every refusal is a ``ModelError`` that names
the file, the line and the reason in Chinese (the checks are in ``reading``). The file format is
described in the package docstring (``xinyong.grading``).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TypeVar

from xinyong.kit.errors import Invalid
from xinyong.records.periods import SEVERITY_LABELS

T = TypeVar("T")
SEVERITY = "severity"  # the record column, not a content field
SEVERITY_NAMES = {s.value: label for s, label in SEVERITY_LABELS.items()}
PRESETS = ("etdz_reference", "wenlv_five_grades", "shijingshan_risk_classes", "regional_nine_levels")
DEFAULT_PRESET = "etdz_reference"


class ModelError(Invalid):
    """A model file that cannot be used: where and why."""

    def __init__(self, source: str, line: int, reason: str):
        super().__init__(f"{source} 第 {line} 行：{reason}")
        self.source = source
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Band:
    grade: str
    label: str
    above: float  # exclusive
    up_to: float  # inclusive


@dataclass(frozen=True)
class ListRule:
    """An entity is put on the list when every condition given holds (R-LST-1, R-LST-2)."""

    code: str
    label: str
    grades: tuple[str, ...] = ()
    above: float | None = None  # score strictly above
    at_or_below: float | None = None  # score at or below


@dataclass(frozen=True)
class Indicator:
    """A node of the indicator tree. A node with ``children`` sums them; a leaf scores records.

    A leaf selects records whose information type is one of ``types``; with ``by`` unset every such
    record scores ``points[""]``; with ``by`` set (``severity`` or a content field), a record scores
    ``points[value]`` and a record whose value is not listed is not selected at all.
    """

    code: str
    name: str
    level: int
    parent: str | None
    low: int | None = None
    high: int | None = None
    types: tuple[str, ...] = ()
    by: str | None = None
    points: Mapping[str, int] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    advice: str = ""
    children: tuple[Indicator, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def clip(self, points: int) -> int:
        if self.low is not None:
            points = max(points, self.low)
        if self.high is not None:
            points = min(points, self.high)
        return points

    def label_of(self, key: str) -> str | None:
        if self.by is None:
            return None
        if key in self.labels:
            return self.labels[key]
        return SEVERITY_NAMES.get(key, key) if self.by == SEVERITY else key


@dataclass(frozen=True)
class GradingModel:
    code: str
    name: str
    version: int
    basis: str
    base: int
    floor: int
    ceiling: int
    dimension: str  # the dimension the indicator tree computes
    weights: Mapping[str, float]
    bands: tuple[Band, ...]  # highest first
    lists: tuple[ListRule, ...]
    indicators: tuple[Indicator, ...]  # level 1
    source: str
    digest: str  # sha256 of the text: a run records exactly which model it used (R-GRD-7)
    text: str = field(repr=False, compare=False)

    def walk(self) -> Iterator[Indicator]:
        stack = list(reversed(self.indicators))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def leaves(self) -> list[Indicator]:
        return [n for n in self.walk() if n.is_leaf]

    def indicator(self, code: str) -> Indicator:
        for node in self.walk():
            if node.code == code:
                return node
        raise KeyError(code)

    @property
    def attributes(self) -> tuple[str, ...]:
        """The record columns, beside the information type, that the rules read."""
        return tuple(sorted({n.by for n in self.leaves() if n.by}))

    def grade_of(self, score: float) -> str:
        """Bands are (above, up_to]; the clamp's floor itself, which no band holds, takes the lowest."""
        for band in self.bands:
            if score > band.above:
                return band.grade
        return self.bands[-1].grade

    def lists_of(self, grade: str, score: float) -> list[str]:
        out = []
        for rule in self.lists:
            if rule.grades and grade not in rule.grades:
                continue
            if rule.above is not None and not score > rule.above:
                continue
            if rule.at_or_below is not None and not score <= rule.at_or_below:
                continue
            out.append(rule.code)
        return out


def per_model(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn(model, *args)`` kept per model object and arguments (hashable), the last 16: what is derived from a
    model for every regrade (a model is immutable, but it holds dicts, so it is not hashable; the service
    reads each stored version once per process). Safe from several threads: two that ask at once may both
    make it, and one is kept."""
    made: dict[tuple, tuple[GradingModel, T]] = {}
    lock = threading.Lock()

    @functools.wraps(fn)
    def memo(model: GradingModel, *args) -> T:
        key = (id(model), *args)
        with lock:
            hit = made.get(key)
        if hit is not None and hit[0] is model:  # the entry holds its model: an id is not reused while kept
            return hit[1]
        value = fn(model, *args)
        with lock:
            if len(made) >= 16:
                made.pop(next(iter(made)))
            made[key] = (model, value)
        return value

    return memo


def catalog_types() -> dict[str, dict[str, tuple[str, ...] | None]]:
    """The default catalog's information types, each with its fields (and their options where it has them)."""
    from xinyong.catalog.defaults import INFO_TYPES

    out: dict[str, dict[str, tuple[str, ...] | None]] = {}
    for t in INFO_TYPES:
        fields: dict[str, tuple[str, ...] | None] = {f["name"]: tuple(f["options"]) if "options" in f else None
                                                      for f in t["fields"]}
        out[t["code"]] = fields
    return out


def preset_path(code: str) -> Path:
    return Path(str(resources.files("xinyong.grading").joinpath("presets", f"{code}.toml")))


def load_preset(code: str = DEFAULT_PRESET, known_types=None) -> GradingModel:
    if code not in PRESETS:
        raise Invalid(f"没有名为 {code} 的预置评价模型")
    return load(preset_path(code), known_types)


def load(path_or_text: str | Path, known_types: Iterable[str] | Mapping[str, Mapping] | None = None, *,
         source: str | None = None) -> GradingModel:
    """Read a model from a file (a ``Path``, or a string naming an existing ``.toml`` file) or from its text.

    ``known_types``: the information type codes rules may name, as a set of codes or as a mapping
    code → {field: options or None}; with a mapping, content fields and their values are checked too.
    Defaults to the default catalog.
    """
    if isinstance(path_or_text, Path) or (isinstance(path_or_text, str) and "\n" not in path_or_text
                                          and path_or_text.endswith(".toml")):
        path = Path(path_or_text)
        text = path.read_text(encoding="utf-8")
        source = source or path.name
    else:
        text = str(path_or_text)
        source = source or "<模型文本>"
    if known_types is None:
        known_types = catalog_types()
    from .reading import Reader  # the reader builds these classes: imported here, not at the top

    return Reader(text, source, known_types).model()
