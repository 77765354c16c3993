"""Alembic, driven from code so that `xinyong init` needs no alembic.ini on the operator's machine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

# Made by hand in migrations, not from the models: the name index of 0007 (an FTS5 table and its
# shadow tables on SQLite, three indexes on PostgreSQL). Autogenerate must not drop them.
RAW_OBJECTS = ("entity_names", "ix_entities_name_grams", "ix_entities_name_length", "ix_entities_name_c")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (reflected and compare_to is None and bool(name) and name.startswith(RAW_OBJECTS))


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    command.upgrade(alembic_config(engine), "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
