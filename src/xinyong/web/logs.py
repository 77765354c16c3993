"""No ID number is ever written to a log line (R-SEC-2): every log record is masked as it is made.

A person's ID number can reach a log in many ways: a URL in uvicorn's access log (``XINYONG_ACCESS_LOG``),
a path or a value in an error message, the text of an exception in a traceback. Masking each where it is
written would miss the next one, so it is done once, for every record of the process, whichever logger makes
it and whichever handler writes it — uvicorn's, the root's, Python's last-resort handler: ``install`` wraps
the log-record factory, which every logger calls. It is installed with the app (``web.app.create_app``), in
every server process, whenever that process configures its handlers. ``MaskIdNumbers`` is the same masking
as a ``logging.Filter``, for a deployment's own ``log_config`` (``{"()": "xinyong.web.logs.MaskIdNumbers"}``).

What is masked is what ``entities.identifiers.mask_ids_in`` finds: the one definition of an ID number in
free text. A record keeps its shape — ``msg`` and each of ``args`` are masked one by one — because
formatters read them (uvicorn's access formatter unpacks ``args``); a traceback is formatted at once and
kept masked as the record's ``exc_text``, which formatters use instead of formatting it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from xinyong.entities.identifiers import mask_ids_in

_KEPT = (int, float, bool, type(None))  # no ID number in them, and %d / %f must still see numbers


def _masked(value: Any) -> Any:
    if isinstance(value, _KEPT):
        return value
    text = value if isinstance(value, str) else str(value)
    masked = mask_ids_in(text)
    return value if masked == text else masked


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask the ID numbers ``record`` carries, in place."""
    record.msg = _masked(record.msg)
    if isinstance(record.args, dict):
        record.args = {key: _masked(value) for key, value in record.args.items()}
    elif record.args:
        record.args = tuple(_masked(value) for value in record.args)
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_ids_in(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_ids_in(record.stack_info)
    return record


class MaskIdNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


def install() -> None:
    """Mask every log record this process makes from now on; installing twice changes nothing."""
    current: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()
    if getattr(current, "masks_ids", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(current(*args, **kwargs))

    factory.masks_ids = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
