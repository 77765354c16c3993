"""Bulk loading of entities and their related persons, bound to the audit chain (R-ENT-1, R-ENT-4, R-REV-4).

The ORM path (``entities.service.create_entity``) takes about 1.4 ms an entity, some 23 minutes
for a million; a demo zone, a migration from an old platform or a benchmark of a million entities
goes through SQLAlchemy Core instead (about 0.1 ms an entity, bench/generate_entities.py). The
rows get exactly what the service would store — ciphertexts and blind indexes of ID numbers,
masks, normalised name keys — and every batch is attested on the audit chain so that
``xinyong audit verify`` holds afterwards.

Two halves, so that a caller may run them in different processes: ``prepare_batches`` is pure
computation (ids, encryption), ``write_batches`` talks to the database.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert

from xinyong.accounts.permissions import SYSTEM
from xinyong.audit.trail import attest_rows, record_event
from xinyong.entities.identifiers import mask_id_number
from xinyong.entities.models import Entity, EntityKind, RelatedPerson
from xinyong.entities.names import normalize_name
from xinyong.entities.service import ID_CONTEXT, RELATED_ID_CONTEXT
from xinyong.kit.clock import now
from xinyong.kit.crypto import Keyring
from xinyong.kit.db import next_free_id, sync_id_sequence, touch, tune_for_bulk
from xinyong.kit.platform import Platform

ENTITIES = Entity.__table__
RELATED = RelatedPerson.__table__
BATCH_SIZE = 5000
BATCHES_PER_UNIT = 10
BULK_EVENT = "entity.bulk_loaded"


@dataclass
class Batch:
    """Rows ready to insert: every column present with the exact value stored (the audit digest covers all)."""

    entities: list[dict[str, Any]]
    related: list[dict[str, Any]]
    linked: int = 0


@dataclass
class LoadReport:
    entities: int = 0
    natural_persons: int = 0
    related_persons: int = 0
    linked: int = 0
    batches: int = 0
    first_id: int | None = None
    last_id: int | None = None
    seconds: float = 0.0


def next_ids(session) -> tuple[int, int]:
    """The first free entity id and related-person id."""
    return next_free_id(session, ENTITIES), next_free_id(session, RELATED)


def entity_row(keyring: Keyring, row: dict[str, Any], entity_id: int, created_at: dt.datetime) -> dict[str, Any]:
    """Every column of one entity as ``entities.service.create_entity`` would store it: an ID number
    encrypted, blind-indexed and masked, the name's matching key computed."""
    number = row.get("id_number")
    name = row["name"]
    return {
        "id": entity_id,
        "kind": row["kind"],
        "uscc": row.get("uscc"),
        "id_number_cipher": keyring.encrypt(number, context=ID_CONTEXT) if number else None,
        "id_number_index": keyring.blind_index(number) if number else None,
        "id_number_masked": mask_id_number(number) if number else None,
        "name": name,
        "name_key": row.get("name_key") or normalize_name(name),
        "legal_representative": row.get("legal_representative"),
        "industry": row.get("industry"),
        "region": row.get("region"),
        "address": row.get("address"),
        "registered_capital": row.get("registered_capital"),
        "established_on": row.get("established_on"),
        "status": row.get("status") or "存续",
        "registration_authority": row.get("registration_authority"),
        "created_at": created_at,
    }


def prepare_batches(keyring: Keyring, rows: Iterable[dict[str, Any]], *, first_entity_id: int,
                    first_related_id: int, batch_size: int = BATCH_SIZE,
                    created_at: dt.datetime | None = None) -> Iterator[Batch]:
    """Give rows ids and protect their ID numbers as ``entities.service`` does.

    ``rows`` are generator rows (``demo.generator``): natural persons carry ``id_number``;
    organisations carry ``uscc`` and ``related`` (each with ``id_number``). A related person whose
    ID number belongs to a natural person loaded earlier in the same stream is linked to that
    entity (``person_entity_id``), so joint punishment reaches the person's own file (R-ENT-4).
    """
    created_at = created_at or now()
    encrypt, blind_index = keyring.encrypt, keyring.blind_index
    person_ids: dict[str, int] = {}
    entity_id, related_id = first_entity_id, first_related_id
    entities: list[dict[str, Any]] = []
    related: list[dict[str, Any]] = []
    linked = 0
    for row in rows:
        number = row.get("id_number")
        entities.append(entity_row(keyring, row, entity_id, created_at))
        if number:
            person_ids[number] = entity_id
        for person in row.get("related") or ():
            pnumber = person.get("id_number")
            person_entity_id = person_ids.get(pnumber) if pnumber else None
            linked += person_entity_id is not None
            related.append({
                "id": related_id,
                "entity_id": entity_id,
                "role": person["role"],
                "name": person["name"],
                "id_number_cipher": encrypt(pnumber, context=RELATED_ID_CONTEXT) if pnumber else None,
                "id_number_index": blind_index(pnumber) if pnumber else None,
                "id_number_masked": mask_id_number(pnumber) if pnumber else None,
                "position": person.get("position"),
                "share_percent": person.get("share_percent"),
                "person_entity_id": person_entity_id,
                "created_at": created_at,
            })
            related_id += 1
        entity_id += 1
        if len(entities) >= batch_size:
            yield Batch(entities, related, linked)
            entities, related, linked = [], [], 0
    if entities:
        yield Batch(entities, related, linked)


