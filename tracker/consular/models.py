"""Consular requests, their subjects, enquiries and service targets."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import Office, User
from tracker.cases.models import Case, CaseKind
from tracker.consular.categories import Category, Channel
from tracker.db import Base, UTCDateTime, enum_column, utcnow
from tracker.people.models import Person

request_subjects = Table(
    "request_subjects",
    Base.metadata,
    Column("request_id", ForeignKey("consular_requests.id"), primary_key=True),
    Column("person_id", ForeignKey("persons.id"), primary_key=True, index=True),
    comment="The persons a consular request is about.",
)


class ConsularRequest(Case):
    """A citizen's request: a passport, a death, an arrest, a report of concern, ..."""

    __tablename__ = "consular_requests"
    __table_args__ = (
        Index("ix_consular_requests_category", "category"),
        {"comment": "Consular part of a case."},
    )

    id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    category: Mapped[Category] = mapped_column(enum_column(Category, "consular_category"))
    subcategory: Mapped[str] = mapped_column(String(40))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "consular_channel"))
    requester_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id"), index=True,
        comment="someone else who reported it, e.g. a relative")
    requester_relationship: Mapped[str | None] = mapped_column(String(80))
    place_of_event: Mapped[str | None] = mapped_column(
        String(120), comment="where it happened: a city or district, as the officer typed it")

    subjects: Mapped[list[Person]] = relationship(secondary=request_subjects,
                                                  order_by=Person.id)
    requester: Mapped[Person | None] = relationship(foreign_keys=[requester_id])

    __mapper_args__ = {"polymorphic_identity": CaseKind.CONSULAR_REQUEST}

    @property
    def subcategory_label(self) -> str:
        return self.category.info.subcategories.get(self.subcategory, self.subcategory)

    @property
    def closing_reason_label(self) -> str | None:
        if self.closing_reason is None:
            return None
        return self.category.info.closing_reasons.get(self.closing_reason, self.closing_reason)


class ServiceTarget(Base):
    """How many working days a request of a category may take; editable by administrators."""

    __tablename__ = "service_targets"

    category: Mapped[Category] = mapped_column(
        enum_column(Category, "service_target_category"), primary_key=True)
    working_days: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class Enquiry(Base):
    """An answered question with no case file: counted, never holding personal data."""

    __tablename__ = "enquiries"
    __table_args__ = (Index("ix_enquiries_office_received_on", "office_id", "received_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "enquiry_channel"))
    topic: Mapped[Category] = mapped_column(enum_column(Category, "enquiry_topic"))
    handled_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    became_request_id: Mapped[int | None] = mapped_column(ForeignKey("consular_requests.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    office: Mapped[Office] = relationship()
    handled_by: Mapped[User] = relationship()
    became_request: Mapped[ConsularRequest | None] = relationship()
