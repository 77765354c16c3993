"""`xinyong init`: migrate, then load what every installation starts with."""

from __future__ import annotations

from .migrate import upgrade
from .platform import Platform


def initialise(platform: Platform) -> dict:
    from xinyong.accounts.permissions import SYSTEM
    from xinyong.catalog.service import load_defaults

    upgrade(platform.engine)
    with platform.uow(actor=SYSTEM) as session:
        return load_defaults(session, actor=SYSTEM)
