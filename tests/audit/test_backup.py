"""`xinyong backup` / `xinyong restore` (R-REV-4, R-SEC-1; issue 17): a restore onto an empty database verifies
with `audit verify` and matches the backup's signed head and checkpoint; an altered backup is refused and leaves
the target empty; a database that is not empty is never written to."""

import io
import json
import os
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, make_url, select, text

from tests.conftest import TEST_SECRET
from xinyong.accounts.permissions import SYSTEM
from xinyong.audit.backup import MANIFEST, Refused, backup, manifest_message
from xinyong.audit.models import AuditEvent, AuditHead
from xinyong.audit.restore import restore
from xinyong.audit.verify import make_checkpoint, verify
from xinyong.entities import service as entities
from xinyong.entities.models import Entity
from xinyong.kit.db import is_sqlite
from xinyong.kit.platform import Platform

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def target(settings, db_url, tmp_path):
    """Settings for an empty database to restore into: a new SQLite file, or a new PostgreSQL database beside
    the test database (same server, same collation), dropped afterwards."""
    data_dir = tmp_path / "restored-data"
    if is_sqlite(db_url):
        yield settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'restored.db'}", "data_dir": data_dir})
        return
    url = make_url(db_url)
    name = f"{url.database}_restore"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        collate, ctype = conn.execute(text("SELECT datcollate, datctype FROM pg_database "
                                           "WHERE datname = current_database()")).one()
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' LC_COLLATE '{collate}' LC_CTYPE '{ctype}' "
                          "TEMPLATE template0"))
    yield settings.model_copy(update={"database_url": url.set(database=name).render_as_string(hide_password=False),
                                      "data_dir": data_dir})
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def user_tables(settings) -> list[str]:
    """The tables (on PostgreSQL: every relation, sequences and indexes too) the target holds: none, after any
    refused restore."""
    if is_sqlite(settings.database_url):
        path = Path(make_url(settings.database_url).database)
        if not path.exists():
            return []
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            if is_sqlite(engine):
                return list(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars())
            return list(conn.execute(text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'")).scalars())
    finally:
        engine.dispose()


@pytest.fixture
def audited(make, uow, platform):
    """A platform with audited data: an encrypted ID number, a signed checkpoint, and events after it (the
    head and the checkpoint differ)."""
    make.department("市场监管局")
    company = make.entity("北京星河科技有限公司")
    person = make.entity("张三", id_number=ID_NUMBER)
    with uow(actor=SYSTEM) as s:
        make_checkpoint(s, platform.keyring)
    make.entity("北京乙科技有限公司")
    return {"company": company.id, "person": person.id}


def run_cli(settings, *args, cwd):
    env = os.environ | {"XINYONG_DATABASE_URL": settings.database_url, "XINYONG_SECRET_KEY": TEST_SECRET,
                        "XINYONG_DATA_DIR": str(settings.data_dir)}
    return subprocess.run([sys.executable, "-m", "xinyong.cli", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def repack(path: Path, parts: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in parts.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def dump_name(parts: dict[str, bytes]) -> str:
    return json.loads(parts[MANIFEST])["manifest"]["dump"]["name"]


def test_backup_then_restore_into_an_empty_database_verifies_and_matches_the_signed_head(
        audited, platform, target, settings, tmp_path):  # R-REV-4, R-SEC-1
    source_data = tmp_path / "source-data"
    (source_data / "grading").mkdir(parents=True)
    (source_data / "grading" / "run-1-records.parquet").write_bytes(b"PAR1 a grading run's input snapshot")
    with platform.uow(write=False) as s:
        source_head = s.get(AuditHead, 1)
        source_head = (source_head.seq, source_head.hash, source_head.signature)
        events = s.scalar(select(func.count()).select_from(AuditEvent))
    out = tmp_path / "xinyong.backup"
    made = run_cli(settings.model_copy(update={"data_dir": source_data}), "backup", str(out), "--json", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    manifest = json.loads(made.stdout)
    assert (manifest["audit_head"]["seq"], manifest["audit_head"]["hash"]) == source_head[:2]
    assert manifest["checkpoint"]["tree_size"] < manifest["audit_head"]["seq"] == events
    assert manifest["key_fingerprint"] == platform.keyring.fingerprint()
    assert TEST_SECRET.encode() not in out.read_bytes()  # the key is not in the backup

    done = run_cli(target, "restore", str(out), "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and report["events"] == events and report["files"] == 1 and not report["upgrade_needed"]
    assert (target.data_dir / "grading" / "run-1-records.parquet").read_bytes() == b"PAR1 a grading run's input snapshot"

    restored = Platform.create(target)  # the platform starts on the restored database with the same key
    try:
        with restored.uow(write=False) as s:
            assert verify(s, restored.keyring).ok
            head = s.get(AuditHead, 1)
            assert (head.seq, head.hash, head.signature) == source_head
            assert s.get(Entity, audited["company"]).name == "北京星河科技有限公司"
        with restored.uow(actor=SYSTEM) as s:  # encrypted ID numbers still decrypt: same key, same data
            assert entities.reveal_id_number(s, actor=SYSTEM, entity=s.get(Entity, audited["person"])) == ID_NUMBER
        verified = run_cli(target, "audit", "verify", "--json", cwd=tmp_path)
        assert verified.returncode == 0 and json.loads(verified.stdout)["ok"], verified.stdout + verified.stderr
    finally:
        restored.dispose()


@pytest.fixture
def backups(audited, platform, tmp_path):
    """A good backup, and one of the same platform after a row was changed behind its back (signed by the
    platform, which signs what it holds): its dump carries the changed row."""
    good = tmp_path / "good.backup"
    backup(platform, good)
    with platform.engine.begin() as conn:
        conn.execute(text("UPDATE entities SET name = '北京星河科技有限公司（改）' WHERE id = :id"), {"id": audited["company"]})
    tampered = tmp_path / "tampered.backup"
    backup(platform, tampered)
    return members(good), members(tampered)


def _resign(platform, manifest: dict) -> bytes:
    signature = platform.keyring.signing_key.sign(manifest_message(manifest)).hex()
    return json.dumps({"manifest": manifest, "signature": signature}).encode()


def altered(kind: str, good: dict[str, bytes], tampered: dict[str, bytes], platform) -> dict[str, bytes]:
    name = dump_name(good)
    manifest = json.loads(good[MANIFEST])
    if kind == "byte of the dump flipped":
        dump = bytearray(good[name])
        dump[len(dump) // 2] ^= 0x01
        return good | {name: bytes(dump)}
    if kind == "row changed inside the dump":
        return good | {name: tampered[name]}
    if kind == "manifest changed to the changed dump's digest":
        manifest["manifest"]["dump"] = json.loads(tampered[MANIFEST])["manifest"]["dump"]
        return good | {MANIFEST: json.dumps(manifest).encode(), name: tampered[name]}
    if kind == "manifest changed: an older head":
        manifest["manifest"]["audit_head"]["seq"] -= 1
        return good | {MANIFEST: json.dumps(manifest).encode()}
    if kind == "backup of a tampered database, signed by the key holder":
        return tampered
    if kind == "re-signed manifest naming another head":  # only the key holder could; the restore still compares
        manifest["manifest"]["audit_head"]["hash"] = "0" * 64
        return good | {MANIFEST: _resign(platform, manifest["manifest"])}
    raise AssertionError(kind)


@pytest.mark.parametrize("kind, reason", [
    ("byte of the dump flipped", "数据库转储与签名清单记载的摘要不符"),
    ("row changed inside the dump", "数据库转储与签名清单记载的摘要不符"),
    ("manifest changed to the changed dump's digest", "签名无效"),
    ("manifest changed: an older head", "签名无效"),
    ("backup of a tampered database, signed by the key holder", "未通过审计校验"),  # loaded, then undone
    ("re-signed manifest naming another head", "审计链头与备份清单签署的不一致"),
])
def test_an_altered_backup_is_refused_and_leaves_the_target_empty(kind, reason, backups, platform, target,
                                                                  tmp_path):  # R-REV-4, R-SEC-1
    path = repack(tmp_path / "altered.backup", altered(kind, *backups, platform))
    with pytest.raises(Refused, match=reason):
        restore(target, path)
    assert user_tables(target) == []
    assert not target.data_dir.exists() or not any(target.data_dir.iterdir())
    assert not list(tmp_path.glob(".*restore*"))  # a refused SQLite load leaves no staged copy behind


def test_a_backup_taken_while_the_platform_writes_restores_to_the_head_it_signed(audited, platform, make, target,
                                                                                 tmp_path):  # R-REV-4
    """SQLite's online backup and pg_dump in the snapshot that read the head: commits made meanwhile are
    either wholly in the backup and under its head, or wholly not."""
    stop, written = threading.Event(), []

    def write() -> None:
        while not stop.is_set():
            written.append(make.entity().id)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(written) < 2:
            time.sleep(0.01)
        manifest = backup(platform, tmp_path / "live.backup")
    finally:
        stop.set()
        writer.join()
    written.append(make.entity().id)  # surely after the backup
    report = restore(target, tmp_path / "live.backup")
    assert report.events == manifest["audit_head"]["seq"] >= 2
    restored = Platform.create(target)
    try:
        with restored.uow(write=False) as s:
            assert verify(s, restored.keyring).ok
            kept = set(s.scalars(select(Entity.id).where(Entity.id.in_(written))))
        with platform.uow(write=False) as s:
            assert s.scalar(select(func.count()).select_from(AuditEvent)) > manifest["audit_head"]["seq"]
    finally:
        restored.dispose()
    assert 2 <= len(kept) < len(written) and kept == set(sorted(written)[:len(kept)])


def test_the_command_refuses_an_altered_backup_in_one_line(backups, platform, target, tmp_path):  # R-REV-4
    path = repack(tmp_path / "altered.backup", altered("row changed inside the dump", *backups, platform))
    r = run_cli(target, "restore", str(path), cwd=tmp_path)
    assert r.returncode == 1 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "被改动" in r.stderr
    assert user_tables(target) == []
    good = repack(tmp_path / "good.backup", backups[0])  # the same target takes the genuine backup afterwards
    assert run_cli(target, "restore", str(good), cwd=tmp_path).returncode == 0


def test_restore_into_a_database_that_is_not_empty_is_refused(audited, platform, target, tmp_path):  # R-REV-4
    out = tmp_path / "b.backup"
    backup(platform, out)
    engine = create_engine(target.database_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE kept (id INTEGER PRIMARY KEY)"))
        conn.execute(text("INSERT INTO kept VALUES (1)"))
    r = run_cli(target, "restore", str(out), cwd=tmp_path)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "不是空的" in r.stderr
    assert set(user_tables(target)) - {"kept_pkey"} == {"kept"}  # nothing added, nothing removed
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id FROM kept")).scalars().all() == [1]
    engine.dispose()
    # restoring over the platform's own live database is the same refusal
    with pytest.raises(Refused, match="不是空的"):
        restore(platform.settings, out)


def test_restore_without_the_key_is_refused_and_makes_no_new_key(audited, platform, target, tmp_path):  # R-SEC-1
    out = tmp_path / "b.backup"
    backup(platform, out)
    keyless = target.model_copy(update={"secret_key": None, "key_file": tmp_path / "missing.key"})
    with pytest.raises(Refused, match="备份不含密钥"):
        restore(keyless, out)
    assert not (tmp_path / "missing.key").exists() and user_tables(target) == []
    other_key = target.model_copy(update={"secret_key": "6b" * 32})
    with pytest.raises(Refused, match="密钥指纹"):
        restore(other_key, out)
    assert user_tables(target) == []


def test_backup_never_overwrites_a_file(audited, platform, tmp_path):
    out = tmp_path / "b.backup"
    out.write_text("an earlier backup")
    r = run_cli(platform.settings, "backup", str(out), cwd=tmp_path)
    assert r.returncode == 1 and "已存在" in r.stderr and out.read_text() == "an earlier backup"


def test_a_file_that_is_not_a_backup_is_refused(platform, target, tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a tar file at all" * 100)
    with pytest.raises(Refused, match="不是 xinyong 备份文件"):
        restore(target, junk)
    assert user_tables(target) == []
