"""Notifications: what someone is told, how they chose to be told, and the mail waiting to go."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import Role, User
from tracker.db import Base, UTCDateTime, enum_column, utcnow
from tracker.vocabulary import Labelled


class NotificationKind(Labelled):
    """What happened, in the words the notification centre shows (never the case's content)."""

    ASSIGNED = "assigned", _l("A case was assigned to you")
    APPROVAL_NEEDED = "approval_needed", _l("A request is waiting for your approval")
    APPROVED = "approved", _l("Your resolution was approved")
    SENT_BACK = "sent_back", _l("Your resolution was sent back")
    HOLD_REACHED = "hold_reached", _l("A case on hold is back to work")
    NOTE_ADDED = "note_added", _l("A note was added to a case assigned to you")
    DOCUMENT_ADDED = "document_added", _l("A document was added to a case assigned to you")
    BREAK_GLASS = "break_glass", _l("A colleague opened a case you are named on")
    NEW_COLLEAGUE = "new_colleague", _l("A new colleague's account was approved")
    OVERDUE = "overdue", _l("Cases are past their due date")


class Delivery(Labelled):
    """How an account wants to hear of one kind of event."""

    IN_APP = "in_app", _l("Only in the tracker")
    EMAIL_NOW = "email_now", _l("Also by e-mail at once")
    DIGEST = "digest", _l("Also in the daily summary")


# Approvals and assignments are what someone waits on: by e-mail at once; the rest can wait
# for the daily summary.
DEFAULT_DELIVERY: dict[NotificationKind, Delivery] = {
    kind: Delivery.DIGEST for kind in NotificationKind} | {
    NotificationKind.ASSIGNED: Delivery.EMAIL_NOW,
    NotificationKind.APPROVAL_NEEDED: Delivery.EMAIL_NOW,
    NotificationKind.APPROVED: Delivery.EMAIL_NOW,
    NotificationKind.SENT_BACK: Delivery.EMAIL_NOW,
}

# Who can ever receive each kind: the settings page offers a role only its own kinds.
_CONSULAR = frozenset({Role.CONSULAR_OFFICER, Role.MANAGER})
_CASEWORKERS = _CONSULAR | {Role.POLICE_LIAISON_OFFICER}
KIND_ROLES: dict[NotificationKind, frozenset[Role]] = {
    NotificationKind.ASSIGNED: _CASEWORKERS,
    NotificationKind.APPROVAL_NEEDED: frozenset({Role.MANAGER}),
    NotificationKind.APPROVED: _CONSULAR,
    NotificationKind.SENT_BACK: _CONSULAR,
    NotificationKind.HOLD_REACHED: _CASEWORKERS,
    NotificationKind.NOTE_ADDED: _CASEWORKERS,
    NotificationKind.DOCUMENT_ADDED: _CASEWORKERS,
    NotificationKind.BREAK_GLASS: frozenset({Role.POLICE_LIAISON_OFFICER}),
    NotificationKind.NEW_COLLEAGUE: frozenset({Role.POLICE_LIAISON_OFFICER}),
    NotificationKind.OVERDUE: _CASEWORKERS,
}


def kinds_for(role: Role) -> list[NotificationKind]:
    return [kind for kind in NotificationKind if role in KIND_ROLES[kind]]


class Notification(Base):
    """One thing one account is told. It names the case (if any) but says nothing of it: the
    case page behind the link applies the usual access rule."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The header's unread count and the centre's newest-first list.
        Index("ix_notifications_user_read", "user_id", "read_at"),
        Index("ix_notifications_user_id_desc", "user_id", "id"),
        # The digest's pending rows.
        Index("ix_notifications_digest", "delivery", "digested_at"),
        CheckConstraint("count >= 1", name="count_positive"),
        {"comment": "What an account is told; no case content, only a link."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind,
                                                               "notification_kind"))
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id"), index=True, comment="the case it leads to; empty: the home page")
    count: Mapped[int] = mapped_column(Integer, default=1,
                                       comment="how many cases (overdue): a number, no names")
    delivery: Mapped[Delivery] = mapped_column(
        enum_column(Delivery, "notification_delivery"),
        comment="the account's choice when it was made")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    digested_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="counted in a daily summary mail")

    user: Mapped[User] = relationship()


class NotificationChoice(Base):
    """An account's choice for one kind; a kind without a row follows DEFAULT_DELIVERY."""

    __tablename__ = "notification_choices"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[NotificationKind] = mapped_column(
        enum_column(NotificationKind, "notification_choice_kind"), primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(
        enum_column(Delivery, "notification_choice_delivery"))


class MailStatus(Labelled):
    PENDING = "pending", _l("Waiting to be sent")
    SENT = "sent", _l("Sent")
    FAILED = "failed", _l("Given up")


class OutboxMail(Base):
    """A mail written in the same transaction as its event; `flask notifications send`
    delivers it. A worker claims a row (claim token and time) before sending, so two runs at
    once never send one twice; a claim older than CLAIM_MINUTES is taken as abandoned."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        Index("ix_mail_outbox_due", "status", "next_attempt_at"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name="sent_has_time"),
        {"comment": "Mail waiting to be sent, sent, or given up; never any case content."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # One summary per account and day: "digest:<user id>:<date>"; empty for other mail.
    dedupe_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    digest_day: Mapped[date | None] = mapped_column(Date)
    status: Mapped[MailStatus] = mapped_column(enum_column(MailStatus, "mail_status"),
                                               default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User] = relationship()
