"""Offices, accounts, their server-side sessions and failed sign-in attempts."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, UTCDateTime, enum_column, utcnow


class OfficeKind(StrEnum):
    EMBASSY = "embassy"
    HONORARY_CONSULATE = "honorary_consulate"

    @property
    def label(self) -> str:
        return {"embassy": "Embassy", "honorary_consulate": "Honorary consulate"}[self.value]


class Role(StrEnum):
    CONSULAR_OFFICER = "consular_officer"
    POLICE_LIAISON_OFFICER = "police_liaison_officer"
    MANAGER = "manager"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.CONSULAR_OFFICER: "Consular officer",
    Role.POLICE_LIAISON_OFFICER: "Police liaison officer",
    Role.MANAGER: "Manager",
    Role.ADMINISTRATOR: "Administrator",
}


class Office(Base):
    """A post where requests are logged: the embassy or an honorary consulate."""

    __tablename__ = "offices"
    __table_args__ = (
        CheckConstraint("length(code) = 3", name="code_three_letters"),
        {"comment": "Posts of the mission; every request and account belongs to one."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(
        String(3), unique=True, comment="Three-letter code used in references, e.g. ISB"
    )
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[OfficeKind] = mapped_column(
        enum_column(OfficeKind, "office_kind")
    )
    time_zone: Mapped[str] = mapped_column(
        String(64), comment="IANA zone in which this office's days and months are counted"
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Office {self.code}>"


class User(Base):
    """An officer's account: one role, one office."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        {"comment": "Accounts of embassy staff."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(
        enum_column(Role, "role")
    )
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    reads_all_offices: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(),
        comment="a consular officer who may read (not work) other offices' requests")
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    totp_secret: Mapped[str | None] = mapped_column(
        String(64), comment="Base32 TOTP secret once enrolment is confirmed"
    )
    totp_last_counter: Mapped[int | None] = mapped_column(
        Integer, comment="Time step of the last accepted code: each code is accepted once"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    office: Mapped[Office] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    # Flask-Login protocol; `is_active` also makes a deactivated account unable to log in.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UserSession(Base):
    """A signed-in session, kept on the server so that it can be ended from anywhere.

    The browser holds a random token; only its SHA-256 is stored, so a copy of the table
    does not let anyone sign in.
    """

    __tablename__ = "user_sessions"
    __table_args__ = {"comment": "Server-side sessions; ended_at set means refused."}

    id: Mapped[str] = mapped_column(String(64), primary_key=True, comment="SHA-256 of the token")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class FailedLogin(Base):
    """One failed sign-in try; counted per account over the last minute to lock it."""

    __tablename__ = "failed_logins"
    __table_args__ = (
        Index("ix_failed_logins_email_at", "email", "at"),
        {"comment": "Failed tries, by the e-mail address typed (known or not)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    address: Mapped[str | None] = mapped_column(String(64))
