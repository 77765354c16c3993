"""`xinyong audit verify`: recompute the chain, check the signed head and checkpoints, and compare
every audited row in the database with the state the chain last attested for it (R-REV-4, R-SEC-3)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from sqlalchemy import MetaData, Table, inspect, select, text
from sqlalchemy.orm import Session

from xinyong.kit.db import is_sqlite

from . import chain, merkle
from .models import AuditCheckpoint, AuditEvent, AuditHead
from .trail import HEAD_ID, attest_rows, audited_tables, forget_row, head_message, record_event

BATCH = 5000


@dataclass
class Report:
    events: int = 0
    rows: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {"ok": self.ok, "events": self.events, "rows": self.rows, "checkpoints": self.checkpoints,
                "first_problem": self.problems[0] if self.problems else None, "problems": self.problems[:100]}


def _verify_signature(keyring, signature_hex: str, message: str) -> bool:
    try:
        keyring.verify_key.verify(bytes.fromhex(signature_hex), message.encode())
        return True
    except (InvalidSignature, ValueError):
        return False


def checkpoint_message(size: int, root_hex: str) -> str:
    return f"xinyong-audit-checkpoint:{size}:{root_hex}"


def verify(session: Session, keyring, *, reflect: bool = False) -> Report:
    """Runs in a snapshot of its own: the chain and the rows are read as of one instant, so a write
    committed while it runs can never look like tampering."""
    engine = session.get_bind()
    with Session(engine) as snapshot:
        if not is_sqlite(engine):
            snapshot.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        # SQLite (WAL): the first read of this transaction fixes its snapshot
        return _verify(snapshot, keyring, reflect=reflect)


def _verify(session: Session, keyring, *, reflect: bool = False) -> Report:
    report = Report()
    attested: dict[tuple[str, str], tuple[int, str | None]] = {}
    checkpoints = {c.tree_size: c for c in session.scalars(select(AuditCheckpoint))}
    report.checkpoints = len(checkpoints)
    tree = merkle.CompactRange()
    prev, expected_seq = chain.GENESIS, 1
    cols = [c for c in AuditEvent.__table__.columns]
    stmt = select(*cols).order_by(AuditEvent.seq).execution_options(yield_per=BATCH)
    chain_broken = False
    for ev in session.execute(stmt):
        if not chain_broken:
            if ev.seq != expected_seq:
                report.problems.append(f"审计事件 #{expected_seq} 缺失（下一条为 #{ev.seq}）：记录被删除或插入")
                chain_broken = True
            elif ev.prev_hash != prev:
                report.problems.append(f"审计事件 #{ev.seq} 的前序哈希不符：链被改动")
                chain_broken = True
            else:
                fields = chain.event_fields(ev.seq, ev.at, ev.actor_id, ev.actor, ev.action, ev.subject_type,
                                            ev.subject_id, ev.detail, ev.changes)
                if chain.event_hash(prev, fields) != ev.hash:
                    report.problems.append(f"审计事件 #{ev.seq}（{ev.action}）内容与其哈希不符：事件被篡改")
                    chain_broken = True
        prev, expected_seq = ev.hash, ev.seq + 1
        report.events += 1
        tree.append(bytes.fromhex(ev.hash))
        cp = checkpoints.get(tree.size)
        if cp is not None:
            root_hex = tree.root().hex()
            signed = _verify_signature(keyring, cp.signature, checkpoint_message(cp.tree_size, cp.root_hash))
            if cp.root_hash != root_hex or not signed:
                report.problems.append(f"签名检查点（前 {cp.tree_size} 条事件）与现有事件不符：已签名的历史被改写")
        for table, pk, op, digest in ev.changes or []:
            attested[(table, pk)] = (ev.seq, digest if op != "delete" else None)
    missing_cp = [size for size in checkpoints if size > report.events]
    if missing_cp:
        report.problems.append(f"签名检查点覆盖 {max(missing_cp)} 条事件，但现存仅 {report.events} 条：事件被删除")

    head = session.get(AuditHead, HEAD_ID)
    if not report.events and (head is not None or _initialised(session)):
        # `xinyong init` always writes events; an initialised database with none was emptied
        report.problems.append("审计链为空，但数据库已初始化：审计事件被全部删除")
    if report.events:
        if head is None:
            report.problems.append("审计链头缺失")
        elif (head.seq, head.hash) != (report.events, prev) and not chain_broken:
            report.problems.append(f"审计链头（#{head.seq}）与最后一条事件（#{report.events}）不符：链尾被截断或追加")
        elif not _verify_signature(keyring, head.signature, head_message(head.seq, head.hash)):
            report.problems.append("审计链头签名无效：链被重新计算")

    _verify_rows(session, attested, report, reflect=reflect)
    # the query log is a hash chain of its own, sealed into this one (xinyong.access.models explains why)
    from xinyong.access.log import verify as verify_query_log

    report.problems.extend(verify_query_log(session, keyring)[1])
    return report


def _initialised(session: Session) -> bool:
    if not inspect(session.get_bind()).has_table("alembic_version"):
        return False
    return session.execute(text("SELECT version_num FROM alembic_version")).first() is not None


def _tables(session: Session, *, reflect: bool) -> list[Table]:
    """The audited tables as the models define them, or as the database holds them right now
    (before a migration has run, the models already describe the schema to come)."""
    tables = audited_tables()
    if not reflect:
        return tables
    names = set(inspect(session.get_bind()).get_table_names())
    meta = MetaData()
    return [Table(t.name, meta, autoload_with=session.connection()) for t in tables if t.name in names]


def _mismatches(session: Session, attested: dict, tables: list[Table]) -> Iterator[tuple[Table, str, str, Any]]:
    """(table, pk, what, row or attesting seq) for every row whose state the chain does not confirm."""
    for table in tables:
        pk_cols = list(table.primary_key.columns)
        seen: set[str] = set()
        for row in session.execute(select(table).order_by(*pk_cols).execution_options(yield_per=BATCH)):
            m = row._mapping
            pk = chain.pk_text(m[c] for c in pk_cols)
            seen.add(pk)
            entry = attested.get((table.name, pk))
            if entry is None or entry[1] is None:
                yield table, pk, "unattested", m
            elif chain.row_digest(table, lambda col, m=m: m[col.name]) != entry[1]:
                yield table, pk, "changed", (entry[0], m)
            else:
                yield table, pk, "ok", None
        for (name, pk), (seq, digest) in attested.items():
            if name == table.name and digest is not None and pk not in seen:
                yield table, pk, "deleted", seq


def _verify_rows(session: Session, attested: dict, report: Report, *, reflect: bool = False) -> None:
    for table, pk, what, extra in _mismatches(session, attested, _tables(session, reflect=reflect)):
        if what != "deleted":
            report.rows += 1
        if what == "unattested":
            report.problems.append(f"{table.name} 行 {pk} 不在审计链中：绕过平台写入")
        elif what == "changed":
            report.problems.append(f"{table.name} 行 {pk} 与审计事件 #{extra[0]} 确认的状态不符：数据被直接修改")
        elif what == "deleted":
            report.problems.append(f"{table.name} 行 {pk}（审计事件 #{extra} 确认存在）已不在数据库中：被直接删除")


def reattest_after_migration(session: Session, *, from_revision: str, to_revision: str) -> int:
    """A migration changes rows without the platform (a new column, a filled default): bind their new
    state to the chain. Only safe right after a verify of the old schema passed, which
    `bootstrap.initialise` requires, so nothing done behind the platform's back is laundered."""
    attested = _replay(session)
    changed: dict[str, tuple[Table, list[dict]]] = {}
    count = 0
    for table, pk, what, extra in _mismatches(session, attested, audited_tables()):
        if what in ("changed", "unattested"):
            row = extra[1] if what == "changed" else extra
            changed.setdefault(table.name, (table, []))[1].append(dict(row))
            count += 1
        elif what == "deleted":
            forget_row(session, table, pk)
            count += 1
    for table, rows in changed.values():
        attest_rows(session, table, rows, op="update")
    if count:
        record_event(session, "schema.migrated", subject_type="schema", subject_id=to_revision,
                     detail={"from": from_revision, "to": to_revision, "rows": count})
    return count


