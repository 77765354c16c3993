"""A grading result as the rows a run stores (``grading.service.result_rows``): scores, grade, the lists,
the explanation as JSON text. Built by Polars for a run, in Python for a few entities (an instant regrade,
one entity's explanation); the two give the same frame, to the character of the JSON (R-GRD-4, R-GRD-5)."""

from __future__ import annotations

import json
import random

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from xinyong.grading import engine, service
from xinyong.grading.model import load, load_preset

from .test_oracle import DEEP, ON, random_dims
from .test_rowwise import counting_frame

NO_DATABASE = True  # pure rules: no database opened (tests/conftest.py)

# lists that overlap (an H or M entity above 550 is on both), and advice that JSON must escape
OVERLAPPING = (DEEP.replace('grades = ["H"]', 'grades = ["H", "M"]').replace('code = "bottom"', 'code = "upper"')
               .replace('at_or_below = 320', 'above = 550')
               .replace('advice = "解除强制措施"', r'advice = "解除\"强制\"措施\n另起\\一行"'))
NO_LISTS = DEEP[:DEEP.index("[[lists]]")] + DEEP[DEEP.index("[[indicators]]"):]
MODELS = {"reference": "etdz_reference", "deep-tree": DEEP, "overlapping-lists": OVERLAPPING, "no-lists": NO_LISTS}


def _model(name: str):
    text = MODELS[name]
    return load_preset(text) if text == "etdz_reference" else load(text)


def _result(model, n: int, *, explain: bool, seed: int = 5) -> engine.GradingResult:
    rng = random.Random(seed)
    entity_ids = rng.sample(range(1, 100_000), n)
    frame = counting_frame(rng, entity_ids[:-100])  # the last 100 have no records: no explanation
    dims = pl.DataFrame(random_dims(rng, model, entity_ids), schema={"entity_id": pl.Int64, "dimension": pl.String,
                                                                     "score": pl.Float64})
    return engine.grade(model, frame, entity_ids, on=ON, dimensions=dims, explain=explain)


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("explain", [True, False])
def test_python_and_polars_give_the_same_rows(name, explain):  # R-GRD-4, R-GRD-5
    model = _model(name)
    result = _result(model, 2000, explain=explain)

    few = service._few_result_rows(model, result)
    assert_frame_equal(few, service._frame_result_rows(model, result))
    assert few.height > service.FEW  # both ways were asked for explicitly, not chosen by size
    # the data exercised what it should: lists and none, results with and without reasons, none for the idle
    lists = set(few["lists"].to_list())
    assert "" in lists and (len(lists) >= 2 if model.lists else lists == {""})
    if name == "overlapping-lists":
        assert "top upper" in lists  # in the model's order of lists
    if explain:
        assert few["explanation"].tail(100).is_null().all() and few["explanation"].is_not_null().sum() > 1000
        assert few["explanation"].str.contains('"reasons":[]', literal=True).any()
        assert few["explanation"].str.contains('"reasons":[{', literal=True).any()
        reasons = [r["reason"] for text in few["explanation"].drop_nulls() for r in json.loads(text)["reasons"]]
        if name == "overlapping-lists":
            assert any('"强制"措施\n另起\\一行' in r for r in reasons)  # escaped in the text, whole again when read
    else:
        assert few["explanation"].is_null().all()


def test_few_results_take_python_and_many_take_polars(monkeypatch):  # R-GRD-4
    model = _model("deep-tree")
    few, many = _result(model, 150, explain=True), _result(model, service.FEW + 1, explain=True)

    def refuse(*_args):
        raise AssertionError("the other way was taken")

    expected = service._few_result_rows(model, few)
    monkeypatch.setattr(service, "_frame_result_rows", refuse)
    assert_frame_equal(service.result_rows(model, few), expected)
    monkeypatch.undo()
    expected = service._frame_result_rows(model, many)
    monkeypatch.setattr(service, "_few_result_rows", refuse)
    assert_frame_equal(service.result_rows(model, many), expected)
