"""R-REV-4: an edit made behind the platform's back is detected, and the first problem names it."""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import JSON, bindparam, select, text

from tests.conftest import TEST_SECRET
from xinyong.accounts import service as accounts
from xinyong.accounts.permissions import SYSTEM
from xinyong.audit import chain, merkle
from xinyong.audit.models import AuditEvent
from xinyong.audit.trail import head_message, sign
from xinyong.audit.verify import inclusion, make_checkpoint, verify
from xinyong.catalog import service as catalog
from xinyong.catalog.schemas import InfoTypeUpdate
from xinyong.entities import service as entities
from xinyong.entities.models import Entity
from xinyong.entities.schemas import RelatedPersonCreate
from xinyong.kit.crypto import Keyring

EVENTS = AuditEvent.__table__


@pytest.fixture
def zone(make, uow):
    """A little of everything the services write: rows inserted, updated, and events without rows."""
    dept = make.department("市场监管局")
    officer = make.user("officer", username="clerk", department=dept)
    company = make.entity("北京星河科技有限公司")
    lone = make.entity("北京乙科技有限公司")
    person = make.entity("张三", id_number="11010519491231002X")
    with uow(actor=SYSTEM) as s:
        entities.add_related_person(s, actor=SYSTEM, entity=s.get(Entity, company.id), person_in=RelatedPersonCreate(
            role="legal_representative", name="王五", id_number="11010519491231002X"))
    with uow() as s:
        accounts.authenticate(s, username="clerk", password="wrong-password")  # updates the users row
    with uow(actor=SYSTEM) as s:
        _, token = accounts.create_token(s, actor=SYSTEM, user=s.merge(officer))
    with uow(actor=SYSTEM) as s:
        accounts.revoke_token(s, actor=SYSTEM, token_id=token.id)
        catalog.update_type(s, actor=SYSTEM, code="award", changes=InfoTypeUpdate(validity_months=24, change_note="调整"))
        entities.reveal_id_number(s, actor=SYSTEM, entity=s.get(Entity, person.id))
    return {"company": company.id, "lone": lone.id, "person": person.id}


def check(uow, platform):
    with uow(write=False) as s:
        return verify(s, platform.keyring)


def raw(platform, sql: str, *binds, **params) -> None:
    """A statement run directly against the database, as someone with database access would."""
    with platform.engine.begin() as conn:
        conn.execute(text(sql).bindparams(*binds), params)


def last_seq(platform) -> int:
    with platform.engine.connect() as conn:
        return conn.execute(text("SELECT max(seq) FROM audit_events")).scalar_one()


def forge_chain(platform, *, from_seq: int = 1, resign_with: Keyring | None = None) -> None:
    """Recompute every hash from ``from_seq`` on with the platform's own functions, so that each event
    matches its content again; the head gets the new tip but its signature stays, unless re-signed."""
    with platform.engine.begin() as conn:
        events = conn.execute(select(EVENTS).order_by(EVENTS.c.seq)).mappings().all()
        prev = chain.GENESIS
        for ev in events:
            if ev["seq"] >= from_seq:
                fields = chain.event_fields(ev["seq"], ev["at"], ev["actor_id"], ev["actor"], ev["action"],
                                            ev["subject_type"], ev["subject_id"], ev["detail"], ev["changes"])
                digest = chain.event_hash(prev, fields)
                conn.execute(text("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE seq = :s"),
                             {"p": prev, "h": digest, "s": ev["seq"]})
                prev = digest
            else:
                prev = ev["hash"]
        tip = events[-1]["seq"]
        conn.execute(text("UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1"), {"s": tip, "h": prev})
        if resign_with is not None:
            conn.execute(text("UPDATE audit_head SET signature = :sig WHERE id = 1"),
                         {"sig": sign(resign_with, head_message(tip, prev))})


# ---- the clean case ----------------------------------------------------------------------------

def test_changes_made_through_the_services_verify_clean(zone, uow, platform):  # R-REV-4
    report = check(uow, platform)
    assert report.ok, report.problems
    assert report.events == last_seq(platform) >= 10
    assert report.rows > 0


