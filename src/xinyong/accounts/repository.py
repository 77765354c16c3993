"""Queries about accounts: departments, users, login throttling, browser sessions, tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from .models import ApiToken, Department, LoginThrottle, User, WebSession


def department_exists(session: Session, *, uscc: str | None = None, name: str | None = None) -> bool:
    column, value = (Department.uscc, uscc) if uscc is not None else (Department.name, name)
    return session.scalar(select(Department.id).where(column == value)) is not None


def department_by_uscc(session: Session, uscc: str) -> Department | None:
    return session.scalar(select(Department).where(Department.uscc == uscc))


def departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.is_credit_office.desc(), Department.id)))


def user_by_name(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def throttle(session: Session, username: str) -> LoginThrottle | None:
    return session.get(LoginThrottle, username)


def clear_throttle(session: Session, username: str) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.username == username))


def count_failure(session: Session, username: str) -> int:
    """Atomic in the database, so parallel guesses are all counted."""
    failures = session.scalar(update(LoginThrottle).where(LoginThrottle.username == username)
                              .values(failures=LoginThrottle.failures + 1).returning(LoginThrottle.failures))
    if failures is None:
        session.add(LoginThrottle(username=username, failures=1))
        session.flush()
        failures = 1
    return failures


def lock(session: Session, username: str, until: dt.datetime) -> None:
    session.execute(update(LoginThrottle).where(LoginThrottle.username == username)
                    .values(failures=0, locked_until=until))


def web_session(session: Session, id_hash: str) -> WebSession | None:
    return session.get(WebSession, id_hash)


def delete_web_session(session: Session, id_hash: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id_hash == id_hash))


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())))
