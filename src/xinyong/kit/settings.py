"""The one settings object (DESIGN habit 9). Environment variables carry the XINYONG_ prefix."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XINYONG_", frozen=True)

    # Embedded default: a SQLite file in the working directory (WAL mode).
    database_url: str = "sqlite:///xinyong.db"
    # Where key material lives when XINYONG_SECRET_KEY is not given: a file created on first use.
    key_file: Path = Path("xinyong.key")
    # 32+ bytes of hex; every purpose-specific key is derived from it (HKDF).
    secret_key: str | None = None

    # Files the platform keeps beside the database: grading runs' input snapshots (R-GRD-7).
    data_dir: Path = Path("xinyong-data")

    host: str = "127.0.0.1"
    port: int = 8000
    # Server processes of `xinyong serve`: one per core serves the API's callers (the credit check) on
    # every core; the scheduler's jobs run once whatever the number (jobs.lease).
    workers: int = Field(default=1, ge=1, le=64)
    # uvicorn's line per HTTP request; off by default: reads of files are on the query log (R-PUB-3) and
    # changes on the audit trail, and a log line per credit check cost the server a tenth of its time.
    access_log: bool = False
    zone_name: str = "北京经济技术开发区"

    session_hours: int = 8
    token_days: int = 90
    # Lock-out after repeated failed logins (R-SEC-3: no guessing at passwords).
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    cookie_secure: bool = False

    # The public query's budgets per client address (R-PUB-1, R-SEC-3; public.throttle); 0 turns one off.
    public_search_per_minute: int = 60
    public_search_per_day: int = 3000
    public_lookup_per_minute: int = 10
    public_lookup_per_day: int = 100

    # Objections (SPEC §10): the period to appeal a decision to the management committee (000 §26 sets
    # none; 15 working days is the zone's choice), and the size of one evidence file.
    appeal_workdays: int = Field(default=15, ge=1, le=120)
    evidence_max_mb: int = Field(default=10, ge=1, le=100)

    sql_echo: bool = False
    scheduler: bool = Field(default=True, description="run scheduled jobs inside `xinyong serve`")


@lru_cache
def get_settings() -> Settings:
    return Settings()