def _replay(session: Session) -> dict:
    attested: dict[tuple[str, str], tuple[int, str | None]] = {}
    stmt = select(AuditEvent.seq, AuditEvent.changes).order_by(AuditEvent.seq).execution_options(yield_per=BATCH)
    for seq, changes in session.execute(stmt):
        for table, pk, op, digest in changes or []:
            attested[(table, pk)] = (seq, digest if op != "delete" else None)
    return attested


def make_checkpoint(session: Session, keyring) -> AuditCheckpoint | None:
    """Sign the Merkle root over every event so far (RFC 9162 signed tree head)."""
    tree = merkle.CompactRange()
    for (h,) in session.execute(select(AuditEvent.hash).order_by(AuditEvent.seq).execution_options(yield_per=BATCH)):
        tree.append(bytes.fromhex(h))
    if tree.size == 0 or session.get(AuditCheckpoint, tree.size) is not None:
        return None
    from xinyong.kit.clock import now

    root_hex = tree.root().hex()
    cp = AuditCheckpoint(tree_size=tree.size, root_hash=root_hex, at=now(),
                         signature=keyring.signing_key.sign(checkpoint_message(tree.size, root_hex).encode()).hex())
    session.add(cp)
    session.flush()
    return cp


def inclusion(session: Session, seq: int) -> dict:
    """Proof that event ``seq`` is in the latest signed checkpoint's tree."""
    cp = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.tree_size.desc())).first()
    if cp is None or seq > cp.tree_size or seq < 1:
        from xinyong.kit.errors import NotFound

        raise NotFound(f"审计事件 #{seq} 尚未被任何签名检查点覆盖")
    leaves = [bytes.fromhex(h) for (h,) in session.execute(
        select(AuditEvent.hash).where(AuditEvent.seq <= cp.tree_size).order_by(AuditEvent.seq))]
    proof = merkle.inclusion_proof(seq - 1, leaves)
    return {"seq": seq, "leaf": leaves[seq - 1].hex(), "tree_size": cp.tree_size, "root": cp.root_hash,
            "signature": cp.signature, "proof": [p.hex() for p in proof]}
