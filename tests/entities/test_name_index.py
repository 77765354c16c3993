"""The name index of migration 0007 stays in step with the entities however they are written, is
built for the entities already there, and does not upset the schema tools (R-PUB-1)."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, text

from tests.conftest import TEST_SECRET
from xinyong.accounts.permissions import SYSTEM
from xinyong.entities import name_index
from xinyong.entities import service as entities
from xinyong.entities.bulk import load_entities
from xinyong.entities.models import Entity
from xinyong.kit.clock import now
from xinyong.kit.db import Base, is_sqlite
from xinyong.kit.migrate import RAW_OBJECTS, alembic_config, include_object
from xinyong.kit.platform import Platform
from xinyong.kit.settings import Settings


def test_grams_are_the_bigrams_in_order():
    assert name_index.grams("星河科技") == ["星河", "河科", "科技"]
    assert name_index.grams("\x02星") == ["\x02星"] and name_index.grams("星") == ["星"]


def test_the_bulk_path_is_indexed_as_the_orm_path_is(platform, uow):
    rows = [{"kind": "legal_person", "uscc": u, "name": n, "related": []} for u, n in (
        ("91110302MA01AAAA0X", "北京亦庄批量甲科技有限公司"), ("91110302MA01BBBB0X", "北京亦庄批量乙科技有限公司"))]
    from xinyong.entities.identifiers import uscc_check_digit
    for row in rows:
        row["uscc"] = row["uscc"][:17] + uscc_check_digit(row["uscc"][:17])
    load_entities(platform, rows, source="test")  # SQLAlchemy Core inserts: no ORM events
    with uow(write=False) as s:
        assert entities.search(s, actor=SYSTEM, q="批量").total == 2
        assert name_index.drift(s) == 0


def test_the_migration_indexes_the_entities_already_there_and_goes_back(tmp_path):
    p = Platform.create(Settings(database_url=f"sqlite:///{tmp_path / 'old.db'}", secret_key=TEST_SECRET,
                                 key_file=tmp_path / "k"))
    try:
        cfg = alembic_config(p.engine)
        command.upgrade(cfg, "0006")
        with p.engine.begin() as conn:  # rows written before the index existed
            conn.execute(insert(Entity.__table__), [
                {"id": 1, "kind": "legal_person", "uscc": "91110302MA01AAAA01", "name": "北京亦庄老店科技有限公司",
                 "name_key": "北京亦庄老店科技有限公司", "status": "存续", "created_at": now()},
                {"id": 2, "kind": "natural_person", "uscc": None, "name": "老店", "name_key": "老店", "status": "存续",
                 "created_at": now()}])
        command.upgrade(cfg, "head")
        with p.uow(write=False) as s:
            assert name_index.drift(s) == 0
            assert name_index.ranked(s, "老店", organisations_only=False, limit=5) == [2, 1]
            assert name_index.ranked(s, "老店", organisations_only=True, limit=5) == [1]
        command.downgrade(cfg, "0006")
        with p.engine.connect() as conn:
            left = conn.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'entity_names%'")).all()
        assert left == []
        command.upgrade(cfg, "head")
        with p.uow(write=False) as s:
            assert name_index.ranked(s, "亦庄老店", organisations_only=False, limit=5) == [1]
    finally:
        p.dispose()


def test_autogenerate_leaves_the_hand_made_index_alone(platform):
    with platform.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert not [d for d in diff if any(name in repr(d) for name in RAW_OBJECTS)]


def test_the_index_is_there_after_init(platform):
    with platform.engine.connect() as conn:
        if is_sqlite(platform.engine):
            triggers = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
            assert {"entity_names_ai", "entity_names_ad", "entity_names_au"} <= triggers
        else:
            names = {r[0] for r in conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'entities'"))}
            assert {"ix_entities_name_grams", "ix_entities_name_length", "ix_entities_name_c"} <= names
