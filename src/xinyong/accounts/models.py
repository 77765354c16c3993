from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.audit.trail import Audited
from xinyong.kit.clock import now
from xinyong.kit.db import Base, UTCDateTime

from .permissions import Role

ROLE_TYPE = Enum(Role, name="role", native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Department(Audited, Base):
    __tablename__ = "departments"
    __table_args__ = {"comment": "行政部门"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True, comment="统一社会信用代码")
    name: Mapped[str] = mapped_column(String(100), unique=True, comment="部门名称")
    is_credit_office: Mapped[bool] = mapped_column(Boolean, default=False, comment="是否信用办")
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(),
                                                    comment="报送前是否须经本部门审核人审批")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="创建时间")


class User(Audited, Base):
    __tablename__ = "users"
    __table_args__ = {"comment": "用户"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, comment="登录名")
    display_name: Mapped[str] = mapped_column(String(100), comment="姓名或显示名")
    password_hash: Mapped[str] = mapped_column(String(200), comment="argon2 口令哈希")
    role: Mapped[Role] = mapped_column(ROLE_TYPE, comment="角色")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), comment="所属部门")
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"), comment="代表的信用主体")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, comment="是否启用")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="创建时间")

    department: Mapped[Department | None] = relationship(lazy="joined")


class ApiToken(Audited, Base):
    __tablename__ = "api_tokens"
    __table_args__ = {"comment": "接口令牌（只存哈希）"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, comment="所属用户")
    name: Mapped[str] = mapped_column(String(100), comment="用途")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, comment="令牌 SHA-256")
    prefix: Mapped[str] = mapped_column(String(12), comment="令牌前几位，便于辨认")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="创建时间")
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, comment="到期时间")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, comment="吊销时间")

    user: Mapped[User] = relationship(lazy="joined")


class WebSession(Base):
    """Browser sessions: short-lived, not credit data, so not on the audit chain (logins are events)."""

    __tablename__ = "web_sessions"
    __table_args__ = {"comment": "浏览器会话"}

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True, comment="会话标识 SHA-256")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64), comment="表单防伪令牌")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class LoginThrottle(Base):
    """Failed logins per name typed, whether or not such a user exists (R-SEC-3): the lock-out
    then answers the same for every name. Operational state; the events are on the audit chain."""

    __tablename__ = "login_throttle"
    __table_args__ = {"comment": "登录失败计数与锁定"}

    username: Mapped[str] = mapped_column(String(64), primary_key=True, comment="输入的登录名")
    failures: Mapped[int] = mapped_column(Integer, default=0, comment="连续失败次数")
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, comment="锁定至")
