"""What both compartments share: the case itself, its timeline, journal and documents."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from flask_babel import lazy_gettext as _l

from tracker.auth.models import Office, User
from tracker.db import Base, UTCDateTime, enum_column, utcnow
from tracker.vocabulary import Labelled


class CaseKind(StrEnum):
    CONSULAR_REQUEST = "consular_request"
    LIAISON_CASE = "liaison_case"


class Priority(Labelled):
    ROUTINE = "routine", _l("Routine")
    URGENT = "urgent", _l("Urgent")
    EMERGENCY = "emergency", _l("Emergency")

    @property
    def rank(self) -> int:
        return {"emergency": 0, "urgent": 1, "routine": 2}[self.value]


class Case(Base):
    """A request or case: reference, office, status, clock, assignment.

    The status is set only by the workflow engine (`tracker.cases.workflow`); an ORM listener
    refuses any other assignment. The service-target clock pauses while the case waits:
    `waiting_since` marks the pause, and leaving it moves `due_at` on and adds to
    `paused_seconds`.
    """

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_kind_office_status", "kind", "office_id", "status"),
        Index("ix_cases_kind_assigned_status", "kind", "assigned_to_id", "status"),
        Index("ix_cases_kind_due_at", "kind", "due_at"),
        Index("ix_cases_kind_opened_at", "kind", "opened_at"),
        Index("ix_cases_kind_resolved_at", "kind", "resolved_at"),  # the monthly report
        Index("ix_cases_kind_closed_at", "kind", "closed_at"),  # the monthly report
        CheckConstraint("paused_seconds >= 0", name="paused_not_negative"),
        {"comment": "Consular requests and liaison cases (joined-table inheritance)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CaseKind] = mapped_column(enum_column(CaseKind, "case_kind"))
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    status: Mapped[str] = mapped_column(String(32))
    priority: Mapped[Priority] = mapped_column(enum_column(Priority, "priority"))
    summary: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waiting_on: Mapped[str | None] = mapped_column(String(40))
    waiting_reason: Mapped[str | None] = mapped_column(Text)
    hold_until: Mapped[date | None] = mapped_column(Date, index=True)
    paused_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closing_reason: Mapped[str | None] = mapped_column(String(40))
    approval_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    anonymised_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="when retention removed its personal data (tracker/retention)")
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    office: Mapped[Office] = relationship(lazy="joined")
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    approval_requested_by: Mapped[User | None] = relationship(
        foreign_keys=[approval_requested_by_id])
    legal_holds: Mapped[list[LegalHold]] = relationship(
        back_populates="case", order_by="LegalHold.id", viewonly=True)

    __mapper_args__ = {"polymorphic_on": kind, "version_id_col": version}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.reference} {self.status}>"

    @property
    def legal_hold(self) -> LegalHold | None:
        """The hold in force, if any: retention leaves the case alone while it lasts."""
        return next((h for h in self.legal_holds if h.lifted_at is None), None)


class TimelineKind(StrEnum):
    OPENED = "opened"
    STATUS = "status"
    NOTE = "note"
    CONTACT = "contact"
    DOCUMENT_ADDED = "document_added"
    DOCUMENT_REMOVED = "document_removed"
    ASSIGNED = "assigned"
    EDITED = "edited"
    BREAK_GLASS = "break_glass"  # a restricted case opened by someone not named on it


class TimelineEvent(Base):
    """One line of a case's history: status changes, notes, contacts, documents, in order."""

    __tablename__ = "timeline_events"
    __table_args__ = (Index("ix_timeline_events_case_at", "case_id", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), comment="empty for the system (e.g. a hold date passing)")
    kind: Mapped[TimelineKind] = mapped_column(enum_column(TimelineKind, "timeline_kind"))
    transition: Mapped[str | None] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(
        Text, comment="what the step recorded besides the status, in words (outcome, hold)")
    note_id: Mapped[int | None] = mapped_column(ForeignKey("journal_notes.id"))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))

    case: Mapped[Case] = relationship()
    actor: Mapped[User | None] = relationship()
    note: Mapped[JournalNote | None] = relationship()
    attachment: Mapped[Attachment | None] = relationship()


