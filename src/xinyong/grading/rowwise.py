"""The engine's rules one record at a time, for small frames: an instant regrade (R-GRD-4), one
entity's explanation.

``engine.grade`` is columnar: a run over twenty million records takes seconds, but every Polars step
has a fixed cost of a tenth of a millisecond or more, and grading one entity takes some sixty steps.
An instant regrade, inside the transaction of the change that caused it, grades a handful of
entities with a few dozen records: here that is a loop over the records with the same flattened
model (``engine._Plan``), producing the same three frames, row for row and type for type.
``tests/grading/test_rowwise.py`` holds the two to that on thousands of random entities.

``engine.grade`` chooses this path itself for a frame it ``takes`` — already filtered to the records
that count, integer entity ids — when it is ``small``; external dimension scores are combined by
``engine._final``, so that the floating-point steps stay in one place.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from .engine import MAX_REASONS, GradingResult, _final, _Plan, _text

LIMIT = 5_000  # records, and entities: past this, the columnar engine's fixed cost is the smaller part

# the columns that make ``engine.counting`` filter: a frame that has one is graded by the columnar engine
_FILTERS = ("status", "is_current", "decision_date", "repaired_on", "validity_end", "fulfilment")


def takes(records, ents: pl.DataFrame, plan: _Plan, direct: bool) -> bool:
    """Whether this path can grade ``records``: a frame in memory, already filtered to what counts, whose
    rule attributes are text (the columnar engine compares them as text), for integer entity ids
    (``direct``), none of them null."""
    if not direct or not isinstance(records, pl.DataFrame) or ents["entity_id"].null_count():
        return False
    schema = records.schema
    return (not any(c in schema for c in _FILTERS) and schema["info_type"] == pl.String
            and all(schema[a] == pl.String for a in plan.model.attributes))


def small(records: pl.DataFrame, ents: pl.DataFrame) -> bool:
    """Few enough records and entities that a loop in Python beats Polars' fixed cost."""
    return records.height <= LIMIT and ents.height <= LIMIT


