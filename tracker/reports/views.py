"""The monthly report pages, under /reports/. Read-only but for publishing a snapshot."""
from __future__ import annotations

import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tracker.audit import service as audit
from tracker.auth.models import Office, Role
from tracker.auth.permissions import Permission, allow
from tracker.db import utcnow
from tracker.extensions import db
from tracker.unit_of_work import unit_of_work
from tracker.reports import exports
from tracker.reports.charts import chart_data
from tracker.reports.forms import PublishForm
from tracker.reports.periods import Month
from tracker.reports.render import report_section, suppression_note
from tracker.reports.report import (
    AlreadyPublished,
    MonthNotOver,
    changes_since,
    differences,
    last_publication,
    monthly_report,
    publish,
    threshold,
)

bp = Blueprint("reports", __name__, url_prefix="/reports")

FORMATS = {
    "csv": ("text/csv; charset=utf-8", exports.to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             exports.to_xlsx),
    "pdf": ("application/pdf", exports.to_pdf),
}


def sections_for(role: Role) -> list[str]:
    """Managers read both; a consular officer the consular figures; the liaison officer the
    police figures (aggregates only); any other role none (fails closed, not with an error)."""
    return {Role.MANAGER: ["consular", "police"], Role.CONSULAR_OFFICER: ["consular"],
            Role.POLICE_LIAISON_OFFICER: ["police"]}.get(role, [])


def _chosen() -> tuple[Month, Office | None, list[str]]:
    """The month and office asked for, as this user may see them (400 if malformed)."""
    raw = request.values.get("month")
    if raw:
        try:
            month = Month.parse(raw)
        except ValueError:
            abort(400)
    else:
        month = Month.containing(utcnow(), current_user.office.time_zone).previous()
    office = None
    if current_user.role is Role.CONSULAR_OFFICER:
        office = current_user.office  # their own office's report only
    elif current_user.role is Role.MANAGER:
        code = (request.values.get("office") or "all").upper()
        if code != "ALL":
            if not re.fullmatch(r"[A-Z]{3}", code):
                abort(404)  # an office code is three letters (PostgreSQL refuses NUL bytes)
            office = db.session.scalar(select(Office).where(Office.code == code))
            if office is None:
                abort(404)
    return month, office, sections_for(current_user.role)


@bp.route("/")
@allow(Permission.READ_REPORTS)
def monthly():
    month, office, sections = _chosen()
    report = monthly_report(month, office)
    limit = threshold()
    shown = {section: report_section(report, section, limit) for section in sections}
    tables = {section: shown[section][0] for section in sections}
    offices = db.session.scalars(select(Office).order_by(Office.name)).all() \
        if current_user.role is Role.MANAGER else []
    month_over = utcnow() >= month.bounds(report.time_zone)[1]
    return render_template("reports/monthly.html", report=report, tables=tables,
                           month_over=month_over,
                           sections=sections, offices=offices, month=month, office=office,
                           charts=chart_data([shown[section][1] for section in sections]),
                           changed=differences(report, sections, limit),
                           note=suppression_note(limit),
                           recent=[m for m in Month.containing(
                               utcnow(), current_user.office.time_zone).last_months(13)][::-1])


@bp.route("/publish", methods=["GET", "POST"])
@allow(Permission.PUBLISH_REPORTS)
def publish_month():
    """GET: what publishing the month will do, with a comment field; POST: publish it."""
    month, office, sections = _chosen()
    back = redirect(url_for("reports.monthly", month=str(month),
                            office=office.code if office else "all"))
    form = PublishForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            with unit_of_work():
                publish(month, office, current_user, form.comment.data)
        except AlreadyPublished:
            flash(_("The report for %(month)s was published already.", month=month.label),
                  "info")
        except MonthNotOver:
            flash(_("%(month)s is not over yet: a month is published once it has ended.",
                    month=month.label), "error")
        else:
            flash(_("Published: the report for %(month)s now stays as it is.",
                    month=month.label), "success")
        return back
    report = monthly_report(month, office)
    if report.snapshot is not None:
        flash(_("The report for %(month)s was published already.", month=month.label), "info")
        return back
    if utcnow() < month.bounds(report.time_zone)[1]:
        flash(_("%(month)s is not over yet: a month is published once it has ended.",
                month=month.label), "error")
        return back
    last = last_publication(month, office)
    changed = changes_since(last, month, office, sections, threshold()) if last else []
    return render_template("reports/publish.html", form=form, month=month, office=office,
                           last=last, changed=changed
                           ), 422 if request.method == "POST" else 200


@bp.route("/export/<fmt>")
@allow(Permission.READ_REPORTS)
def export(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    month, office, sections = _chosen()
    report = monthly_report(month, office)
    produced = exports.produced(report, current_user.display_name, utcnow())
    mimetype, write = FORMATS[fmt]
    body = write(report, sections, threshold(), produced)
    with unit_of_work():
        audit.record("report.exported", object_type="report",
                     object_id=f"{month}/{report.scope_key}",
                     details={"format": fmt, "sections": sections})
    name = f"report-{month}-{report.scope_key.lower()}.{fmt}"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
