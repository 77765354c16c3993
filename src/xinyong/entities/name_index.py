"""Which entities a name query finds, best first (R-ENT-6, R-PUB-1): the queries against the name
index that migration 0007 builds, for the public query and the departments' search alike.

The index holds the bigrams of ``\\x02 + name_key + \\x03``. A query's normalised key is matched as
a phrase of its bigrams, so every query of two or more characters is a substring match answered by
the index, and one of one character a "begins with" match (``\\x02`` and the character are a
bigram). Ranking: the name itself, then names that begin with the query, then names that contain
it; shorter names first within each. The index hands matches over shortest first, so the first
page costs the same whether 20 names match or 900,000 (北京…).

- SQLite: the contentless FTS5 table ``entity_names``, rowid ``length << 33 | is_natural_person << 32
  | id``: FTS5 returns rowids in order, so ``ORDER BY rowid LIMIT n`` stops after n matches, and a
  natural person ranks after the organisations of its length.
- PostgreSQL: the GIN index on ``xinyong_name_grams(name_key)``, whose tokens carry the name's length
  (``12:翔宇``); the query walks the lengths from the shortest possible (a LATERAL join on
  ``generate_series``), one posting-list lookup each, and stops when it has n. Within one length,
  rows come in the table's physical order.

Totals are counted up to ``CAP``: beyond that the answer is "more than 1,000", which is what a
person can use anyway (and what keeps a two-character query from counting 900,000 rows).

A migration that rebuilds the ``entities`` table on SQLite (Alembic's batch mode copies the table)
drops the triggers that keep ``entity_names`` in step: it must recreate them; ``drift`` finds out.
"""

from __future__ import annotations

import time

from sqlalchemy import text
from sqlalchemy.orm import Session

from xinyong.kit.db import is_sqlite

START, END = "\x02", "\x03"
MAX_KEY = 200  # entities.name_key is String(200): no name contains a longer key
CAP = 1000
_PERSON_BIT = 1 << 32
_ID_MASK = _PERSON_BIT - 1


def grams(key: str) -> list[str]:
    """The bigrams of ``key`` in order (one character is its own single gram)."""
    return [key[i:i + 2] for i in range(max(1, len(key) - 1))]


def find(session: Session, key: str, *, organisations_only: bool, limit: int,
         cap: int | None = None) -> tuple[list[int], int]:
    """(ids of the first ``limit`` entities matching ``key`` (a normalised name), best first; how many
    match, counted up to ``cap + 1`` — more than ``cap``, default ``CAP``, means "many").

    The widest tier (contains; begins with, for one character) is asked once for both: its first
    ``cap + 1`` matches are the count and the rest of the ranking."""
    cap = CAP if cap is None else cap
    if not key or len(key) > MAX_KEY:
        return [], 0
    found = _exact(session, key, organisations_only, limit) if limit > 0 else []
    seen = set(found)
    tiers = [START + key] + ([key] if len(key) > 1 else [])  # begins with; contains
    widest: list[int] = []
    for i, tier in enumerate(tiers):
        last = i == len(tiers) - 1
        if len(found) >= limit and not last:
            continue
        # every earlier match is in this tier too (an exact name begins with the key, a name that
        # begins with it contains it): ask for that many more
        hits = _tier(session, tier, organisations_only, max(limit + len(seen), cap + 1) if last else limit + len(seen))
        for entity_id in hits:
            if entity_id not in seen and len(found) < limit:
                seen.add(entity_id)
                found.append(entity_id)
        widest = hits
    return found[:limit], len(widest)


def ranked(session: Session, key: str, *, organisations_only: bool, limit: int) -> list[int]:
    """Ids of the first ``limit`` entities matching ``key``, best first."""
    return find(session, key, organisations_only=organisations_only, limit=limit, cap=0)[0]


def count(session: Session, key: str, *, organisations_only: bool, cap: int | None = None) -> int:
    """How many entities match ``key``, counted up to ``cap + 1``."""
    return find(session, key, organisations_only=organisations_only, limit=0, cap=cap)[1]


