"""Retention pages: what is due, on hold and was anonymised (managers and administrators);
the periods (administrators)."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.auth.permissions import Permission, allow
from tracker.cases.models import Case, LegalHold
from tracker.consular.models import ConsularRequest
from tracker.db import utcnow
from tracker.extensions import db
from tracker.people.models import Compartment
from tracker.retention import rules as retention_rules
from tracker.retention import service
from tracker.retention.forms import RuleForm
from tracker.retention.models import RetentionRule, RetentionRun
from tracker.unit_of_work import unit_of_work

bp = Blueprint("retention", __name__, url_prefix="/retention")
LISTED = 200  # requests listed as due; the counts cover all
AHEAD = timedelta(days=31)  # "due next month"


@bp.route("/")
@allow(Permission.READ_RETENTION)
def overview():
    """Counts for every rule (aggregates); the consular requests themselves only as far as the
    reader's scope reaches (a manager: all; an administrator: none). Police cases: counts."""
    now = utcnow()
    until = now + AHEAD
    all_rules = retention_rules.rules()
    due_now, due_soon = service.due_counts(now), service.due_counts(until)
    years = {r.category: r.years for r in all_rules if r.compartment is Compartment.CONSULAR}
    due_requests = []
    for rule in all_rules:
        if rule.compartment is not Compartment.CONSULAR or not due_soon.get(rule.key):
            continue
        # Scoped: the reader's need to know decides which of them are listed.
        due_requests += db.session.scalars(
            select(ConsularRequest)
            .where(ConsularRequest.id.in_(service.due_statement(rule, until)))
            .order_by(ConsularRequest.closed_at).limit(LISTED)
            .options(selectinload(Case.legal_holds))).all()
    due_requests = sorted(due_requests, key=lambda r: service.due_on(r, years[r.category]))
    held = db.session.scalars(  # scoped as well: police holds never reach this page
        select(ConsularRequest).join(LegalHold, LegalHold.case_id == ConsularRequest.id)
        .where(LegalHold.lifted_at.is_(None)).order_by(LegalHold.placed_at)
        .options(selectinload(Case.legal_holds))).all()
    runs = db.session.scalars(select(RetentionRun).order_by(RetentionRun.id.desc())
                              .limit(20)).all()
    return render_template(
        "retention/overview.html", rules=all_rules, due_now=due_now, due_soon=due_soon,
        until=until, due_requests=due_requests[:LISTED], years=years, held=held,
        held_counts=service.held_counts(), runs=runs, label=retention_rules.category_label,
        Compartment=Compartment, due_on=service.due_on)


@bp.route("/rules", methods=["GET", "POST"])
@allow(Permission.MANAGE_RETENTION)
def rules():
    """The periods, one form per rule; each change is audited."""
    errors = {}
    status = 200
    if request.method == "POST":
        rule = db.session.get(RetentionRule, request.form.get("rule", type=int) or 0)
        if rule is None:
            abort(400)
        form = RuleForm()
        if form.validate_on_submit():
            with unit_of_work(form, back=url_for("retention.rules")) as work:
                change = retention_rules.set_years(rule, form.years.data, current_user,
                                                   version=form.version.data)
            if work.done:
                label = retention_rules.category_label(rule.compartment, rule.category)
                flash(_("%(category)s: kept %(years)d years after closing.",
                        category=label, years=change.rule.years), "success")
                return redirect(url_for("retention.rules"))
        errors[rule.id] = "; ".join(e for errs in form.errors.values() for e in errs)
        status = 422
    return render_template("retention/rules.html", rules=retention_rules.rules(), errors=errors,
                           label=retention_rules.category_label, Compartment=Compartment,
                           form=RuleForm()), status
