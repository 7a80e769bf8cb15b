"""The administrator's view of the audit log: filter and page, never edit."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from tracker.audit.models import AuditEvent
from tracker.audit.service import for_administrators, readable_by_administrators
from tracker.auth.permissions import Permission, allow
from tracker.extensions import db
from tracker.forms import DayField, MaxLength, TrackerForm

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

PAGE_SIZE = 50
MAX_ID = 2**63 - 1
FILTER_NAMES = ("actor", "action", "object_type", "date_from", "date_to")


class AuditFilterForm(TrackerForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    actor = StringField(_l("Account (e-mail contains)"),
                        validators=[Optional(), MaxLength(254)])
    action = StringField(_l("Action (starts with)"), description=_l("For example login or user."),
                         validators=[Optional(), MaxLength(64)])
    object_type = SelectField(_l("Object"), choices=[SelectChoice("", _l("Any")),
                                                     SelectChoice("user", _l("Account")),
                                                     SelectChoice("office", _l("Office"))],
                              default="")
    date_from = DayField(_l("From (UTC date)"), validators=[Optional()])
    date_to = DayField(_l("To (UTC date, inclusive)"), validators=[Optional()])


@bp.route("/")
@allow(Permission.READ_AUDIT_LOG)
def log():
    form = AuditFilterForm(request.args)
    stmt = (select(AuditEvent).where(readable_by_administrators())
            .order_by(AuditEvent.id.desc()).limit(PAGE_SIZE + 1))
    if form.validate():
        if form.actor.data:
            stmt = stmt.where(AuditEvent.actor_email.contains(form.actor.data.strip().lower(),
                                                              autoescape=True))
        if form.action.data:
            stmt = stmt.where(AuditEvent.action.startswith(form.action.data.strip(),
                                                           autoescape=True))
        if form.object_type.data:
            stmt = stmt.where(AuditEvent.object_type == form.object_type.data)
        if form.date_from.data:
            start = datetime.combine(form.date_from.data, time.min, tzinfo=timezone.utc)
            stmt = stmt.where(AuditEvent.at >= start)
        if form.date_to.data and form.date_to.data < date.max:
            end = datetime.combine(form.date_to.data + timedelta(days=1), time.min,
                                   tzinfo=timezone.utc)
            stmt = stmt.where(AuditEvent.at < end)
    before = request.args.get("before", type=int)
    if before and 0 < before <= MAX_ID:
        stmt = stmt.where(AuditEvent.id < before)
    events = [] if form.errors else db.session.scalars(stmt).all()
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    # Only the filter's own names go back into the "older" link (url_for takes any keyword).
    args = {k: v for k, v in request.args.items() if k in FILTER_NAMES}
    return render_template("audit/log.html", form=form, events=for_administrators(events),
                           args=args,
                           next_before=events[-1].id if more else None
                           ), 400 if form.errors else 200