def _check_columns(batch: Batch) -> None:
    # attest_rows digests every column; a key missing here would be digested as None while the
    # database stored its default, and verify would report the row as altered.
    for table, rows in ((ENTITIES, batch.entities), (RELATED, batch.related)):
        if rows and set(rows[0]) != set(table.columns.keys()):
            missing = set(table.columns.keys()) - set(rows[0])
            raise ValueError(f"{table.name} rows lack columns {sorted(missing)}")


def write_batch(session, batch: Batch, *, source: str, actor: Any = SYSTEM) -> None:
    """Insert one batch and bind it to the audit chain, inside the caller's unit of work."""
    _check_columns(batch)
    session.execute(insert(ENTITIES).execution_options(attested=True), batch.entities)
    sync_id_sequence(session, ENTITIES)
    if batch.related:
        session.execute(insert(RELATED).execution_options(attested=True), batch.related)
        sync_id_sequence(session, RELATED)
    attest_rows(session, ENTITIES, batch.entities)
    attest_rows(session, RELATED, batch.related)
    touch(session, (e["id"] for e in batch.entities))  # a new entity is graded at once (R-GRD-4)
    record_event(session, BULK_EVENT, subject_type="entity", actor=actor,
                 detail={"count": len(batch.entities), "related_persons": len(batch.related), "source": source,
                         "first_id": batch.entities[0]["id"], "last_id": batch.entities[-1]["id"]})


def write_batches(platform: Platform, batches: Iterable[Batch], *, source: str, actor: Any = SYSTEM,
                  batches_per_unit: int = BATCHES_PER_UNIT, report: LoadReport | None = None) -> LoadReport:
    """Several batches per unit of work: a failure keeps what was committed before it, and each
    commit (with SQLite, a write-ahead-log checkpoint) is paid once per 50,000 entities, not per
    5,000."""
    report = report or LoadReport()
    started = time.perf_counter()
    pending = iter(batches)
    while True:
        with platform.uow(actor=actor) as session:
            if not report.batches:
                tune_for_bulk(session)
            wrote = 0
            for batch in pending:
                write_batch(session, batch, source=source, actor=actor)
                _count(report, batch)
                wrote += 1
                if wrote == batches_per_unit:
                    break
        if wrote < batches_per_unit:
            break
    report.seconds += time.perf_counter() - started
    return report


def _count(report: LoadReport, batch: Batch) -> None:
    report.batches += 1
    report.entities += len(batch.entities)
    report.natural_persons += sum(1 for e in batch.entities if e["kind"] == EntityKind.NATURAL_PERSON.value)
    report.related_persons += len(batch.related)
    report.linked += batch.linked
    if report.first_id is None:
        report.first_id = batch.entities[0]["id"]
    report.last_id = batch.entities[-1]["id"]


def load_entities(platform: Platform, rows: Iterable[dict[str, Any]], *, source: str = "demo",
                  batch_size: int = BATCH_SIZE, actor: Any = SYSTEM) -> LoadReport:
    """Load generator rows (natural persons before the organisations that name them) in batches."""
    with platform.uow(write=False) as session:
        first_entity_id, first_related_id = next_ids(session)
    batches = prepare_batches(platform.keyring, rows, first_entity_id=first_entity_id,
                              first_related_id=first_related_id, batch_size=batch_size)
    return write_batches(platform, batches, source=source, actor=actor)

