"""Reading a model file: every check that makes a model refuse to load, each pointing at its line.

tomllib gives line numbers for syntax errors only; ``lines.LineIndex`` finds the line of the key or
table at fault for the rest.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from collections.abc import Mapping

from xinyong.records.periods import Severity

from .lines import LineIndex
from .model import SEVERITY, SEVERITY_NAMES, Band, GradingModel, Indicator, ListRule, ModelError

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SCORE_COLUMNS = ("entity_id", "industry_score", "final_score", "grade")  # a list's code names a column beside these


class Reader:
    def __init__(self, text: str, source: str, known_types):
        self.text = text
        self.source = source
        if isinstance(known_types, Mapping):
            self.types: dict[str, Mapping | None] = {k: v for k, v in known_types.items()}
        else:
            self.types = {k: None for k in known_types}
        self.index: LineIndex | None = None
        self.codes: dict[str, tuple] = {}
        self.selected: dict[str, tuple[str | None, tuple, dict[str, str]]] = {}  # type → (by, path, key → leaf)

    # errors ---------------------------------------------------------------------------------------

    def fail(self, path: tuple, reason: str):
        line = self.index.line_of(path) if self.index else 1
        raise ModelError(self.source, line, reason)

    def where(self, path: tuple) -> str:
        """A path as a person reads it: indicators[2].items[0].points."""
        out = ""
        for p in path:
            out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
        return out

    # typed getters --------------------------------------------------------------------------------

    def table(self, parent: Mapping, key: str, path: tuple, *, required=True) -> dict | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(path, f"缺少“{key}”表")
            return None
        if not isinstance(value, dict):
            self.fail((*path, key), f"“{key}”应为表")
        return value

    def array_of_tables(self, parent: Mapping, key: str, path: tuple, *, required=True) -> list[dict]:
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(path, f"缺少“[[{self.where((*path, key))}]]”")
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail((*path, key), f"“{key}”应为表数组（[[{key}]]）")
        if required and not value:
            self.fail((*path, key), f"“{key}”不能为空")
        return value

    def string(self, parent: Mapping, key: str, path: tuple, *, required=True, default: str = "") -> str:
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(path, f"缺少“{key}”")
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail((*path, key), f"“{key}”应为非空字符串")
        return value

    def integer(self, parent: Mapping, key: str, path: tuple, *, required=True) -> int | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(path, f"缺少“{key}”")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail((*path, key), f"“{key}”应为整数，而不是 {value!r}")
        return value

    def number(self, parent: Mapping, key: str, path: tuple, *, required=True) -> float | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(path, f"缺少“{key}”")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.fail((*path, key), f"“{key}”应为数值，而不是 {value!r}")
        return value

    def pair(self, parent: Mapping, key: str, path: tuple, *, required=True) -> tuple[int, int] | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(path, f"缺少“{key}”")
            return None
        if (not isinstance(value, list) or len(value) != 2
                or any(isinstance(v, bool) or not isinstance(v, int) for v in value)):
            self.fail((*path, key), f"“{key}”应为两个整数 [下限, 上限]，而不是 {value!r}")
        if value[0] > value[1]:
            self.fail((*path, key), f"“{key}”下限 {value[0]} 大于上限 {value[1]}（范围颠倒）")
        return value[0], value[1]

    def only(self, table: Mapping, allowed: set[str], path: tuple):
        for key in table:
            if key not in allowed:
                self.fail((*path, key), f"未知的键“{key}”（可用：{'、'.join(sorted(allowed))}）")

    # the model ------------------------------------------------------------------------------------

    def model(self) -> GradingModel:
        try:
            doc = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as e:
            m = re.search(r"line (\d+)", str(e))
            raise ModelError(self.source, int(m.group(1)) if m else 1, f"TOML 语法错误：{e}") from None
        self.index = LineIndex(self.text)
        self.only(doc, {"code", "name", "version", "basis", "base", "clamp", "dimension", "dimensions", "bands",
                        "lists", "indicators"}, ())
        code = self.string(doc, "code", ())
        if not _IDENT.match(code):
            self.fail(("code",), f"模型代码“{code}”只能由字母、数字和下划线组成")
        version = self.integer(doc, "version", ())
        if version < 1:
            self.fail(("version",), "版本号应为正整数")
        floor, ceiling = self.pair(doc, "clamp", ())
        if floor == ceiling:
            self.fail(("clamp",), "分值范围上下限相同")
        base = self.integer(doc, "base", ())
        if not floor <= base <= ceiling:
            self.fail(("base",), f"基础分 {base} 不在分值范围 {floor}–{ceiling} 之内")
        dimension, weights = self.dimensions(doc)
        bands = self.bands(doc, floor, ceiling)
        grades = {b.grade for b in bands}
        lists = self.lists(doc, grades)
        roots = tuple(self.indicator(t, ("indicators", i), 1, None)
                      for i, t in enumerate(self.array_of_tables(doc, "indicators", ())))
        return GradingModel(
            code=code, name=self.string(doc, "name", ()), version=version,
            basis=self.string(doc, "basis", (), required=False), base=base, floor=floor, ceiling=ceiling,
            dimension=dimension, weights=weights, bands=bands, lists=lists, indicators=roots, source=self.source,
            digest=hashlib.sha256(self.text.encode("utf-8")).hexdigest(), text=self.text)

    def dimensions(self, doc: Mapping) -> tuple[str, dict[str, float]]:
        dimension = self.string(doc, "dimension", (), required=False, default="industry")
        table = self.table(doc, "dimensions", (), required=False)
        if table is None:
            return dimension, {dimension: 1.0}
        weights = {}
        for name in table:
            path = ("dimensions", name)
            if not _IDENT.match(name):
                self.fail(path, f"维度名“{name}”只能由字母、数字和下划线组成")
            w = self.number(table, name, ("dimensions",))
            if w <= 0:
                self.fail(path, f"维度“{name}”的权重应为正数，而不是 {w}")
            weights[name] = float(w)
        if dimension not in weights:
            self.fail(("dimensions",), f"维度权重中没有本模型计算的维度“{dimension}”")
        return dimension, weights

    def bands(self, doc: Mapping, floor: int, ceiling: int) -> tuple[Band, ...]:
        rows = []
        seen: set[str] = set()
        for i, t in enumerate(self.array_of_tables(doc, "bands", ())):
            path = ("bands", i)
            self.only(t, {"grade", "label", "above", "up_to"}, path)
            grade = self.string(t, "grade", path)
            if grade in seen:
                self.fail((*path, "grade"), f"等级“{grade}”重复")
            seen.add(grade)
            above, up_to = self.number(t, "above", path), self.number(t, "up_to", path)
            if above >= up_to:
                self.fail((*path, "above"), f"等级“{grade}”的下限 {above} 不小于上限 {up_to}（范围颠倒）")
            rows.append((path, Band(grade, self.string(t, "label", path), above, up_to)))
        rows.sort(key=lambda r: r[1].above)
        path, lowest = rows[0]
        if lowest.above != floor:
            what = "未覆盖" if lowest.above > floor else "超出"
            self.fail((*path, "above"),
                      f"等级{what}分值范围下限：最低等级“{lowest.grade}”自 {lowest.above} 起，分值范围自 {floor} 起")
        for (prev_path, prev), (path, band) in zip(rows, rows[1:], strict=False):
            if band.above < prev.up_to:
                self.fail((*path, "above"), f"等级“{band.grade}”（{band.above}＜X≤{band.up_to}）与等级“{prev.grade}”"
                                            f"（{prev.above}＜X≤{prev.up_to}）重叠")
            if band.above > prev.up_to:
                self.fail((*prev_path, "up_to"), f"等级“{prev.grade}”与等级“{band.grade}”之间有空档："
                                            f"{prev.up_to}＜X≤{band.above} 不属于任何等级")
        path, highest = rows[-1]
        if highest.up_to != ceiling:
            what = "未覆盖" if highest.up_to < ceiling else "超出"
            self.fail((*path, "up_to"),
                      f"等级{what}分值范围上限：最高等级“{highest.grade}”至 {highest.up_to} 止，分值范围至 {ceiling} 止")
        return tuple(b for _, b in reversed(rows))

    def lists(self, doc: Mapping, grades: set[str]) -> tuple[ListRule, ...]:
        out, codes = [], set()
        for i, t in enumerate(self.array_of_tables(doc, "lists", (), required=False)):
            path = ("lists", i)
            self.only(t, {"code", "label", "grades", "above", "at_or_below"}, path)
            code = self.string(t, "code", path)
            if not _IDENT.match(code) or code in _SCORE_COLUMNS:
                self.fail((*path, "code"), f"名单代码“{code}”应由字母、数字和下划线组成，且不能是 {'、'.join(_SCORE_COLUMNS)}")
            if code in codes:
                self.fail((*path, "code"), f"名单代码“{code}”重复")
            codes.add(code)
            given = t.get("grades", [])
            if not isinstance(given, list) or not all(isinstance(g, str) for g in given):
                self.fail((*path, "grades"), "“grades”应为等级名的数组")
            for g in given:
                if g not in grades:
                    self.fail((*path, "grades"), f"名单“{code}”引用了不存在的等级“{g}”")
            above, at_or_below = self.number(t, "above", path, required=False), self.number(t, "at_or_below", path,
                                                                                             required=False)
            if not given and above is None and at_or_below is None:
                self.fail(path, f"名单“{code}”没有任何条件")
            if above is not None and at_or_below is not None and above >= at_or_below:
                self.fail((*path, "above"), f"名单“{code}”的条件不可能同时成立（分数高于 {above} 且不高于 {at_or_below}）")
            out.append(ListRule(code, self.string(t, "label", path), tuple(given), above, at_or_below))
        return tuple(out)

    def indicator(self, t: Mapping, path: tuple, level: int, parent: Indicator | None) -> Indicator:
        self.only(t, {"code", "name", "range", "items", "types", "by", "points", "labels", "advice"}, path)
        code = self.string(t, "code", path)
        if not _IDENT.match(code):
            self.fail((*path, "code"), f"指标代码“{code}”只能由字母、数字和下划线组成")
        if code in self.codes:
            self.fail((*path, "code"), f"指标代码“{code}”重复（第 {self.index.line_of(self.codes[code])} 行已有）")
        self.codes[code] = (*path, "code")
        name = self.string(t, "name", path)
        rng = self.pair(t, "range", path, required=(level == 1))
        low, high = rng if rng else (None, None)
        advice = self.string(t, "advice", path, required=False)
        has_items, has_types = "items" in t, "types" in t
        if has_items and has_types:
            self.fail((*path, "types"), f"指标“{name}”既有下级指标又直接计分：二者只能选一")
        if not has_items and not has_types:
            self.fail(path, f"指标“{name}”既没有下级指标（items），也没有计分规则（types）")
        node = Indicator(code=code, name=name, level=level, parent=parent.code if parent else None, low=low, high=high,
                         advice=advice)
        if has_items:
            for key in ("by", "points", "labels"):
                if key in t:
                    self.fail((*path, key), f"有下级指标的“{name}”不能有“{key}”")
            kids = tuple(self.indicator(c, (*path, "items", i), level + 1, node)
                         for i, c in enumerate(self.array_of_tables(t, "items", path)))
            return Indicator(**{**node.__dict__, "children": kids})
        return self.leaf(t, path, node)

    def leaf(self, t: Mapping, path: tuple, node: Indicator) -> Indicator:
        types = t["types"]
        if not isinstance(types, list) or not types or not all(isinstance(x, str) for x in types):
            self.fail((*path, "types"), "“types”应为信息类型代码的非空数组")
        for code in types:
            if code not in self.types:
                self.fail((*path, "types"), f"未知的信息类型“{code}”（目录中没有）")
        by = self.string(t, "by", path, required=False) or None
        points_raw = t.get("points")
        if points_raw is None:
            self.fail(path, f"指标“{node.name}”缺少“points”")
        labels = t.get("labels", {})
        if by is None:
            if isinstance(points_raw, dict):
                self.fail((*path, "points"), "按取值计分的“points”表需要“by”指明依据哪一项（severity 或信息项名）")
            if "labels" in t:
                self.fail((*path, "labels"), "没有“by”时不需要“labels”")
            points = {"": self.integer(t, "points", path)}
        else:
            if not _IDENT.match(by):
                self.fail((*path, "by"), f"“by”应为信息项名，而不是“{by}”")
            if not isinstance(points_raw, dict) or not points_raw:
                self.fail((*path, "points"), f"有“by = \"{by}\"”时，“points”应为“取值 = 分值”的表")
            points = {}
            for key, value in points_raw.items():
                if isinstance(value, bool) or not isinstance(value, int):
                    self.fail((*path, "points", key), f"“{key}”的分值应为整数，而不是 {value!r}")
                points[key] = value
            self.check_values(by, points, types, path)
            if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
                self.fail((*path, "labels"), "“labels”应为“取值 = 说明”的表")
            for key in labels:
                if key not in points:
                    self.fail((*path, "labels", key), f"“labels”中的“{key}”在“points”中没有")
        for code in types:
            self.claim(code, by, points, path, node.name)
        return Indicator(**{**node.__dict__, "types": tuple(types), "by": by, "points": points, "labels": dict(labels)})

    def check_values(self, by: str, points: Mapping[str, int], types: list[str], path: tuple):
        if by == SEVERITY:
            for key in points:
                if key not in SEVERITY_NAMES:
                    self.fail((*path, "points", key), f"严重程度只能是 {'、'.join(s.value for s in Severity)}，而不是“{key}”")
            return
        for code in types:
            fields = self.types.get(code)
            if fields is None:  # only the codes are known
                continue
            if by not in fields:
                self.fail((*path, "by"), f"信息类型“{code}”没有信息项“{by}”")
            options = fields[by]
            if options is None:
                continue
            for key in points:
                if key not in options:
                    self.fail((*path, "points", key), f"信息类型“{code}”的“{by}”没有取值“{key}”（可选：{'、'.join(options)}）")

    def claim(self, code: str, by: str | None, points: Mapping[str, int], path: tuple, name: str):
        """Each record is scored by at most one leaf: one ``by`` per information type, values disjoint."""
        if code not in self.selected:
            self.selected[code] = (by, (*path, "types"), {k: name for k in points})
            return
        other_by, other_path, keys = self.selected[code]
        other_line = self.index.line_of(other_path)
        if other_by != by:
            self.fail((*path, "types"), f"信息类型“{code}”已在第 {other_line} 行按“{other_by or '条数'}”计分，"
                                        f"这里又按“{by or '条数'}”计分：同一类型只能按同一依据计分")
        for key in points:
            if key in keys:
                what = f"取值“{key}”" if by else "每条记录"
                self.fail((*path, "types"),
                          f"信息类型“{code}”的{what}已由第 {other_line} 行的指标“{keys[key]}”计分，不能重复计分")
            keys[key] = name