def test_a_signed_checkpoint_verifies_and_proves_inclusion(zone, uow, platform, make):  # R-REV-4
    with uow(actor=SYSTEM) as s:
        cp = make_checkpoint(s, platform.keyring)
    make.entity("北京丙科技有限公司")  # events after the checkpoint
    report = check(uow, platform)
    assert report.ok, report.problems
    assert report.checkpoints == 1
    with uow(write=False) as s:
        for seq in (1, cp.tree_size // 2, cp.tree_size):
            proof = inclusion(s, seq)
            assert proof["root"] == cp.root_hash
            assert merkle.verify_inclusion(seq - 1, proof["tree_size"], bytes.fromhex(proof["leaf"]),
                                           [bytes.fromhex(p) for p in proof["proof"]], bytes.fromhex(proof["root"]))


# ---- data rows edited directly ---------------------------------------------------------------

def test_direct_update_of_a_data_row_is_detected(zone, uow, platform):  # R-REV-4, R-SEC-3
    raw(platform, "UPDATE entities SET name = :n WHERE id = :id", n="北京星河科技有限公司（改）", id=zone["company"])
    report = check(uow, platform)
    assert not report.ok
    assert f"entities 行 {zone['company']} " in report.problems[0]
    assert "直接修改" in report.problems[0]


def test_direct_update_of_an_encrypted_column_is_detected(zone, uow, platform):  # R-REV-4, R-SEC-2
    raw(platform, "UPDATE related_persons SET id_number_masked = :m", m="110105********0000")
    report = check(uow, platform)
    assert not report.ok and report.problems[0].startswith("related_persons 行 ")


def test_direct_insert_of_an_entity_is_detected(zone, uow, platform):  # R-REV-4
    raw(platform, "INSERT INTO entities (id, kind, uscc, name, name_key, status, created_at) "
                  "VALUES (9999, 'legal_person', '91110302MA00000000', '幽灵公司', '幽灵公司', '存续', :at)",
        at=dt.datetime(2026, 1, 5, 8, 0))
    report = check(uow, platform)
    assert not report.ok
    assert "entities 行 9999 " in report.problems[0] and "不在审计链中" in report.problems[0]


@pytest.mark.parametrize("table, key", [("entities", "lone"), ("related_persons", None)])
def test_direct_delete_of_a_data_row_is_detected(zone, uow, platform, table, key):  # R-REV-4, R-SEC-3
    with platform.engine.connect() as conn:
        row_id = zone[key] if key else conn.execute(text("SELECT min(id) FROM related_persons")).scalar_one()
    raw(platform, f"DELETE FROM {table} WHERE id = :id", id=row_id)
    report = check(uow, platform)
    assert not report.ok
    assert report.problems[0].startswith(f"{table} 行 {row_id}（")
    assert "被直接删除" in report.problems[0]


# ---- the trail itself edited directly ----------------------------------------------------------

def test_update_of_an_audit_events_detail_is_detected(zone, uow, platform):  # R-REV-4
    raw(platform, "UPDATE audit_events SET detail = :d WHERE seq = 3", bindparam("d", type_=JSON),
        d={"uscc": "911103020000000000", "name": "别的部门"})
    report = check(uow, platform)
    assert not report.ok
    assert report.problems[0].startswith("审计事件 #3（") and "哈希不符" in report.problems[0]


def test_update_of_an_audit_events_actor_is_detected(zone, uow, platform):  # R-REV-4: who, not only what
    raw(platform, "UPDATE audit_events SET actor = 'someone-else' WHERE seq = 4")
    report = check(uow, platform)
    assert not report.ok and report.problems[0].startswith("审计事件 #4（")


def test_delete_of_an_event_in_the_middle_is_detected(zone, uow, platform):  # R-REV-4
    raw(platform, "DELETE FROM audit_events WHERE seq = 3")
    report = check(uow, platform)
    assert not report.ok
    assert report.problems[0].startswith("审计事件 #3 缺失") and "#4" in report.problems[0]


def test_delete_of_the_last_event_is_a_head_mismatch(zone, uow, platform):  # R-REV-4
    n = last_seq(platform)
    raw(platform, "DELETE FROM audit_events WHERE seq = :s", s=n)
    report = check(uow, platform)
    assert not report.ok
    assert "链头" in report.problems[0]
    assert f"#{n}" in report.problems[0] and f"#{n - 1}" in report.problems[0]


def test_recomputing_the_chain_without_the_signing_key_is_detected(zone, uow, platform):  # R-REV-4
    # The thorough forger: edits a row, re-attests it in the event that last vouched for it, rehashes
    # every event after it, and moves the head; only the head's signature is beyond reach.
    raw(platform, "UPDATE entities SET name = :n WHERE id = :id", n="改名公司", id=zone["company"])
    table = Entity.__table__
    with platform.engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.id == zone["company"])).mappings().one()
        events = conn.execute(select(EVENTS.c.seq, EVENTS.c.changes).order_by(EVENTS.c.seq)).all()
    digest = chain.row_digest(table, lambda col: row[col.name])
    seq, changes = next((seq, changes) for seq, changes in reversed(events)
                        if any(c[:2] == ["entities", str(zone["company"])] for c in changes or []))
    changes = [[t, pk, op, digest if [t, pk] == ["entities", str(zone["company"])] else d] for t, pk, op, d in changes]
    raw(platform, "UPDATE audit_events SET changes = :c WHERE seq = :s", bindparam("c", type_=JSON), c=changes, s=seq)
    forge_chain(platform, from_seq=seq)

    report = check(uow, platform)
    assert not report.ok
    assert report.problems == ["审计链头签名无效：链被重新计算"]  # every hash and row agreed; the signature did not


