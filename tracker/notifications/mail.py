"""Mail through a transactional outbox: written with its event, sent later by a command.

A mail carries no case content at all: what kind of thing happened, in the recipient's
language, and a link to the notification (which leads to the case; that page applies the access
rule). `send_pending` delivers due mail over SMTP: it first claims rows with one UPDATE (on
PostgreSQL the candidates are picked with SELECT ... FOR UPDATE SKIP LOCKED, so two runs at
once take different rows; on SQLite the single writer makes the UPDATE atomic), commits the
claim, then sends and marks each row. A failure is retried with a growing wait; after
MAX_ATTEMPTS the mail is given up (kept, marked failed, for the outbox page).
"""
from __future__ import annotations

import secrets
import smtplib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, gettext as _, ngettext
from sqlalchemy import and_, func, or_, select, update

from tracker.auth.models import Role, User
from tracker.cases import scope
from tracker.cases.clock import office_today
from tracker.cases.models import Case
from tracker.cases.workflow import WORKFLOWS
from tracker.db import utcnow
from tracker.extensions import db
from tracker.i18n import DEFAULT_LANGUAGE, LANGUAGES
from tracker.notifications.models import (
    KIND_ROLES,
    Delivery,
    MailStatus,
    Notification,
    NotificationKind,
    OutboxMail,
)

MAX_ATTEMPTS = 8
CLAIM_MINUTES = 15  # a claim older than this was left by a run that died
BATCH = 100


def _language(user: User) -> str:
    return user.language if user.language in LANGUAGES else DEFAULT_LANGUAGE


def link(endpoint: str, **values) -> str:
    """An absolute address of a page, made from PUBLIC_URL (no request needed)."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def _body(lines: list[str]) -> str:
    footer = [
        "",
        _("For the sake of the people in our cases, this mail says nothing about the case "
          "itself. The tracker shows it to those who may read it."),
        _("Choose which mails you get: %(link)s", link=link("notifications.settings")),
    ]
    return "\n".join(lines + footer) + "\n"


def queue_notification(notification: Notification) -> OutboxMail:
    """The mail for one notification, into the outbox (the caller's transaction)."""
    user = notification.user
    with force_locale(_language(user)):
        subject = str(notification.kind.label)
        body = _body([subject + ".", "",
                      _("Open it in the tracker: %(link)s",
                        link=link("notifications.open", notification_id=notification.id))])
    mail = OutboxMail(user_id=user.id, notification_id=notification.id, recipient=user.email,
                      subject=subject, body=body)
    db.session.add(mail)
    db.session.flush()
    return mail


# --- the daily summary -------------------------------------------------------------------------


def _day_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(zone))


def _overdue_clause(now: datetime):
    """Open, clock running, past the due date: for every registered workflow."""
    return or_(*[and_(Case.kind == kind, Case.status.in_(sorted(flow.open_statuses - flow.paused)))
                 for kind, flow in WORKFLOWS.items()]) & Case.due_at.is_not(None) & (
        Case.due_at < now)


def overdue_count(user: User, now: datetime) -> int:
    """Overdue cases of this account: assigned to them; a manager's: their office's requests.
    Counted as the account reads (its scope), so no one learns of a case they may not read."""
    clause = _overdue_clause(now)
    if user.role is Role.MANAGER:
        clause = clause & (Case.office_id == user.office_id)
    else:
        clause = clause & (Case.assigned_to_id == user.id)
    with scope.reading_as(user):
        return db.session.scalar(select(func.count(Case.id)).where(clause)) or 0


def raise_overdue(now: datetime | None = None) -> int:
    """Once a day per account: how many of their cases are overdue (a count, no names)."""
    from tracker.notifications.service import active_users, notify

    now = now or utcnow()
    told = 0
    for user in active_users(User.role.in_(sorted(KIND_ROLES[NotificationKind.OVERDUE]))):
        since = _day_start(office_today(user.office.time_zone, now), user.office.time_zone)
        already = db.session.scalar(select(Notification.id).where(
            Notification.user_id == user.id, Notification.kind == NotificationKind.OVERDUE,
            Notification.created_at >= since).limit(1))
        if already is not None:
            continue
        overdue = overdue_count(user, now)
        if overdue:
            told += len(notify(NotificationKind.OVERDUE, [user], count=overdue))
    return told


