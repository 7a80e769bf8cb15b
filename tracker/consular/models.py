"""Consular requests, their subjects, enquiries and service targets."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import Office, User
from tracker.cases.models import Case, CaseKind
from tracker.consular.categories import Category, Channel
from tracker.db import Base, UTCDateTime, enum_column, utcnow
from tracker.people.models import Person
from tracker.vocabulary import Labelled

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


class SubjectAccessStatus(Labelled):
    PENDING = "pending", _l("Waiting for a manager")
    APPROVED = "approved", _l("Approved")
    REFUSED = "refused", _l("Refused")
    DOWNLOADED = "downloaded", _l("Downloaded")


class SubjectAccessRequest(Base):
    """A consular person's request for everything the embassy holds about them (GDPR art. 15):
    asked for by an officer, approved or refused by a manager who did not ask, then
    downloaded by the one who asked or the one who approved (tracker/consular/subject_access)."""

    __tablename__ = "subject_access_requests"
    __table_args__ = (
        Index("ix_subject_access_requests_status", "status"),
        {"comment": "Subject-access exports asked for, and the manager's decision (0024)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, comment="the citizen's request: its reference")
    status: Mapped[SubjectAccessStatus] = mapped_column(
        enum_column(SubjectAccessStatus, "subject_access_status"),
        default=SubjectAccessStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()
    asked_by: Mapped[User] = relationship(foreign_keys=[asked_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
