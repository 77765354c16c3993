"""`xinyong init`: migrate, then load what every installation starts with."""

from __future__ import annotations

from xinyong.kit import meta
from xinyong.kit.migrate import upgrade
from xinyong.kit.platform import Platform


def initialise(platform: Platform) -> dict:
    from xinyong.accounts.permissions import SYSTEM
    from xinyong.catalog.service import load_defaults

    upgrade(platform.engine)
    with platform.uow(actor=SYSTEM) as session:
        meta.write_once(session, meta.KEY_FINGERPRINT, platform.keyring.fingerprint())
        return load_defaults(session, actor=SYSTEM)
