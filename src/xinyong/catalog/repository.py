"""Queries about the catalog."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .models import InfoType, InfoTypeVersion, PublicityRegime


def regime_codes(session: Session) -> set[str]:
    return set(session.scalars(select(PublicityRegime.code)))


def regime(session: Session, code: str) -> PublicityRegime | None:
    return session.get(PublicityRegime, code)


def regimes(session: Session) -> list[PublicityRegime]:
    return list(session.scalars(select(PublicityRegime).order_by(PublicityRegime.code)))


def type_codes(session: Session) -> set[str]:
    return set(session.scalars(select(InfoType.code)))


def info_type(session: Session, code: str, *, with_versions: bool = False) -> InfoType | None:
    stmt = select(InfoType).where(InfoType.code == code)
    if with_versions:
        stmt = stmt.options(selectinload(InfoType.versions))
    return session.scalar(stmt)


def version(session: Session, info_type_id: int, number: int) -> InfoTypeVersion | None:
    return session.scalar(select(InfoTypeVersion).where(InfoTypeVersion.info_type_id == info_type_id,
                                                        InfoTypeVersion.version == number))


def current_versions(session: Session) -> list[tuple[str, InfoTypeVersion]]:
    return [tuple(row) for row in session.execute(
        select(InfoType.code, InfoTypeVersion)
        .join(InfoTypeVersion, (InfoTypeVersion.info_type_id == InfoType.id)
              & (InfoTypeVersion.version == InfoType.current_version))
        .order_by(InfoType.id)
    )]
