"""Tests run on a real database: SQLite by default, PostgreSQL when XINYONG_TEST_DATABASE_URL names one.

The schema is migrated once per session with the real Alembic migrations. After each test every
table is emptied and the default catalog reloaded, rather than rolling back: the web app, the CLI
and the audit chain all commit for real, and a test must see what they really did.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from xinyong.accounts.permissions import SYSTEM
from xinyong.bootstrap import initialise, load_defaults
from xinyong.kit.db import Base, is_sqlite
from xinyong.kit.platform import Platform
from xinyong.kit.settings import Settings

from .factories import Factory

TEST_SECRET = "5a" * 32


@pytest.fixture(scope="session")
def db_url(tmp_path_factory) -> str:
    url = os.environ.get("XINYONG_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def settings(db_url, tmp_path_factory) -> Settings:
    return Settings(database_url=db_url, secret_key=TEST_SECRET, key_file=tmp_path_factory.mktemp("keys") / "k",
                    data_dir=tmp_path_factory.mktemp("data"), scheduler=False)


@pytest.fixture(scope="session")
def platform(settings) -> Platform:
    p = Platform.create(settings)
    if not is_sqlite(p.engine):
        with p.engine.begin() as conn:  # a fresh schema even when the database was used before
            Base.metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    initialise(p)
    yield p
    p.dispose()


def _empty_all_tables(platform: Platform) -> None:
    # platform_meta holds the key fingerprint `init` recorded: it belongs to the installation, not a test
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name != "platform_meta"]
    with platform.engine.begin() as conn:
        if is_sqlite(platform.engine):
            for t in tables:
                conn.execute(t.delete())
        else:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE"))


def reset_database(platform: Platform) -> None:
    """Every table emptied and what `init` loads loaded again."""
    _empty_all_tables(platform)
    with platform.uow(actor=SYSTEM) as session:
        load_defaults(session)


@pytest.fixture(autouse=True)
def _clean_database(request):
    """After each test, an empty database again — except in modules that open none (``NO_DATABASE = True``:
    pure rules, DESIGN: tested in milliseconds), which then do not wait for one to be made."""
    if getattr(request.module, "NO_DATABASE", False):
        yield
        return
    platform = request.getfixturevalue("platform")
    yield
    reset_database(platform)


@pytest.fixture
def uow(platform):
    """``with uow() as session:`` — a unit of work as the CLI and jobs open it (commits on success)."""
    return platform.uow


@pytest.fixture
def make(platform) -> Factory:
    return Factory(platform, random.Random(7))


@pytest.fixture
def app(platform):
    from xinyong.web.app import create_app

    return create_app(platform)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def bearer(uow):
    """``bearer(user)`` → Authorization headers for that user's fresh API token."""
    from xinyong.accounts import service

    def issue(user):
        with uow(actor=SYSTEM) as s:
            raw, _ = service.create_token(s, actor=SYSTEM, user=s.merge(user))
        return {"Authorization": f"Bearer {raw}"}

    return issue


@pytest.fixture
def xinyong(settings, tmp_path):
    """Run the ``xinyong`` command in a subprocess against the test database."""
    env = os.environ | {"XINYONG_DATABASE_URL": settings.database_url, "XINYONG_SECRET_KEY": TEST_SECRET,
                         "XINYONG_DATA_DIR": str(settings.data_dir)}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "xinyong.cli", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    return run
