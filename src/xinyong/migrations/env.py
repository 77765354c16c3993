from __future__ import annotations

from alembic import context

import xinyong.models  # noqa: F401
from xinyong.kit.db import Base, is_sqlite, make_engine
from xinyong.kit.migrate import include_object

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from xinyong.kit.settings import get_settings

        engine = make_engine(get_settings().database_url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=is_sqlite(engine),  # SQLite alters tables by copying them
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
