"""`xinyong restore` (R-REV-4, R-SEC-1): a backup is loaded only into an empty database, and only if it
proves itself — see ``backup`` for the file's form and what the manifest signs."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.exceptions import InvalidSignature
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from xinyong.kit.crypto import Keyring, load_master_key
from xinyong.kit.db import is_sqlite, make_engine
from xinyong.kit.errors import Invalid
from xinyong.kit.migrate import current_revision, head_revision
from xinyong.kit.settings import Settings

from .backup import (
    CHUNK,
    DATA,
    DUMPS,
    FORMAT,
    LABELS,
    MANIFEST,
    SYSTEM_SCHEMAS,
    VERSION,
    Refused,
    chain_facts,
    libpq,
    manifest_message,
    pg_tool,
    run_tool,
    sha256_file,
    sqlite_path,
)
from .verify import verify


@dataclass
class Restored:
    manifest: dict[str, Any]
    events: int
    rows: int
    checkpoints: int
    files: int
    upgrade_needed: bool  # a backup of an older schema: `xinyong init` migrates it

    def as_dict(self) -> dict[str, Any]:
        m = self.manifest
        return {"ok": True, "backend": m["backend"], "created_at": m["created_at"], "revision": m["revision"],
                "events": self.events, "rows": self.rows, "checkpoints": self.checkpoints, "files": self.files,
                "upgrade_needed": self.upgrade_needed,
                "head": m["audit_head"], "checkpoint": m["checkpoint"], "key_fingerprint": m["key_fingerprint"]}


def read_manifest(tar: tarfile.TarFile) -> tuple[dict[str, Any], str]:
    try:
        member = tar.getmember(MANIFEST)
        signed = json.loads(tar.extractfile(member).read())
        manifest, signature = signed["manifest"], signed["signature"]
        if manifest["format"] != FORMAT or not isinstance(signature, str):
            raise ValueError
    except (KeyError, ValueError, TypeError, AttributeError):
        raise Refused("不是 xinyong 备份文件，或备份清单已损坏") from None
    if manifest.get("version") != VERSION:
        raise Refused(f"备份格式版本 {manifest.get('version')} 不受支持（本程序读取版本 {VERSION}）")
    return manifest, signature


def _keyring(settings: Settings, fingerprint: str) -> Keyring:
    """The platform's key, which the backup does not hold: from XINYONG_SECRET_KEY or the key file. No new
    key is ever made here (``load_master_key`` would make one for a database without a fingerprint)."""
    if not settings.secret_key and not Path(settings.key_file).exists():
        raise Refused(f"找不到密钥文件 {Path(settings.key_file).resolve()}：备份不含密钥，请放回签署此备份的平台密钥"
                      f"（指纹 {str(fingerprint)[:16]}…）或设置 XINYONG_SECRET_KEY")
    keyring = Keyring(load_master_key(settings.secret_key, settings.key_file))
    if keyring.fingerprint() != fingerprint:
        raise Refused(f"备份清单记载的密钥指纹（{str(fingerprint)[:16]}…）与本机密钥（{keyring.fingerprint()[:16]}…）"
                      "不一致：用错了密钥，或备份清单被改动")
    return keyring


def _check_signature(keyring: Keyring, manifest: dict[str, Any], signature: str) -> None:
    try:
        keyring.verify_key.verify(bytes.fromhex(signature), manifest_message(manifest))
    except (InvalidSignature, ValueError):
        raise Refused("备份清单的签名无效：清单被改动，或不是本平台签署的备份") from None


def _member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise Refused(f"备份清单中的文件名不安全：{name}")
    return path


def _extract_checked(tar: tarfile.TarFile, name: str, entry: dict[str, Any], dest: Path) -> None:
    """Copy one member out while hashing it; a member that differs from the manifest is refused."""
    try:
        source = tar.extractfile(tar.getmember(name))
    except KeyError:
        source = None
    if source is None:
        raise Refused(f"备份中缺少 {name}：备份不完整")
    digest, size = hashlib.sha256(), 0
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "wb") as fh:
        while block := source.read(CHUNK):
            digest.update(block)
            size += len(block)
            fh.write(block)
    if digest.hexdigest() != entry["sha256"] or size != entry["size"]:
        what = "数据库转储" if name in DUMPS.values() else f"文件 {name}"
        raise Refused(f"备份中的{what}与签名清单记载的摘要不符：内容被改动或损坏")


def restore(settings: Settings, source: str | Path) -> Restored:
    """Restore the backup ``source`` into the (empty) database of ``settings``."""
    import xinyong.models  # noqa: F401  every audited table is known to the verification

    try:
        tar = tarfile.open(source, "r:")
    except FileNotFoundError:
        raise Invalid(f"找不到备份文件 {source}", field="IN") from None
    except (tarfile.TarError, IsADirectoryError, PermissionError):
        raise Refused("不是 xinyong 备份文件，或备份文件已损坏") from None
    with tar:
        manifest, signature = read_manifest(tar)
        keyring = _keyring(settings, manifest["key_fingerprint"])
        _check_signature(keyring, manifest, signature)
        backend = "sqlite" if is_sqlite(settings.database_url) else "postgresql"
        if manifest["backend"] != backend:
            raise Refused(f"此备份取自 {LABELS.get(manifest['backend'], manifest['backend'])} 数据库，只能恢复到同类数据库"
                          f"（目标为 {LABELS[backend]}）")
        data_dir = Path(settings.data_dir)
        files = [(entry, _member_path(entry["name"])) for entry in manifest["files"]]
        for entry, rel in files:
            existing = data_dir / rel
            if existing.exists() and sha256_file(existing) != entry["sha256"]:
                raise Refused(f"数据目录中已有不同的文件 {existing}：恢复不覆盖已有文件")
        loader = _restore_sqlite if backend == "sqlite" else _restore_postgres
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=data_dir, prefix=".restore-") as staging:
            staged = Path(staging)
            for entry, rel in files:  # every file checked before the database is touched
                _extract_checked(tar, f"{DATA}/{rel}", entry, staged / rel)
            with loader(settings, tar, manifest) as engine:
                report = _verify_restored(engine, keyring, manifest)
                upgrade_needed = manifest["revision"] != head_revision(engine)
            for _, rel in files:
                (data_dir / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged / rel, data_dir / rel)
    return Restored(manifest, report.events, report.rows, report.checkpoints, len(files), upgrade_needed)


def _verify_restored(engine, keyring: Keyring, manifest: dict[str, Any]):
    """`xinyong audit verify` on what was loaded, then: is it the history the manifest signed?"""
    revision = current_revision(engine)
    with Session(engine, info={"keyring": keyring}) as session:
        report = verify(session, keyring, reflect=revision != head_revision(engine))
        facts = chain_facts(session.connection())
    if not report.ok:
        raise Refused(f"恢复出的数据未通过审计校验，已撤销恢复：{report.problems[0]}")
    for key, label in (("audit_head", "审计链头"), ("checkpoint", "最后签名检查点"), ("key_fingerprint", "密钥指纹"),
                       ("revision", "数据库结构版本")):
        if facts[key] != manifest[key]:
            raise Refused(f"恢复出的{label}与备份清单签署的不一致，已撤销恢复：备份被改动")
    return report


@contextmanager
def _restore_sqlite(settings: Settings, tar: tarfile.TarFile, manifest: dict[str, Any]) -> Iterator[Any]:
    """Loaded and verified beside the target, then moved into place in one rename: a refused restore
    leaves the target as it was."""
    target = Path(sqlite_path(settings.database_url))
    _require_empty_sqlite(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.restore-")
    os.close(fd)
    staged = Path(name)
    try:
        _extract_checked(tar, manifest["dump"]["name"], manifest["dump"], staged)
        engine = make_engine(f"sqlite:///{staged}", pool={})
        try:
            yield engine
        finally:
            engine.dispose()
        with sqlite3.connect(staged) as conn:  # folds any write-ahead log into the one file that is moved
            conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
        _require_empty_sqlite(target)  # still: nothing may have been made there meanwhile
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(staged, target)
    finally:
        for leftover in (staged, Path(f"{staged}-wal"), Path(f"{staged}-shm")):
            leftover.unlink(missing_ok=True)


def _require_empty_sqlite(target: Path) -> None:
    if not target.exists():
        return
    conn = sqlite3.connect(target, timeout=30)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    except sqlite3.DatabaseError:
        raise Refused(f"目标 {target} 不是可用的 SQLite 数据库：恢复只写入空数据库或新文件") from None
    finally:
        conn.close()
    if tables:
        raise Refused(f"目标数据库不是空的（已有 {len(tables)} 个表，如 {tables[0]}）：恢复只写入空数据库，"
                      "请指定新的数据库文件")


@contextmanager
def _restore_postgres(settings: Settings, tar: tarfile.TarFile, manifest: dict[str, Any]) -> Iterator[Any]:
    engine = make_engine(settings.database_url, pool={})
    try:
        try:
            conn = engine.connect()
        except OperationalError as exc:  # not SQLAlchemy's hint to run `init`: an initialised target is refused
            reason = str(exc.orig).strip().splitlines()[0]
            raise Invalid(f"无法连接目标数据库（{reason}）：请先新建一个空数据库") from None
        with conn:
            _require_empty_postgres(conn)
            pg_restore = pg_tool("pg_restore", conn)
        with tempfile.TemporaryDirectory(prefix="xinyong-restore-") as tmp:
            dump = Path(tmp) / manifest["dump"]["name"]
            _extract_checked(tar, manifest["dump"]["name"], manifest["dump"], dump)
            dsn, env = libpq(engine.url)
            # one transaction: a load that fails half-way leaves nothing behind
            run_tool([pg_restore, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
                  f"--dbname={dsn}", str(dump)], env, "pg_restore 载入")
        try:
            yield engine
        except BaseException:
            _empty_postgres(engine)
            raise
    finally:
        engine.dispose()


def _user_objects(conn: Connection) -> list[str]:
    return list(conn.execute(text(
        "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE n.nspname NOT IN {SYSTEM_SCHEMAS} AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1")).scalars())


def _require_empty_postgres(conn: Connection) -> None:
    objects = _user_objects(conn)
    extensions = list(conn.execute(text("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'")).scalars())
    if objects or extensions:
        first = objects[0] if objects else f"扩展 {extensions[0]}"
        raise Refused(f"目标数据库不是空的（已有 {len(objects) + len(extensions)} 个对象，如 {first}）：恢复只写入空数据库，"
                      "请新建一个空数据库")


def _empty_postgres(engine) -> None:
    """Undo a load the verification refused: the database was empty before, so everything in it now came
    from the backup and goes (in one transaction)."""
    with engine.begin() as conn:
        for (ext,) in conn.execute(text("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'")):
            conn.execute(text(f'DROP EXTENSION IF EXISTS "{ext}" CASCADE'))
        schemas = conn.execute(text(
            f"SELECT nspname FROM pg_namespace WHERE nspname NOT IN {SYSTEM_SCHEMAS} AND nspname NOT LIKE 'pg\\_%'"))
        for (schema,) in schemas.all():
            if schema != "public":
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                continue
            for kind, sql in (("r", "TABLE"), ("p", "TABLE"), ("v", "VIEW"), ("m", "MATERIALIZED VIEW"),
                              ("f", "FOREIGN TABLE"), ("S", "SEQUENCE")):
                for (name,) in conn.execute(text(
                        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = 'public' AND c.relkind = :k"), {"k": kind}).all():
                    conn.execute(text(f'DROP {sql} IF EXISTS public."{name}" CASCADE'))
            for (signature,) in conn.execute(text(
                    "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE n.nspname = 'public'")).all():
                conn.execute(text(f"DROP ROUTINE IF EXISTS {signature} CASCADE"))
            for (name,) in conn.execute(text(
                    "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                    "WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'r', 'm') ")).all():
                conn.execute(text(f'DROP TYPE IF EXISTS public."{name}" CASCADE'))