def _exact(session: Session, key: str, organisations_only: bool, limit: int) -> list[int]:
    person_last = "CASE WHEN kind = 'natural_person' THEN 1 ELSE 0 END"
    where = " AND kind <> 'natural_person'" if organisations_only else ""
    return list(session.scalars(text(f"SELECT id FROM entities WHERE name_key = :key{where} "  # noqa: S608 — no input
                                     f"ORDER BY {person_last}, id LIMIT :n"), {"key": key, "n": limit}))


def _tier(session: Session, phrase: str, organisations_only: bool, limit: int) -> list[int]:
    """The ids of the first ``limit`` matches of a tier, in the index's order."""
    sqlite = is_sqlite(session.get_bind())
    if phrase.startswith(START):
        found = _prefix_range(session, phrase[1:], organisations_only, limit, sqlite=sqlite)
        if found is not None:
            return found
    if sqlite:
        sql, params = _sqlite_tier(session, phrase, organisations_only)
    else:
        sql, params = _postgresql_tier(phrase, organisations_only)
    return [i & _ID_MASK for i in session.scalars(text(sql), params | {"n": limit})]


def _successor(key: str) -> str | None:
    """The least string greater than every string that begins with ``key``, in code point order
    (SQLite's BINARY order of UTF-8, PostgreSQL's "C")."""
    last = ord(key[-1])
    return key[:-1] + chr(last + 1) if last < 0x10FFFF else None


# "Begins with" is first a range of a B-tree index on the name: when it holds at most _FEW names they
# are simply sorted the way the name index would give them. Only a
# common beginning (北京…) goes to the name index, which then finds matches at once; a rare one
# there would mean looking at every name that merely holds the same grams (北京 and 京) of 北京)…).
_FEW = 500


def _prefix_range(session: Session, key: str, organisations_only: bool, limit: int, *, sqlite: bool) -> list[int] | None:
    upper = _successor(key)
    if upper is None:
        return None
    name = "name_key" if sqlite else 'name_key COLLATE "C"'  # PostgreSQL: ix_entities_name_c
    span = f"FROM entities WHERE {name} >= :key AND {name} < :upper"
    kind = " AND kind <> 'natural_person'" if organisations_only else ""
    params = {"key": key, "upper": upper, "n": limit}
    # the index alone answers this (no row is read for its kind)
    if session.scalar(text(f"SELECT count(*) FROM (SELECT 1 {span} LIMIT {_FEW + 1}) AS hits"), params) > _FEW:  # noqa: S608
        return None
    # these few, then sorted the way the name index gives matches (a planner that misjudges the range
    # would rather walk the length index through a million names)
    if sqlite:
        sql = (f"WITH few AS MATERIALIZED (SELECT id, name_key, kind {span}{kind}) SELECT id FROM few "
               "ORDER BY length(name_key), CASE WHEN kind = 'natural_person' THEN 1 ELSE 0 END, id LIMIT :n")
    else:
        sql = (f"WITH few AS MATERIALIZED (SELECT id, name_key, ctid AS place {span}{kind}) SELECT id FROM few "
               "ORDER BY char_length(name_key), place LIMIT :n")
    return list(session.scalars(text(sql), params))


# SQLite: a long phrase (a whole name: a dozen grams, most of them everywhere — 有限, 公司) is slow in
# FTS5, which steps through every doclist (20–30 ms at a million names). So it is looked up by its
# three adjacent grams that are rarest, and each candidate checked against the name itself. How rare
# a gram is comes from the index, counted up to _RARE and remembered for a while: a stale figure
# only picks a slower window, never a wrong answer. When every gram is common the whole phrase is
# the better filter.
_WINDOW = 3
_RARE = 2000
_FREQUENCIES: dict[tuple[str, str], int] = {}
_FREQUENCIES_BORN = [0.0]
_FREQUENCIES_TTL = 3600.0


