"""Plain helpers several test modules share. The GB 11643 check digit is computed here
independently of the code under test, so a wrong helper in src/ cannot hide behind itself."""

from __future__ import annotations

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