def test_a_head_re_signed_with_another_key_is_detected(zone, uow, platform):  # R-REV-4
    raw(platform, "UPDATE audit_events SET detail = :d WHERE seq = 2", bindparam("d", type_=JSON), d={})
    forge_chain(platform, from_seq=2, resign_with=Keyring(bytes.fromhex("a5" * 32)))
    report = check(uow, platform)
    assert not report.ok and "签名" in report.problems[0]


def test_rewriting_history_before_a_checkpoint_is_detected(zone, uow, platform, make):  # R-REV-4
    with uow(actor=SYSTEM) as s:
        size = make_checkpoint(s, platform.keyring).tree_size
    make.entity("北京丙科技有限公司")
    raw(platform, "UPDATE audit_events SET detail = :d WHERE seq = 2", bindparam("d", type_=JSON),
        d={"rewritten": True})
    # even a head signed with the platform's own key cannot hide it: the checkpoint pinned the old root
    forge_chain(platform, from_seq=2, resign_with=platform.keyring)
    report = check(uow, platform)
    assert not report.ok
    assert f"前 {size} 条事件" in report.problems[0] and "检查点" in report.problems[0]


def test_truncating_below_a_checkpoint_is_detected(zone, uow, platform):  # R-REV-4
    with uow(actor=SYSTEM) as s:
        size = make_checkpoint(s, platform.keyring).tree_size
    raw(platform, "DELETE FROM audit_events WHERE seq >= :s", s=size - 1)
    forge_chain(platform, resign_with=platform.keyring)
    report = check(uow, platform)
    assert not report.ok
    assert f"覆盖 {size} 条事件" in report.problems[0] and f"仅 {size - 2} 条" in report.problems[0]


# ---- `xinyong audit verify` (SPEC §18) ---------------------------------------------------------

def run_cli(settings, tmp_path, *args) -> subprocess.CompletedProcess:
    env = os.environ | {"XINYONG_DATABASE_URL": settings.database_url, "XINYONG_SECRET_KEY": TEST_SECRET}
    return subprocess.run([sys.executable, "-m", "xinyong.cli", "audit", "verify", *args], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)


def test_cli_exits_0_when_clean_and_non_zero_naming_the_first_broken_entry(zone, settings, platform,
                                                                           tmp_path):  # R-REV-4, SPEC §18
    clean = run_cli(settings, tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert "审计链完整" in clean.stdout

    raw(platform, "UPDATE entities SET name = :n WHERE id = :id", n="篡改", id=zone["company"])
    broken = run_cli(settings, tmp_path)
    assert broken.returncode != 0
    first = broken.stderr.strip().splitlines()[0]
    assert f"entities 行 {zone['company']} " in first

    as_json = run_cli(settings, tmp_path, "--json")
    assert as_json.returncode != 0
    body = json.loads(as_json.stdout)
    assert body["ok"] is False and f"entities 行 {zone['company']} " in body["first_problem"]


def test_deleting_every_event_and_row_is_not_a_clean_trail(platform, make, uow):  # R-REV-4
    from sqlalchemy import text

    from xinyong.audit.trail import audited_tables
    from xinyong.grading.models import GradeResult
    from xinyong.kit.db import Base

    make.entity()
    doomed = {*audited_tables(), GradeResult.__table__}  # grading results hang on the audited runs
    with platform.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table in doomed:
                conn.execute(table.delete())
        conn.execute(text("DELETE FROM audit_events"))
    with uow(write=False) as s:
        report = verify(s, platform.keyring)
    assert not report.ok and "审计事件被全部删除" in report.problems[0]