class NoteKind(StrEnum):
    NOTE = "note"
    CONTACT = "contact"


class ContactChannel(Labelled):
    CALL = "call", _l("Phone call")
    MEETING = "meeting", _l("Meeting")
    EMAIL = "email", _l("E-mail")
    LETTER = "letter", _l("Letter")
    VISIT = "visit", _l("Prison or hospital visit")


class JournalNote(Base):
    """A note or a record of contact. Never edited: a correction is a new note pointing back."""

    __tablename__ = "journal_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[NoteKind] = mapped_column(enum_column(NoteKind, "note_kind"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    contact_channel: Mapped[ContactChannel | None] = mapped_column(
        enum_column(ContactChannel, "contact_channel"))
    contact_with: Mapped[str | None] = mapped_column(String(200))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("journal_notes.id"))

    author: Mapped[User] = relationship()
    corrects: Mapped[JournalNote | None] = relationship(remote_side=[id])


class Attachment(Base):
    """A document on a case, stored outside static/ under a random name, with its checksum."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255), comment="as uploaded, for display")
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100), comment="detected from the content")
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    removal_reason: Mapped[str | None] = mapped_column(Text)
    letter_template_id: Mapped[int | None] = mapped_column(
        ForeignKey("letter_templates.id"),
        comment="a letter made in the tracker: the template version it was made from")

    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])
    # tracker/letters/models.py (no import here: the kernel's tables do not need letters').
    letter_template: Mapped["LetterTemplate | None"] = relationship(  # noqa: F821
        "LetterTemplate")


class LegalHold(Base):
    """A legal hold on a case, with its reason: while it lasts retention does not touch the
    case, and the time it lasted after closing is added to the retention period (the clock
    stops). Lifted holds stay as the case's history."""

    __tablename__ = "legal_holds"
    __table_args__ = (
        Index("ix_legal_holds_case_lifted", "case_id", "lifted_at"),
        CheckConstraint("paused_seconds >= 0", name="paused_not_negative"),
        CheckConstraint("(lifted_at IS NULL) = (lifted_by_id IS NULL)", name="lifted_by_whom"),
        {"comment": "Legal holds on cases: they stop the retention clock."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    reason: Mapped[str] = mapped_column(Text)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lift_reason: Mapped[str | None] = mapped_column(Text)
    paused_seconds: Mapped[int] = mapped_column(
        BigInteger, default=0, comment="how long the hold lasted after the case was closed")

    case: Mapped[Case] = relationship(back_populates="legal_holds")
    placed_by: Mapped[User] = relationship(foreign_keys=[placed_by_id])
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id])


class ReferenceCounter(Base):
    """The last number given out per prefix (office code or POL) and year."""

    __tablename__ = "reference_counters"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class SavedView(Base):
    """An officer's named list: the filters and sort of a case list, never its results.

    Shared with an office, it is listed to that office's readers of the same compartment; each
    reader's count and list go through their own scope, so sharing shows no extra case.
    """

    __tablename__ = "saved_views"
    __table_args__ = (
        UniqueConstraint("owner_id", "kind", "name", name="one_name_per_owner_and_list"),
        Index("ix_saved_views_kind_shared_office", "kind", "shared_office_id"),
        {"comment": "Saved filters of the case lists (issue 15); results are never stored."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CaseKind] = mapped_column(enum_column(CaseKind, "saved_view_kind"),
                                           comment="which list: the compartment's case kind")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    filters: Mapped[str] = mapped_column(
        Text, comment="JSON: the list's filter parameters as the address carries them")
    sort: Mapped[str] = mapped_column(String(20))
    shared_office_id: Mapped[int | None] = mapped_column(
        ForeignKey("offices.id"), comment="listed to this office's readers; empty: owner only")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    owner: Mapped[User] = relationship()
    shared_office: Mapped[Office | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
