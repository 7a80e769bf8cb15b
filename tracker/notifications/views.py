"""The notification centre (every account's own), its choices, and the administrators' outbox."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import InputRequired

from tracker.auth.permissions import Permission, allow
from tracker.cases import registry
from tracker.cases.models import Case
from tracker.extensions import db
from tracker.forms import TrackerForm
from tracker.notifications import service
from tracker.notifications.models import (
    Delivery,
    Notification,
    NotificationKind,
    OutboxMail,
    kinds_for,
)
from tracker.unit_of_work import unit_of_work
from tracker.vocabulary import choices

bp = Blueprint("notifications", __name__)
PAGE_SIZE = 50
OUTBOX_PAGE_SIZE = 100


def _own(notification_id: int) -> Notification:
    """One of the reader's own notifications; anyone else's is 404."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    return notification


def _readable_cases(case_ids: set[int]) -> dict[int, Case]:
    """The cases of these ids that the reader may read now (the scope filters the SELECT): a
    notification shows its case's reference only while the reader may still read it."""
    if not case_ids:
        return {}
    return {case.id: case for case in db.session.scalars(
        select(Case).where(Case.id.in_(sorted(case_ids))))}


def target_of(notification: Notification, case: Case | None) -> str:
    """Where the notification leads: its case's page, else the home page."""
    if notification.case_id is not None and case is not None:
        case_type = registry.case_type_of(case)
        return url_for(case_type.detail_endpoint, reference=case.reference)
    return url_for("main.home")


@bp.route("/notifications")
@allow(Permission.USE_OWN_ACCOUNT)
def centre():
    before = request.args.get("before", type=int)
    stmt = select(Notification).where(Notification.user_id == current_user.id)
    if before:
        stmt = stmt.where(Notification.id < before)
    rows = list(db.session.scalars(stmt.order_by(Notification.id.desc()).limit(PAGE_SIZE + 1)))
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    cases = _readable_cases({n.case_id for n in rows if n.case_id is not None})
    return render_template("notifications/centre.html", notifications=rows, cases=cases,
                           older=rows[-1].id if more else None,
                           unread=service.unread_count(current_user))


@bp.route("/notifications/<int:notification_id>", endpoint="open")
@allow(Permission.USE_OWN_ACCOUNT)
def follow(notification_id: int):
    """Follow a notification (from the centre or a mail): marked read, then to its page, which
    applies the usual access rule (a case no longer readable answers 404 there)."""
    notification = _own(notification_id)
    with unit_of_work():
        service.mark_read(notification)
    case = None
    if notification.case_id is not None:
        case = db.session.scalar(select(Case).where(Case.id == notification.case_id))
        if case is None:
            abort(404)
    return redirect(target_of(notification, case))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@allow(Permission.USE_OWN_ACCOUNT)
def mark_read(notification_id: int):
    notification = _own(notification_id)
    with unit_of_work():
        service.mark_read(notification)
    return redirect(url_for("notifications.centre"))


@bp.route("/notifications/read-all", methods=["POST"])
@allow(Permission.USE_OWN_ACCOUNT)
def mark_all_read():
    with unit_of_work():
        marked = service.mark_all_read(current_user)
    if marked:
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.centre"))


def choices_form(kinds: list[NotificationKind], data: dict | None = None):
    """A form with one choice per kind of notification the account's role can receive."""

    class ChoicesForm(TrackerForm):
        pass

    for kind in kinds:
        setattr(ChoicesForm, kind.value, SelectField(
            kind.label, choices=choices(Delivery), validators=[InputRequired()]))
    return ChoicesForm(data=data)


@bp.route("/notifications/settings", methods=["GET", "POST"])
@allow(Permission.USE_OWN_ACCOUNT)
def settings():
    kinds = kinds_for(current_user.role)
    current = service.choices_of(current_user)
    form = choices_form(kinds, None if request.method == "POST" else {
        kind.value: current[kind].value for kind in kinds})
    if request.method == "POST":
        if form.validate_on_submit():
            with unit_of_work(form) as work:
                service.set_choices(current_user, {
                    kind: Delivery(form[kind.value].data) for kind in kinds})
            if work.done:
                flash(_("Your choices are saved."), "success")
                return redirect(url_for("notifications.settings"))
        return render_template("notifications/settings.html", form=form, kinds=kinds), 422
    return render_template("notifications/settings.html", form=form, kinds=kinds)


@bp.route("/admin/outbox")
@allow(Permission.READ_MAIL_OUTBOX)
def outbox():
    """The mail the tracker has written, newest first: with MAIL_BACKEND=outbox-page
    (development) this is where it is read; with smtp, where a failure shows."""
    mails = list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc())
                                    .limit(OUTBOX_PAGE_SIZE)))
    return render_template("notifications/outbox.html", mails=mails,
                           backend=current_app.config["MAIL_BACKEND"])
