"""`xinyong init`: migrate, then load what every installation starts with."""

from __future__ import annotations

from xinyong.kit import meta
from xinyong.kit.errors import Conflict
from xinyong.kit.migrate import current_revision, head_revision, upgrade
from xinyong.kit.platform import Platform


def initialise(platform: Platform) -> dict:
    from xinyong.accounts.permissions import SYSTEM
    from xinyong.audit.verify import reattest_after_migration, verify

    before, head = current_revision(platform.engine), head_revision(platform.engine)
    migrating = before is not None and before != head
    if migrating:
        # A migration rewrites rows behind the platform; the chain is re-bound to them afterwards,
        # which is only honest if it held before (R-REV-4): never launder earlier tampering.
        with platform.uow(write=False) as session:
            report = verify(session, platform.keyring, reflect=True)
        if not report.ok:
            raise Conflict(f"升级前审计校验未通过，未做任何改动：{report.problems[0]}")
    upgrade(platform.engine)
    with platform.uow(actor=SYSTEM) as session:
        if migrating:
            reattest_after_migration(session, from_revision=before, to_revision=head)
        meta.write_once(session, meta.KEY_FINGERPRINT, platform.keyring.fingerprint())
        return load_defaults(session)


def load_defaults(session) -> dict:
    """What every installation starts with: the default catalog, the shipped working-day calendars and
    the grading models (the reference model active). Safe to run again."""
    from xinyong.accounts.permissions import SYSTEM
    from xinyong.catalog.service import load_defaults as load_catalog
    from xinyong.grading.service import load_presets
    from xinyong.measures.service import load_defaults as load_measures
    from xinyong.workcalendar.service import load_shipped

    result = load_catalog(session, actor=SYSTEM)
    load_shipped(session, actor=SYSTEM)
    result["grading_models"] = load_presets(session, actor=SYSTEM)
    result["measures"] = load_measures(session, actor=SYSTEM)["measures"]
    return result
