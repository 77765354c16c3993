"""`xinyong backup` and `xinyong restore` (R-REV-4, R-SEC-1): a copy of the platform that carries its own proof.

A backup is one uncompressed tar file (seekable: the manifest is read without reading the dump):

- ``manifest.json`` — ``{"manifest": {...}, "signature": hex}``; the manifest names the backend, the
  schema revision, the platform's key fingerprint, the signed audit head and the last signed checkpoint
  as they were in the dumped snapshot, and the SHA-256 and size of the dump and of every file kept
  beside the database (grading runs' input snapshots, R-GRD-7). It is signed with the audit signing key.
- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the platform writes) or
  ``database.pgdump`` (``pg_dump --format=custom`` in a snapshot exported by the transaction that reads
  the head, so head and dump are the same instant).
- ``data/…`` — the files of ``XINYONG_DATA_DIR``.

A restore checks the signature and every digest before it writes anything, loads the dump only into an
empty database, runs the very verification of `xinyong audit verify` on what was loaded, and requires
the restored head and checkpoint to be the ones the manifest signed. Whatever fails, the target is left
as it was: empty. The key is not in the backup (README: whoever holds a backup and its key could read
every ID number and sign a forged history, so the two are kept apart).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, inspect, make_url, select, text

from xinyong.kit import meta
from xinyong.kit.clock import now
from xinyong.kit.db import is_sqlite
from xinyong.kit.errors import Conflict, Invalid

from . import chain
from .models import AuditCheckpoint, AuditHead
from .trail import HEAD_ID

FORMAT = "xinyong-backup"
VERSION = 1
MANIFEST = "manifest.json"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
DATA = "data"
CHUNK = 1 << 20
# objects PostgreSQL puts into every database: a database holding only these is empty
SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'pg_toast')"


class Refused(Conflict):
    """A backup that does not prove itself, or a target that is not empty: nothing is written."""

    code = "backup_refused"


def manifest_message(manifest: dict[str, Any]) -> bytes:
    # its own prefix: a signature over a manifest can never pass for an audit head's or a checkpoint's
    return b"xinyong-backup:" + chain.dumps(manifest).encode()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


# ---- the backup ---------------------------------------------------------------------------------------

def backup(platform, out: str | Path) -> dict[str, Any]:
    """Write the backup to ``out`` (refused if it exists); returns the manifest."""
    out = Path(out)
    if out.exists():
        raise Invalid(f"文件 {out} 已存在：备份不覆盖已有文件，请换一个文件名", field="OUT")
    out.parent.mkdir(parents=True, exist_ok=True)
    backend = "sqlite" if is_sqlite(platform.engine) else "postgresql"
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".xinyong-backup-") as tmp:
        dump = Path(tmp) / DUMPS[backend]
        facts = _dump_sqlite(platform.engine, dump) if backend == "sqlite" else _dump_postgres(platform.engine, dump)
        if facts["audit_head"] is None:
            raise Invalid("数据库尚未初始化（没有审计链头）：没有可备份的内容；新数据库请先运行 xinyong init")
        if facts["key_fingerprint"] != platform.keyring.fingerprint():
            raise Invalid("数据库登记的密钥指纹与本机密钥不一致：无法签署备份")
        # after the dump: a grading run writes its snapshot file before it commits, so every run in the dump has
        # its file complete; each is copied before it is hashed, as a file still being written may change
        files = []
        for name, path in _data_files(Path(platform.settings.data_dir), platform.engine):
            copy = Path(tmp) / DATA / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
            files.append((name, copy))
        manifest = {"format": FORMAT, "version": VERSION, "backend": backend, "created_at": now().isoformat(),
                    "dump": {"name": dump.name, "size": dump.stat().st_size, "sha256": sha256_file(dump)},
                    "files": [{"name": name, "size": p.stat().st_size, "sha256": sha256_file(p)} for name, p in files],
                    **facts}
        signed = {"manifest": manifest,
                  "signature": platform.keyring.signing_key.sign(manifest_message(manifest)).hex()}
        partial = Path(tmp) / "backup.partial"
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            _add_bytes(tar, MANIFEST, json.dumps(signed, ensure_ascii=False, indent=2).encode())
            tar.add(dump, arcname=dump.name)
            for entry, (_, path) in zip(manifest["files"], files, strict=True):
                tar.add(path, arcname=f"{DATA}/{entry['name']}")
        os.replace(partial, out)  # a backup cut short never sits under the name asked for
    return manifest


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(now().timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def _data_files(root: Path, engine) -> list[tuple[str, Path]]:
    """The files kept beside the database; the database's own files, should they live there, are in the dump."""
    if not root.is_dir():
        return []
    database = str(Path(engine.url.database).resolve()) if is_sqlite(engine) and engine.url.database else None
    found = []
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root)
        # hidden entries are not the platform's (a restore's staging directory among them)
        if path.is_file() and not any(part.startswith(".") for part in name.parts) \
                and not (database and str(path.resolve()).startswith(database)):
            found.append((name.as_posix(), path))
    return found


