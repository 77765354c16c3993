"""Time the grading engine alone on synthetic records held in memory (no database):

    python bench/grade_engine.py [ENTITIES] [RECORDS]

Defaults to the issue's benchmark size, 1,000,000 entities and 20,000,000 records. Prints wall and CPU
seconds for scores only and for scores with points and reasons.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import polars as pl

from xinyong.grading.engine import grade
from xinyong.grading.model import load_preset

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' synthetic records
from tests.grading.synthetic import ON, records  # noqa: E402


def main(n_entities: int = 1_000_000, n_records: int = 20_000_000) -> None:
    started = time.perf_counter()
    frame = records(n_entities, n_records)
    print(f"synthetic records: {frame.height:,} rows, {frame.estimated_size('mb'):.0f} MB, "
          f"{time.perf_counter() - started:.1f} s to make; polars threads: {pl.thread_pool_size()}")
    model = load_preset()
    entities = pl.Series("entity_id", range(1, n_entities + 1))
    for explain in (False, True):
        wall, cpu = time.perf_counter(), time.process_time()
        result = grade(model, frame, entities, on=ON, explain=explain)
        print(f"{'scores, points, reasons' if explain else 'scores only':24s} wall {time.perf_counter() - wall:6.2f} s"
              f"   cpu {time.process_time() - cpu:6.2f} s")
    grades = result.scores.group_by("grade").len().sort("grade")
    print("grades:", dict(grades.iter_rows()), f"points rows {result.points.height:,}, reasons {result.reasons.height:,}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
