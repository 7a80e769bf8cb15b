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
    Text,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from flask_babel import lazy_gettext as _l

from tracker.db import Base, UTCDateTime, enum_column, utcnow
from tracker.vocabulary import Labelled


class OfficeKind(Labelled):
    EMBASSY = "embassy", _l("Embassy")
    HONORARY_CONSULATE = "honorary_consulate", _l("Honorary consulate")


class Role(Labelled):
    CONSULAR_OFFICER = "consular_officer", _l("Consular officer")
    POLICE_LIAISON_OFFICER = "police_liaison_officer", _l("Police liaison officer")
    MANAGER = "manager", _l("Manager")
    ADMINISTRATOR = "administrator", _l("Administrator")



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
    address: Mapped[str | None] = mapped_column(
        Text, comment="postal address, as letters print it; empty: none given")
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
    language: Mapped[str | None] = mapped_column(
        String(5), comment="interface language chosen by the officer (nb, en); NULL follows the browser")
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


# Roles that open a compartment, other officers' work or the accounts themselves: granting
# one takes two administrators (one proposes, another approves).
PRIVILEGED_ROLES = frozenset({Role.POLICE_LIAISON_OFFICER, Role.MANAGER, Role.ADMINISTRATOR})


class AccountChangeKind(Labelled):
    NEW_ACCOUNT = "new_account", _l("New account")
    ROLE_GRANT = "role_grant", _l("Role granted")
    PASSWORD_RESET = "password_reset", _l("Password reset")
    SECOND_FACTOR_RESET = "second_factor_reset", _l("Authenticator reset")


class ProposalOutcome(StrEnum):
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class AccountChangeProposal(Base):
    """A change to an account that waits for a second administrator's approval."""

    __tablename__ = "account_change_proposals"
    __table_args__ = (
        CheckConstraint(
            "(outcome IS NULL AND decided_at IS NULL AND decided_by_id IS NULL)"
            " OR (outcome IS NOT NULL AND decided_at IS NOT NULL AND decided_by_id IS NOT NULL)",
            name="decided_fully_or_not_at_all"),
        CheckConstraint("outcome = 'withdrawn' OR decided_by_id <> proposed_by_id",
                        name="not_decided_by_proposer"),
        {"comment": "Grants of privileged roles and credential resets, proposed by one "
                    "administrator and approved or refused by another."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AccountChangeKind] = mapped_column(
        enum_column(AccountChangeKind, "account_change_kind"))
    target_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    target_version: Mapped[int] = mapped_column(
        Integer, comment="the account's version when proposed: a later edit makes this stale")
    proposed_role: Mapped[Role | None] = mapped_column(enum_column(Role, "proposed_role"))
    proposed_office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[ProposalOutcome | None] = mapped_column(
        enum_column(ProposalOutcome, "proposal_outcome"), index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    target: Mapped[User] = relationship(foreign_keys=[target_id])
    proposed_office: Mapped[Office | None] = relationship(foreign_keys=[proposed_office_id])
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def pending(self) -> bool:
        return self.outcome is None
