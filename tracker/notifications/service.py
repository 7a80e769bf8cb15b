"""Raising notifications: called by the service that does the thing, in its transaction.

`notify` is the one way a notification is made. It tells each recipient only if they may read
the case at that moment (the reader's scope of tracker/cases/scope.py, asked as the recipient)
and only if their role can receive the kind at all; never the one who did the thing. If the
recipient chose e-mail at once, the mail goes into the outbox in the same transaction.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import func, select, update

from tracker.auth.models import Role, User
from tracker.cases import scope
from tracker.cases.models import Case, TimelineEvent
from tracker.db import utcnow
from tracker.extensions import db
from tracker.notifications.models import (
    DEFAULT_DELIVERY,
    KIND_ROLES,
    Delivery,
    Notification,
    NotificationChoice,
    NotificationKind,
)


def may_read(user: User, case: Case) -> bool:
    """Whether `user` may read the case's content now: the scope rule, asked as them."""
    with scope.reading_as(user):
        return db.session.scalar(
            select(Case.id).where(Case.id == case.id,
                                  scope.content_clause(user, scope.CASES))) is not None


def delivery_for(user: User, kind: NotificationKind) -> Delivery:
    """The account's choice for this kind, or the default."""
    chosen = db.session.get(NotificationChoice, (user.id, kind))
    return chosen.delivery if chosen is not None else DEFAULT_DELIVERY[kind]


def choices_of(user: User) -> dict[NotificationKind, Delivery]:
    """Every kind's delivery for this account (its own choices over the defaults)."""
    chosen = dict(db.session.execute(
        select(NotificationChoice.kind, NotificationChoice.delivery)
        .where(NotificationChoice.user_id == user.id)).all())
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in NotificationKind}


def set_choices(user: User, choices: dict[NotificationKind, Delivery]) -> None:
    """Keep the account's choice per kind (a choice equal to the default is kept too: the
    default may change, the officer's word should not)."""
    for kind, delivery in choices.items():
        row = db.session.get(NotificationChoice, (user.id, kind))
        if row is None:
            db.session.add(NotificationChoice(user_id=user.id, kind=kind, delivery=delivery))
        else:
            row.delivery = delivery
    db.session.flush()


def notify(kind: NotificationKind, recipients: Iterable[User | None], case: Case | None = None,
           *, actor: User | None = None, count: int = 1) -> list[Notification]:
    """Tell each recipient (once) who may receive `kind` and may read `case` now; never the
    actor. Flushed; the caller's transaction commits it with the event."""
    from tracker.notifications import mail  # mail renders links through the app's routes

    made, seen = [], set()
    for user in recipients:
        if user is None or user.id in seen or not user.active:
            continue
        seen.add(user.id)
        if actor is not None and user.id == actor.id:
            continue
        if user.role not in KIND_ROLES[kind]:
            continue  # e.g. a police event never reaches another role
        if case is not None and not may_read(user, case):
            continue
        delivery = delivery_for(user, kind)
        notification = Notification(user_id=user.id, user=user, kind=kind, count=count,
                                    case_id=case.id if case is not None else None,
                                    delivery=delivery)
        db.session.add(notification)
        made.append(notification)
    if made:
        db.session.flush()
    for notification in made:
        if notification.delivery is Delivery.EMAIL_NOW:
            mail.queue_notification(notification)
    return made


# --- who is told -----------------------------------------------------------------------------


def active_users(*where) -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True), *where)
                                   .order_by(User.id)))


def approvers(office_id: int) -> list[User]:
    """The managers of the office; where it has none of its own (a consulate), every manager."""
    managers = active_users(User.role == Role.MANAGER)
    own = [m for m in managers if m.office_id == office_id]
    return own or managers


def liaison_officers() -> list[User]:
    return active_users(User.role == Role.POLICE_LIAISON_OFFICER)


def new_colleague(user: User, actor: User | None = None) -> None:
    """An account just became an active liaison officer: the other liaison officers hear of it
    (the home page shows who, and who approved it)."""
    if user.active and user.role is Role.POLICE_LIAISON_OFFICER:
        notify(NotificationKind.NEW_COLLEAGUE,
               [u for u in liaison_officers() if u.id != user.id], actor=actor)


def last_actor(case: Case, *transitions: str) -> User | None:
    """Who last took one of these steps on the case (who asked for an approval, who put it on
    hold)."""
    with scope.unscoped("the step's actor, to tell them; who may read it is checked after"):
        event = db.session.scalar(
            select(TimelineEvent).where(TimelineEvent.case_id == case.id,
                                        TimelineEvent.transition.in_(transitions))
            .order_by(TimelineEvent.at.desc(), TimelineEvent.id.desc()).limit(1))
        return event.actor if event is not None else None


# --- the centre --------------------------------------------------------------------------------


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def settle(kind: NotificationKind, case: Case) -> None:
    """What was asked is answered (another manager approved): the rest need not act on it."""
    db.session.execute(
        update(Notification).where(Notification.kind == kind, Notification.case_id == case.id,
                                   Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user.id,
                                   Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount or 0