def _frequency(session: Session, gram: str) -> int:
    now = time.monotonic()
    if now - _FREQUENCIES_BORN[0] > _FREQUENCIES_TTL or len(_FREQUENCIES) > 200_000:
        _FREQUENCIES.clear()
        _FREQUENCIES_BORN[0] = now
    key = (str(session.get_bind().url), gram)
    if key not in _FREQUENCIES:
        _FREQUENCIES[key] = session.scalar(text(
            "SELECT count(*) FROM (SELECT 1 FROM entity_names WHERE entity_names MATCH :q LIMIT :n) AS hits"),
            {"q": _phrase_of([gram]), "n": _RARE + 1})
    return _FREQUENCIES[key]


def _phrase_of(parts: list[str]) -> str:
    return '"' + " ".join(parts).replace('"', '""') + '"'


def _sqlite_tier(session: Session, phrase: str, organisations_only: bool) -> tuple[str, dict]:
    prefix = phrase.startswith(START)
    key = phrase[1:] if prefix else phrase
    where = f" AND (f.rowid & {_PERSON_BIT}) = 0" if organisations_only else ""
    parts = grams(phrase)
    if len(parts) > _WINDOW:
        counts = [_frequency(session, g) for g in parts]
        start = min(range(len(parts) - _WINDOW + 1),
                    key=lambda i: (min(counts[i:i + _WINDOW]), sum(counts[i:i + _WINDOW])))
        if min(counts[start:start + _WINDOW]) < _RARE:
            check = "substr(e.name_key, 1, length(:key)) = :key" if prefix else "instr(e.name_key, :key) > 0"
            return (f"SELECT f.rowid FROM entity_names AS f JOIN entities AS e ON e.id = (f.rowid & {_ID_MASK}) "
                    f"WHERE entity_names MATCH :q AND {check}{where} ORDER BY f.rowid LIMIT :n",
                    {"q": _phrase_of(parts[start:start + _WINDOW]), "key": key})
    return (f"SELECT f.rowid FROM entity_names AS f WHERE entity_names MATCH :q{where} ORDER BY f.rowid LIMIT :n",
            {"q": _phrase_of(parts)})


# Per length, from the shortest a match can have to the longest name there is (an index on the
# length answers that at once): the names of that length holding all the query's grams (one GIN
# lookup), then the substring check itself (grams are a bag; order and adjacency are checked here).
# The outer LIMIT ends the walk as soon as it has enough.
_PG_TIER = """
SELECT hit.id FROM generate_series(CAST(:shortest AS integer),
                                   (SELECT max(char_length(name_key)) FROM entities)) AS bucket(len)
CROSS JOIN LATERAL (
  SELECT e.id FROM entities AS e
  WHERE xinyong_name_grams(e.name_key) @> ARRAY(SELECT bucket.len || ':' || g FROM unnest(CAST(:grams AS text[])) AS g)
    AND {match}{where}
  LIMIT :n
) AS hit
LIMIT :n"""


# strpos(…) = 1 rather than starts_with: the planner would answer starts_with from ix_entities_name_c
# and compute every candidate's grams, thousands of times, instead of looking them up
_PG_MATCH = {True: "strpos(e.name_key, :key) = 1", False: "strpos(e.name_key, :key) > 0"}


def _pg_where(organisations_only: bool) -> str:
    return " AND e.kind <> 'natural_person'" if organisations_only else ""


def _postgresql_tier(phrase: str, organisations_only: bool) -> tuple[str, dict]:
    prefix = phrase.startswith(START)
    key = phrase[1:] if prefix else phrase
    sql = _PG_TIER.format(match=_PG_MATCH[prefix], where=_pg_where(organisations_only))
    return sql, {"shortest": len(key), "grams": sorted(set(grams(phrase))), "key": key}


def drift(session: Session) -> int:
    """Entities the SQLite index does not hold, plus index entries with no entity (0 when in step;
    PostgreSQL's index is the database's own and cannot drift)."""
    if not is_sqlite(session.get_bind()):
        return 0
    indexed = {rowid & _ID_MASK for rowid in session.scalars(text("SELECT rowid FROM entity_names"))}
    stored = set(session.scalars(text("SELECT id FROM entities")))
    return len(indexed ^ stored)
