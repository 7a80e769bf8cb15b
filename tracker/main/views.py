"""The home page each role lands on, and the health check."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user
from sqlalchemy import func, select

from tracker.audit.models import AuditEvent
from tracker.audit.service import (for_administrators, readable_by_administrators,
                                   recent_sign_ins)
from tracker.auth import approvals
from tracker.auth.models import Office, Role, User
from tracker.auth.permissions import Permission, allow, public
from tracker.cases import saved_views
from tracker.db import utcnow
from tracker.extensions import db
from tracker.main import health
from tracker.reports import dashboard

bp = Blueprint("main", __name__)


@bp.route("/")
@allow(Permission.USE_OWN_ACCOUNT)
def home():
    figures = {}
    if current_user.role is Role.ADMINISTRATOR:
        figures = {
            "active_users": db.session.scalar(
                select(func.count()).select_from(User).where(User.active.is_(True))),
            "users_without_second_factor": db.session.scalar(
                select(func.count()).select_from(User)
                .where(User.active.is_(True), User.totp_secret.is_(None))),
            "offices": db.session.scalar(
                select(func.count()).select_from(Office).where(Office.active.is_(True))),
            "recent_events": for_administrators(db.session.scalars(
                select(AuditEvent).where(readable_by_administrators())
                .order_by(AuditEvent.id.desc()).limit(8))),
            "pending_approvals": approvals.count_pending(),
        }
    elif current_user.role is Role.CONSULAR_OFFICER:
        figures = {"queues": dashboard.officer_queues(current_user)}
    elif current_user.role is Role.MANAGER:
        figures = {"queues": dashboard.officer_queues(current_user),
                   "month": dashboard.month_so_far(current_user)}
    elif current_user.role is Role.POLICE_LIAISON_OFFICER:
        figures = {"police": dashboard.police_figures(current_user),
                   "new_colleagues": approvals.new_police_colleagues()}
    return render_template("main/home.html", figures=figures, now_utc=utcnow(),
                           sign_ins=recent_sign_ins(current_user),
                           views=saved_views.views_with_counts(current_user))


@bp.route("/healthz")
@public
def healthz():
    """For load balancers and monitoring, within HEALTHZ_TIMEOUT whatever the database does;
    no personal data. 503 naming the database and why when it fails; a Redis that fails is
    reported as "degraded" with 200, since sign-in limits then count in each worker's memory
    and taking every worker out of the load balancer would turn that into an outage."""
    timeout = current_app.config["HEALTHZ_TIMEOUT"]
    checks = {"database": health.database_check(db.engine, timeout)}
    storage = current_app.config.get("RATELIMIT_STORAGE_URI", "")
    if storage.startswith(health.REDIS_SCHEMES):
        checks["redis"] = health.redis_check(storage, timeout)
    outcomes = health.run_checks(checks, timeout)
    if outcomes["database"] != health.OK:
        return {"status": "unavailable", **outcomes}, 503
    if any(outcome != health.OK for outcome in outcomes.values()):
        return {"status": "degraded", **outcomes}
    return {"status": "ok", **outcomes}
