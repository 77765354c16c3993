"""Shared fixtures for the objection tests (SPEC §10, R-OBJ-1…6).

``world`` (tests/access): two departments, a company with a public and an internal record from each,
a second company, one user of every role. ``joint`` (tests/actions): a company on the black list by a
department's determination, with departments to carry out measures. ``objection_flow`` drives one
objection through the service, each step in its own unit of work as a request would; ``work_calendar``
is the official calendar the service counts on (2025 and 2026 loaded, 2027 not).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests.access.conftest import world  # noqa: F401  reused, not copied
from tests.actions.conftest import joint  # noqa: F401  reused, not copied
from xinyong.objections import deadlines, reading, service
from xinyong.objections.schemas import ObjectionCreate

# the smallest files the service takes as evidence: it knows them by their first bytes
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32

# A Monday with a loaded calendar ahead of it: filings on it have known deadlines
# (decide_by Wednesday 16 December, verify_by Monday 21 December 2026).
PINNED_TODAY = dt.date(2026, 12, 7)


@pytest.fixture(scope="package", autouse=True)
def _light_password_hashing():
    """Every test here builds a zone of seven users, and argon2 at its production cost spends 0.3 s on each:
    the same argon2, at its lowest cost, keeps these tests quick. Logins still check real hashes. Package
    scope: the tests of other folders keep the production cost."""
    from argon2 import PasswordHasher

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("xinyong.accounts.service._hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        yield


@pytest.fixture
def work_calendar(uow):
    with uow(write=False) as s:
        return deadlines.calendar(s)


@pytest.fixture
def objection_today(monkeypatch):
    """Pin the objections' "today" (filing over the API takes the day of receipt from the clock) to
    ``PINNED_TODAY``, so deadlines asserted over the API stay computable whatever day the suite runs."""
    for module in ("service", "reading", "marks"):
        monkeypatch.setattr(f"xinyong.objections.{module}.today", lambda: PINNED_TODAY, raising=module != "marks")
    return PINNED_TODAY


@dataclass
class ObjectionFlow:
    """Steps of an objection through the service; ``who`` is an actor or a name in ``actors``."""

    uow: object
    actors: dict

    def _actor(self, who):
        return self.actors[who] if isinstance(who, str) else who

    def file(self, who, record_id: int | None = None, *, ground: str = "inaccurate",
             statement: str = "处罚决定书记载的违法事实与实际不符，已提交复议决定书", day: dt.date | None = None,
             target: str = "record", list_entry_id: int | None = None) -> int:
        actor = self._actor(who)
        with self.uow(actor=actor) as s:
            return service.file(s, actor=actor, day=day, objection_in=ObjectionCreate(
                target=target, record_id=record_id, list_entry_id=list_entry_id, ground=ground,
                statement=statement)).id

    def step(self, who, fn, objection_id: int, **kw):
        """One service call (``service.verify``, ``service.decide``…) in its own unit of work."""
        actor = self._actor(who)
        with self.uow(actor=actor) as s:
            fn(s, actor=actor, objection_id=objection_id, **kw)

    def verify(self, who, objection_id: int, finding: str = "wrong", *, day: dt.date | None = None,
               reason: str = "经核查，原记录违法事实有误"):
        self.step(who, service.verify, objection_id, finding=finding, reason=reason, day=day)

    def decide(self, who, objection_id: int, outcome: str = "upheld", *, day: dt.date | None = None,
               reason: str = "经会同记录部门核实，异议成立"):
        self.step(who, service.decide, objection_id, outcome=outcome, reason=reason, day=day)

    def appeal(self, who, objection_id: int, *, day: dt.date | None = None, statement: str = "对处理结果不服，提出申诉"):
        self.step(who, service.appeal, objection_id, statement=statement, day=day)

    def decide_appeal(self, who, objection_id: int, outcome: str = "upheld", *, day: dt.date | None = None,
                      reason: str = "管委会认为原处理决定认定事实不清"):
        self.step(who, service.decide_appeal, objection_id, outcome=outcome, reason=reason, day=day)

    def withdraw(self, who, objection_id: int, *, day: dt.date | None = None):
        self.step(who, service.withdraw, objection_id, day=day)

    def read(self, objection_id: int, *, who="admin", day: dt.date | None = None):
        actor = self._actor(who)
        with self.uow(write=False) as s:
            return reading.get(s, actor=actor, objection_id=objection_id, day=day)


@pytest.fixture
def objection_flow(uow, world):  # noqa: F811  the imported fixture
    return ObjectionFlow(uow, world["actors"])
