"""Lists follow grading: the comparison of results with open entries, two ways (R-LST-1…4).

An instant regrade compares as Python sets, a large run as Polars frames (``lists.service``); both must
name the same entries to add and to end, whatever the input.
"""

import random

import polars as pl
import pytest

from xinyong.lists import service

NO_DATABASE = True  # pure comparisons: no database opened (tests/conftest.py)
KINDS = ["red", "key_attention", "black"]


def _case(rng: random.Random, n: int):
    """Results for n entities and the open entries of more (some not graded now), with multi-list results,
    a list code the platform does not keep, and entities already in step."""
    def lists() -> str:
        picked = rng.sample(KINDS + ["watch"], rng.choice([0, 0, 0, 1, 1, 2]))
        return " ".join(picked)

    graded = rng.sample(range(1, 4 * n), n)
    rows = pl.DataFrame({"entity_id": graded, "lists": [lists() for _ in graded]}, schema={"entity_id": pl.Int64,
                                                                                           "lists": pl.String})
    current, entry = [], 100
    for eid in rng.sample(range(1, 4 * n), 2 * n):
        for kind in rng.sample(KINDS, rng.choice([0, 1, 1, 2])):
            entry += rng.randrange(1, 5)
            current.append((entry, eid, kind))
    rng.shuffle(current)
    return rows, current


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_sets_and_frames_name_the_same_entries(seed, full):  # R-LST-2, R-LST-4
    rows, current = _case(random.Random(seed), 400)
    by_rows = service._compare_rows(rows, current, full)
    assert by_rows == service._compare_frames(rows, current, full)
    to_add, to_end = by_rows
    assert to_add and to_end  # the data exercises both
    assert all(kind in KINDS for _eid, kind in to_add)
    graded = set(rows["entity_id"].to_list())
    ended = {entry: eid for entry, eid, _kind in current if entry in set(to_end)}
    if full:  # only the entities graded now are compared: an entry of another stays open
        assert set(ended.values()) <= graded
    else:  # a partial run's entries were read for its entities only; given others, they are ended
        assert not set(ended.values()) <= graded


def test_in_step_means_nothing_to_do_and_an_empty_result_ends_everything():  # R-LST-4
    rows = pl.DataFrame({"entity_id": [3, 4], "lists": ["black", ""]})
    current = [(10, 3, "black")]
    for compare in (service._compare_rows, service._compare_frames):
        assert compare(rows, current, True) == ([], [])
        assert compare(rows.with_columns(lists=pl.lit("")), current, True) == ([], [10])
        assert compare(rows.with_columns(lists=pl.lit("red black")), [], False) == ([(3, "black"), (3, "red"),
                                                                                    (4, "black"), (4, "red")], [])
