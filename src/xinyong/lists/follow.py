"""Lists follow grading results as they are written (registered when the models are loaded)."""

from __future__ import annotations

from xinyong.grading.service import on_results


@on_results
def _follow(session, run, rows, full: bool) -> None:
    from .service import follow_grading

    follow_grading(session, run, rows, full)