def grade(plan: _Plan, records: pl.DataFrame, ents: pl.DataFrame, dimensions, explain: bool) -> GradingResult:
    """``engine.grade`` for ``ents`` (entity_id, eid: the id itself)."""
    model = plan.model
    id_type = ents.schema["entity_id"]
    by_type: dict[str, list[tuple[str | None, str, int]]] = defaultdict(list)
    for info_type, by, key, rule in plan.matches:
        by_type[info_type].append((by, key, rule))
    wanted = set(ents["entity_id"].to_list())
    attrs = {a: records[a].to_list() for a in model.attributes}
    hits: dict[int, list[tuple[object, int]]] = defaultdict(list)  # eid → (record_id, rule), in the order given
    for i, (record_id, eid, info_type) in enumerate(zip(records["record_id"].to_list(), records["entity_id"].to_list(),
                                                        records["info_type"].to_list(), strict=True)):
        if eid not in wanted:
            continue
        for by, key, rule in by_type.get(info_type, ()):
            if by is None or attrs[by][i] == key:
                hits[eid].append((record_id, rule))
                break

    top_level, leaves = max(plan.level), set(plan.leaves)
    industry: list[int] = []
    points: dict[int, list[tuple]] = defaultdict(list)  # level → (eid, node, n, raw, points)
    reasons: list[tuple] = []
    for eid in ents["entity_id"].to_list():
        n_by_node, raw_by_node, per_rule = _sums(plan, hits.get(eid, ()))
        clipped: dict[int, int] = {}
        for level in range(top_level, 0, -1):  # up the tree: each level's nodes sum their children, then clip
            for node in [i for i in n_by_node if plan.level[i] == level]:
                clipped[node] = min(max(raw_by_node[node], plan.low[node]), plan.high[node])
                parent = plan.parent[node]
                if parent >= 0:
                    n_by_node[parent] = n_by_node.get(parent, 0) + n_by_node[node]
                    raw_by_node[parent] = raw_by_node.get(parent, 0) + clipped[node]
        total = sum(p for node, p in clipped.items() if plan.level[node] == 1)
        industry.append(min(max(model.base + total, model.floor), model.ceiling))
        if explain:
            for node in sorted(n_by_node):
                points[plan.level[node]].append((eid, node, n_by_node[node], raw_by_node[node], clipped[node]))
            reasons += _reasons(plan, leaves, eid, hits.get(eid, ()), n_by_node, raw_by_node, per_rule)

    scores = pl.DataFrame({"entity_id": ents["entity_id"], "industry_score": pl.Series(industry, dtype=pl.Int64)})
    scores = _final(model, scores, dimensions, id_type)
    grades = [model.grade_of(s) for s in scores["final_score"].to_list()]
    lists = {rule.code: [] for rule in model.lists}
    for g, s in zip(grades, scores["final_score"].to_list(), strict=True):
        on_lists = model.lists_of(g, s)
        for code, column in lists.items():
            column.append(code in on_lists)
    scores = pl.DataFrame([scores["entity_id"], scores["industry_score"], scores["final_score"],
                           pl.Series("grade", grades, pl.String), *(pl.Series(c, v, pl.Boolean) for c, v in lists.items())])
    if not explain:
        return GradingResult(scores, pl.DataFrame(), pl.DataFrame())
    codes = plan.codes.dtype
    rows = [(eid, plan.nodes[node].code, plan.level[node], n, raw, kept)
            for level in sorted(points) for eid, node, n, raw, kept in sorted(points[level])]
    points_frame = pl.DataFrame(rows, orient="row", schema={"entity_id": id_type, "indicator": codes, "level": pl.Int8,
                                                            "count": pl.Int64, "raw": pl.Int64, "points": pl.Int64})
    rows = [(eid, rank, plan.nodes[node].code, plan.nodes[node].name, raw, n, text, ids)
            for eid, rank, node, raw, n, text, ids in sorted(reasons, key=lambda r: (r[0], r[1]))]
    reasons_frame = pl.DataFrame(rows, orient="row", schema={
        "entity_id": id_type, "rank": pl.Int8, "indicator": codes, "name": pl.String, "points": pl.Int64, "count": pl.Int64,
        "reason": pl.String, "record_ids": pl.List(records.schema["record_id"])})
    return GradingResult(scores, points_frame, reasons_frame)


def _sums(plan: _Plan, hits) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Per leaf the records and points (before clipping), and per rule the records."""
    per_rule: dict[int, int] = defaultdict(int)
    for _record, rule in hits:
        per_rule[rule] += 1
    n_by_node: dict[int, int] = defaultdict(int)
    raw_by_node: dict[int, int] = defaultdict(int)
    for rule, n in per_rule.items():
        leaf = plan.rule_leaf[rule]
        n_by_node[leaf] += n
        raw_by_node[leaf] += n * plan.rule_points[rule]
    return dict(n_by_node), dict(raw_by_node), per_rule


def _reasons(plan: _Plan, leaves: set[int], eid: int, hits, n_by_node: dict[int, int], raw_by_node: dict[int, int],
             per_rule: dict[int, int]) -> list[tuple]:
    """``engine._reasons`` for one entity: (eid, rank, node, raw, n, reason, record_ids)."""
    losing = sorted((raw_by_node[node], node) for node in n_by_node if node in leaves and raw_by_node[node] < 0)
    out = []
    for rank, (raw, node) in enumerate(losing[:MAX_REASONS], start=1):
        root = plan.root[node]
        counts = [0] * plan.keys
        for rule, n in per_rule.items():
            if plan.rule_leaf[rule] == node:
                counts[plan.rule_pos[rule]] = n
        sig = {"node": node, "used_up": raw_by_node[root] < plan.low[root], **{f"c{j}": c for j, c in enumerate(counts)}}
        ids = [record for record, rule in hits if plan.rule_leaf[rule] == node]
        out.append((eid, rank, node, raw, n_by_node[node], _text(plan, sig)[-1], ids))
    return out
