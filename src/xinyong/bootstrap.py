"""`xinyong init`: migrate, then load what every installation starts with."""

from __future__ import annotations

from xinyong.kit import meta
from xinyong.kit.migrate import upgrade
from xinyong.kit.platform import Platform


def initialise(platform: Platform) -> dict:
    from xinyong.accounts.permissions import SYSTEM
    from xinyong.catalog.service import load_defaults
    from xinyong.workcalendar.service import load_shipped

    upgrade(platform.engine)
    with platform.uow(actor=SYSTEM) as session:
        meta.write_once(session, meta.KEY_FINGERPRINT, platform.keyring.fingerprint())
        load_shipped(session, actor=SYSTEM)  # the official 2025 and 2026 working-day calendars (SPEC §16)
        return load_defaults(session, actor=SYSTEM)