def chain_facts(conn: Connection) -> dict[str, Any]:
    """What the manifest states about the dumped snapshot: read in that very snapshot."""
    names = set(inspect(conn).get_table_names())
    head = conn.execute(select(AuditHead.seq, AuditHead.hash, AuditHead.signature)
                        .where(AuditHead.id == HEAD_ID)).first() if AuditHead.__tablename__ in names else None
    cp = conn.execute(select(AuditCheckpoint.tree_size, AuditCheckpoint.root_hash, AuditCheckpoint.signature)
                      .order_by(AuditCheckpoint.tree_size.desc()).limit(1)).first() \
        if AuditCheckpoint.__tablename__ in names else None
    fingerprint = conn.execute(select(meta.PlatformMeta.value).where(meta.PlatformMeta.key == meta.KEY_FINGERPRINT)) \
        .scalar() if meta.PlatformMeta.__tablename__ in names else None
    revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() \
        if "alembic_version" in names else None
    return {"revision": revision, "key_fingerprint": fingerprint,
            "audit_head": dict(head._mapping) if head else None,
            "checkpoint": dict(cp._mapping) if cp else None}


def _dump_sqlite(engine, dump: Path) -> dict[str, Any]:
    source = sqlite3.connect(sqlite_path(engine.url), timeout=30)
    target = sqlite3.connect(dump)
    try:
        source.backup(target)  # all pages in one step: one read snapshot, writers carry on (WAL)
        target.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    finally:
        source.close()
        target.close()
    copy = create_engine(f"sqlite:///{dump}")
    try:
        with copy.connect() as conn:
            return chain_facts(conn)
    finally:
        copy.dispose()


def sqlite_path(url) -> str:
    path = make_url(str(url)).database
    if not path or path == ":memory:" or path.startswith("file:"):
        raise Invalid("只能备份或恢复到 SQLite 数据库文件（不支持内存数据库）")
    return path


def libpq(url) -> tuple[str, dict[str, str]]:
    """The connection string for PostgreSQL's own tools; the password goes by environment, not on a command
    line that every user of the machine can read."""
    url = make_url(str(url))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def pg_tool(name: str, conn: Connection) -> str:
    found = shutil.which(name)
    if found is None:
        major = conn.execute(text("SHOW server_version_num")).scalar_one()[:2]
        raise Invalid(f"找不到 {name}：请安装与数据库服务器版本一致的 PostgreSQL 客户端（Debian 软件包 "
                      f"postgresql-client-{major}）")
    return found


def run_tool(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()] or [f"退出码 {done.returncode}"]
        raise Invalid(f"{what}失败：{lines[0]}")


def _dump_postgres(engine, dump: Path) -> dict[str, Any]:
    dsn, env = libpq(engine.url)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            # pg_dump reads the snapshot this transaction exports: the head written into the manifest and
            # the dump are the same instant, whatever the platform commits meanwhile
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            facts = chain_facts(conn)
            run_tool([pg_tool("pg_dump", conn), "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", dsn],
                 env, "pg_dump 导出")
    return facts