def queue_digests(now: datetime | None = None) -> int:
    """One summary mail per account and day: counts per kind of what they chose to hear of
    in the summary. Running it again the same day sends nothing more."""
    now = now or utcnow()
    raise_overdue(now)
    pending = db.session.execute(
        select(Notification.user_id, Notification.kind, func.sum(Notification.count))
        .where(Notification.delivery == Delivery.DIGEST, Notification.digested_at.is_(None))
        .group_by(Notification.user_id, Notification.kind)).all()
    per_user: dict[int, dict[NotificationKind, int]] = {}
    for user_id, kind, total in pending:
        per_user.setdefault(user_id, {})[NotificationKind(kind)] = int(total)
    queued = 0
    for user_id, counts in per_user.items():
        user = db.session.get(User, user_id)
        if user is None or not user.active:
            continue
        day = office_today(user.office.time_zone, now)
        key = f"digest:{user.id}:{day.isoformat()}"
        if db.session.scalar(select(OutboxMail.id).where(OutboxMail.dedupe_key == key)):
            continue  # today's summary is made; what came since waits for tomorrow's
        with force_locale(_language(user)):
            subject = _("Your daily summary from the case tracker")
            lines = [_("Since your last summary:"), ""]
            for kind in NotificationKind:
                if kind in counts:
                    lines.append(ngettext("%(num)d × %(what)s", "%(num)d × %(what)s",
                                          counts[kind], what=kind.label))
            lines += ["", _("See them in the tracker: %(link)s",
                            link=link("notifications.centre"))]
            body = _body(lines)
        db.session.add(OutboxMail(user_id=user.id, recipient=user.email, subject=subject,
                                  body=body, dedupe_key=key, digest_day=day))
        db.session.execute(
            update(Notification).where(Notification.user_id == user.id,
                                       Notification.delivery == Delivery.DIGEST,
                                       Notification.digested_at.is_(None))
            .values(digested_at=now).execution_options(synchronize_session=False))
        queued += 1
    db.session.flush()
    return queued


# --- sending -------------------------------------------------------------------------------------


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    given_up: int = 0


def backoff(attempts: int) -> timedelta:
    """The wait before the next try: 2, 4, 8 ... minutes, at most six hours."""
    return min(timedelta(minutes=2 ** attempts), timedelta(hours=6))


def claim(now: datetime, token: str, limit: int = BATCH) -> list[int]:
    """Take due mail for this run (committed by the caller before anything is sent)."""
    abandoned = now - timedelta(minutes=CLAIM_MINUTES)
    free = or_(OutboxMail.claim_token.is_(None), OutboxMail.claimed_at < abandoned)
    due = and_(OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now, free)
    candidates = select(OutboxMail.id).where(due).order_by(OutboxMail.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    db.session.execute(
        update(OutboxMail).where(OutboxMail.id.in_(candidates.scalar_subquery()), due)
        .values(claim_token=token, claimed_at=now)
        .execution_options(synchronize_session=False))
    return list(db.session.scalars(select(OutboxMail.id).where(OutboxMail.claim_token == token)
                                   .order_by(OutboxMail.id)))


def message_of(mail: OutboxMail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=current_app.config["MAIL_SENDER"].rpartition("@")[2]
                                       or None)
    message.set_content(mail.body)
    return message


def smtp_connection() -> smtplib.SMTP:
    config = current_app.config
    connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
    if config["MAIL_USE_TLS"]:
        connection.starttls()
    if config["MAIL_USERNAME"]:
        connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return connection


def send_pending(now: datetime | None = None) -> SendResult:
    """Deliver due mail over SMTP; each row is committed as sent or failed on its own."""
    now = now or utcnow()
    token = secrets.token_hex(16)
    ids = claim(now, token)
    db.session.commit()  # the claim holds from here: another run skips these rows
    result = SendResult()
    if not ids:
        return result
    connection, error = None, None
    try:
        connection = smtp_connection()
    except (OSError, smtplib.SMTPException) as exc:
        error = exc
    for mail_id in ids:
        mail = db.session.get(OutboxMail, mail_id)
        if mail is None or mail.claim_token != token or mail.status is not MailStatus.PENDING:
            continue
        if not mail.user.active:  # left since the mail was written: it is not sent
            mail.status, mail.claim_token = MailStatus.FAILED, None
            mail.last_error = "the account is deactivated"
            result.given_up += 1
            db.session.commit()
            continue
        try:
            if error is not None:
                raise error
            connection.send_message(message_of(mail))
        except (OSError, smtplib.SMTPException) as exc:
            mail.attempts += 1
            mail.last_error = f"{type(exc).__name__}: {exc}"[:500]
            mail.claim_token = mail.claimed_at = None
            if mail.attempts >= MAX_ATTEMPTS:
                mail.status = MailStatus.FAILED
                result.given_up += 1
            else:
                mail.next_attempt_at = utcnow() + backoff(mail.attempts)
                result.failed += 1
        else:
            mail.status = MailStatus.SENT
            mail.sent_at = utcnow()
            mail.attempts += 1
            mail.claim_token = None
            result.sent += 1
        db.session.commit()
    if connection is not None:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return result
