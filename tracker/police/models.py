"""Liaison cases and what hangs off them: parties, exchanges, notices, grants, links."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.audit.service import seal_object_types
from tracker.auth.models import User
from tracker.cases.models import Attachment, Case, CaseKind
from tracker.db import Base, UTCDateTime, enum_column, utcnow
from tracker.people.models import Person
from tracker.police.categories import (
    Counterpart,
    Direction,
    ExchangeChannel,
    HandlingCode,
    InformationGrade,
    NordicCountry,
    NoticeColour,
    PartyRole,
    PoliceCategory,
    SourceGrade,
)


seal_object_types("liaison_case", "police_person")


class LiaisonCase(Case):
    """A cross-border case the liaison officer handles for one Nordic police service."""

    __tablename__ = "liaison_cases"
    __table_args__ = (
        Index("ix_liaison_cases_category_country", "category", "country"),
        {"comment": "Police part of a case. Visible to police liaison officers only."},
    )

    id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    category: Mapped[PoliceCategory] = mapped_column(enum_column(PoliceCategory,
                                                                 "police_category"))
    country: Mapped[NordicCountry] = mapped_column(
        enum_column(NordicCountry, "nordic_country", length=2),
        comment="the Nordic country the case is handled for")
    requesting_agency: Mapped[str] = mapped_column(String(120))
    agency_reference: Mapped[str | None] = mapped_column(String(80))
    operation_name: Mapped[str | None] = mapped_column(String(120))
    counterpart: Mapped[Counterpart] = mapped_column(enum_column(Counterpart, "counterpart"))
    counterpart_reference: Mapped[str | None] = mapped_column(String(80))
    fir_number: Mapped[str | None] = mapped_column(
        String(80), comment="the First Information Report number the host-country police gave")
    restricted: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(),
        comment="only the named liaison officers open it without giving a reason")

    parties: Mapped[list[CaseParty]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseParty.id")
    notices: Mapped[list[InterpolNotice]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="InterpolNotice.id")
    exchanges: Mapped[list[Exchange]] = relationship(
        back_populates="case", cascade="all, delete-orphan",
        order_by="(Exchange.exchanged_on, Exchange.id)")
    named_officers: Mapped[list[User]] = relationship(secondary="liaison_case_officers")

    __mapper_args__ = {"polymorphic_identity": CaseKind.LIAISON_CASE}

    @property
    def strictest_code(self) -> HandlingCode | None:
        codes = [e.handling_code for e in self.exchanges]
        return max(codes, key=lambda c: c.strictness) if codes else None

    @property
    def children(self) -> int:
        return sum(1 for p in self.parties if p.role is PartyRole.ABDUCTED_CHILD)


liaison_case_officers = Table(
    "liaison_case_officers",
    Base.metadata,
    Column("case_id", ForeignKey("liaison_cases.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    comment="Liaison officers named on a restricted case.",
)


class CaseParty(Base):
    """A person involved in a liaison case, in a role (suspect, victim, abducted child...)."""

    __tablename__ = "liaison_case_parties"
    __table_args__ = (UniqueConstraint("case_id", "person_id", "role",
                                       name="uq_liaison_case_parties_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("liaison_cases.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    role: Mapped[PartyRole] = mapped_column(enum_column(PartyRole, "party_role"))

    case: Mapped[LiaisonCase] = relationship(back_populates="parties")
    person: Mapped[Person] = relationship()


class InterpolNotice(Base):
    __tablename__ = "interpol_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("liaison_cases.id"), index=True)
    colour: Mapped[NoticeColour] = mapped_column(enum_column(NoticeColour, "notice_colour"))
    number: Mapped[str] = mapped_column(String(40))

    case: Mapped[LiaisonCase] = relationship(back_populates="notices")


exchange_documents = Table(
    "exchange_documents",
    Base.metadata,
    Column("exchange_id", ForeignKey("exchanges.id"), primary_key=True),
    Column("attachment_id", ForeignKey("attachments.id"), primary_key=True),
    comment="Documents that came with, or went with, an exchange.",
)


class Exchange(Base):
    """One message sent to or received from a counterpart, under a handling code."""

    __tablename__ = "exchanges"
    __table_args__ = (
        CheckConstraint("handling_code <> 'H3' OR restriction IS NOT NULL",
                        name="h3_states_restriction"),
        Index("ix_exchanges_case_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("liaison_cases.id"))
    exchanged_on: Mapped[date] = mapped_column(Date)
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, "direction"))
    channel: Mapped[ExchangeChannel] = mapped_column(enum_column(ExchangeChannel,
                                                                 "exchange_channel"))
    counterpart: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    handling_code: Mapped[HandlingCode] = mapped_column(
        enum_column(HandlingCode, "handling_code", length=2))
    restriction: Mapped[str | None] = mapped_column(Text, comment="the H3 restriction, stated")
    source_grade: Mapped[SourceGrade | None] = mapped_column(
        enum_column(SourceGrade, "source_grade", length=1))
    information_grade: Mapped[InformationGrade | None] = mapped_column(
        enum_column(InformationGrade, "information_grade", length=1))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    case: Mapped[LiaisonCase] = relationship(back_populates="exchanges")
    created_by: Mapped[User] = relationship()
    documents: Mapped[list[Attachment]] = relationship(secondary=exchange_documents)


class BreakGlass(Base):
    """A liaison officer not named on a restricted case opened it, giving this reason."""

    __tablename__ = "break_glass"
    __table_args__ = (Index("ix_break_glass_case_user", "case_id", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("liaison_cases.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text)

    user: Mapped[User] = relationship()
