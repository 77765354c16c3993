"""public name search: an index of the bigrams of every entity's normalised name (R-PUB-1, R-ENT-6)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 00:00:00

What is indexed is the two-character grams (bigrams) of ``\\x02 + entities.name_key + \\x03``: the
markers make "begins with" and "is" queries too, and a two-character trade name (翔宇) — the most
common thing people type — is one gram. A trigram index (FTS5 ``trigram``, ``pg_trgm``) cannot answer a
two-character query at all, and cannot give matches shortest name first without sorting every
match (880,000 of a million names begin with 北京).

- SQLite: a contentless FTS5 table ``entity_names`` (unicode61 over the space-separated bigrams, every
  character class a token character), kept in step by triggers, so the ORM and the Core bulk inserts
  alike are indexed. Its rowid is ``length(name_key) << 33 | is_natural_person << 32 | id``: the index
  returns matches shortest name first and a LIMIT stops it early.
- PostgreSQL: a GIN index over ``xinyong_name_grams(name_key)``, the bigrams tagged with the name's
  length (``12:翔宇``), so a query can take the names length by length, shortest first, each length
  one posting-list lookup; an index on the names' length (where that walk ends) and one on the names
  in code point order (names that begin with a query). Nothing depends on the database's LC_CTYPE or
  collation (pg_trgm needs a non-C LC_CTYPE to index Chinese at all).

``xinyong.entities.name_index`` asks these questions; it and this file must agree on the layout.
"""
from __future__ import annotations

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

MAX_KEY = 200  # entities.name_key is String(200)
TABLE = "entity_names"
TRIGGERS = ("entity_names_ai", "entity_names_ad", "entity_names_au")


def _doc(row: str) -> str:
    """SQL for the document of ``row`` (``new``, ``old`` or a table alias): the space-separated bigrams
    of char(2) || name_key || char(3). Spelled out position by position because a trigger may not hold
    a recursive CTE, and a contentless FTS5 table must be told exactly the document it indexed to
    delete it: one expression for both, no order left to chance. Positions go in blocks of 16, skipped
    whole past the name's end, and the key and its length are computed once: about 10 µs a row
    (a million rows of a bulk load: 10 s, beside some 35 s that FTS5 itself takes)."""
    blocks = []
    for start in range(1, MAX_KEY + 2, 16):
        grams = " || ".join(f"CASE WHEN n >= {i} THEN substr(k, {i}, 2) || ' ' ELSE '' END"
                            for i in range(start, min(start + 16, MAX_KEY + 2)))
        blocks.append(f"CASE WHEN n >= {start} THEN {grams} ELSE '' END")
    return (f"(SELECT rtrim({' || '.join(blocks)}, ' ') "
            f"FROM (SELECT length({row}.name_key) + 1 AS n, char(2) || {row}.name_key || char(3) AS k LIMIT 1))")


def _rowid(row: str) -> str:
    return (f"(length({row}.name_key) << 33) | (CASE WHEN {row}.kind = 'natural_person' THEN 1 ELSE 0 END << 32)"
            f" | {row}.id")


def _sqlite_upgrade() -> None:
    op.execute(f"CREATE VIRTUAL TABLE {TABLE} USING fts5(doc, content='', detail='full', "
               "tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* P* S* M* C*'\")")
    insert = f"INSERT INTO {TABLE}(rowid, doc) VALUES ({_rowid('new')}, {_doc('new')});"
    delete = f"INSERT INTO {TABLE}({TABLE}, rowid, doc) VALUES ('delete', {_rowid('old')}, {_doc('old')});"
    op.execute(f"CREATE TRIGGER entity_names_ai AFTER INSERT ON entities BEGIN {insert} END")
    op.execute(f"CREATE TRIGGER entity_names_ad AFTER DELETE ON entities BEGIN {delete} END")
    op.execute(f"CREATE TRIGGER entity_names_au AFTER UPDATE OF name_key, kind ON entities BEGIN {delete} {insert} END")
    # the entities there are already
    op.execute(f"INSERT INTO {TABLE}(rowid, doc) SELECT {_rowid('e')}, {_doc('e')} FROM entities AS e")


def _postgresql_upgrade() -> None:
    # IMMUTABLE: it reads nothing but its argument. CREATE OR REPLACE: dropping the tables (the test
    # suite, a demo reset) leaves functions behind.
    op.execute(r"""
CREATE OR REPLACE FUNCTION xinyong_name_grams(name_key text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT char_length(name_key) || ':' || substr(k, i, 2)), '{}')
  FROM (SELECT chr(2) || name_key || chr(3) AS k) AS s, generate_series(1, char_length(name_key) + 1) AS i
$$""")
    # fastupdate off: a query probes the index once per name length, and every probe would scan the
    # pending list of recent inserts in full (2 ms each after a bulk load, instead of 0.01 ms)
    op.execute("CREATE INDEX ix_entities_name_grams ON entities USING gin (xinyong_name_grams(name_key)) "
               "WITH (fastupdate = off)")
    # the longest name there is, where a walk by length stops
    op.execute("CREATE INDEX ix_entities_name_length ON entities (char_length(name_key))")
    # names that begin with a query, in code point order whatever the database's collation
    op.execute('CREATE INDEX ix_entities_name_c ON entities (name_key COLLATE "C")')


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        _postgresql_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute(f"DROP TABLE IF EXISTS {TABLE}")
    else:
        op.execute("DROP INDEX IF EXISTS ix_entities_name_c")
        op.execute("DROP INDEX IF EXISTS ix_entities_name_length")
        op.execute("DROP INDEX IF EXISTS ix_entities_name_grams")
        op.execute("DROP FUNCTION IF EXISTS xinyong_name_grams(text)")
