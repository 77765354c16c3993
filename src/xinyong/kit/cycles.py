"""The cycle collector paused for bulk work.

CPython's cycle collector runs after every 700 new container objects, and a full collection walks every
container the process holds. A grading run makes millions of short-lived tuples, dicts and lists (a
million result rows, hundreds of thousands of list entries and their digests) and frees them by reference
counting; they hold no cycles worth finding, yet a first run at a million entities spent 1.8 s of its 26 s
in the collector (ten full collections of 0.14 s each), a next run 0.5 s. The collector is process-wide:
a pause in a run started from a page holds for the server's other threads too, so a run pauses it only
while it writes (seconds, not the whole run), and the first collection after finds what cycles were left.
Code that turns the collector on or off itself during a pause is not accounted for.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_resume = False  # whether the collector was running when the first pause began


@contextmanager
def paused() -> Iterator[None]:
    """No automatic cycle collection inside; also a decorator (``@paused()``). The collector is
    process-wide: nested and concurrent pauses resume it when the last one ends, and only if it was running
    before the first."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()
