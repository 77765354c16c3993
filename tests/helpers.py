"""Plain helpers several test modules share. The GB 11643 check digit is computed here
independently of the code under test, so a wrong helper in src/ cannot hide behind itself."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select


def gb11643(first17: str) -> str:
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def id_number(born: str = "19850312", serial: str = "123", region: str = "110105") -> str:
    body = region + born + serial
    return body + gb11643(body)


def row_counts(uow, *models) -> tuple[int, ...]:
    with uow(write=False) as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in models)


def entity_counts(uow) -> tuple[int, ...]:
    """Entities, related persons and audit events: what a refused submission must leave unchanged."""
    from xinyong.audit.models import AuditEvent
    from xinyong.entities.models import Entity, RelatedPerson

    return row_counts(uow, Entity, RelatedPerson, AuditEvent)


@contextmanager
def served_in_thread(app, **config) -> Iterator[str]:
    """The app served by a real uvicorn on a free loopback port, in a thread; yields its base URL."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
