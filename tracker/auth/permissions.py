"""Deny by default: a view is reachable only if it says what permission it needs.

`@allow(Permission...)` declares on the view what a user must be allowed to do there;
`ROLE_PERMISSIONS` is the one table saying what each role is allowed to do; `@public` marks
the few pages a stranger may see. `enforce_access` runs before every request: anonymous users
are sent to sign in, and a signed-in user whose role holds none of the view's permissions gets
403 (404 for a permission of the police compartment). A view with no declaration at all is
refused to everyone, so a forgotten decorator fails closed. Navigation (`can`) reads the same
declarations and the same table.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Callable

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth.models import Role


class Permission(StrEnum):
    """What a view needs, in the words of the work done there."""

    # Start page, sign out, one's own password, second factor and sessions.
    USE_OWN_ACCOUNT = "use_own_account"
    # Consular section: queues, search, the request list and pages, persons, documents.
    READ_CONSULAR_REQUESTS = "read_consular_requests"
    # Log and edit requests, notes, contacts, documents, steps, assignment, relations.
    WORK_CONSULAR_REQUESTS = "work_consular_requests"
    # Reassign a selection of requests at once, with a reason (the managers).
    REASSIGN_CONSULAR_REQUESTS = "reassign_consular_requests"
    # Count an enquiry answered without a case file.
    LOG_ENQUIRIES = "log_enquiries"
    # Decide the consular possible-duplicate pairs.
    COMPARE_CONSULAR_DUPLICATES = "compare_consular_duplicates"
    # Approve or refuse a subject-access export (the managers; never the one who asked).
    DECIDE_SUBJECT_ACCESS = "decide_subject_access"
    # The police compartment (hidden: others get 404, as if it did not exist).
    READ_LIAISON_CASES = "read_liaison_cases"
    WORK_LIAISON_CASES = "work_liaison_cases"
    COMPARE_LIAISON_DUPLICATES = "compare_liaison_duplicates"
    # Reports: which figures a reader sees is decided in tracker/reports/views.py.
    READ_REPORTS = "read_reports"
    PUBLISH_REPORTS = "publish_reports"
    # Administration.
    MANAGE_ACCOUNTS = "manage_accounts"
    APPROVE_ACCOUNT_CHANGES = "approve_account_changes"
    MANAGE_OFFICES = "manage_offices"
    SET_SERVICE_TARGETS = "set_service_targets"
    # Upload the DOCX templates letters are written from (tracker/letters).
    MANAGE_LETTER_TEMPLATES = "manage_letter_templates"
    READ_AUDIT_LOG = "read_audit_log"
    # The mail the tracker wrote (no case content): to read it in development, to see failures.
    READ_MAIL_OUTBOX = "read_mail_outbox"
    # Retention: what is due, on hold and was anonymised (counts only for police cases);
    # changing the periods is an administrator's, on the data-protection officer's word.
    READ_RETENTION = "read_retention"
    MANAGE_RETENTION = "manage_retention"

    @property
    def hidden(self) -> bool:
        """Whether a user without it gets 404 rather than 403 (not even the page's existence
        shows)."""
        return self in HIDDEN_PERMISSIONS


HIDDEN_PERMISSIONS = frozenset({Permission.READ_LIAISON_CASES, Permission.WORK_LIAISON_CASES,
                                Permission.COMPARE_LIAISON_DUPLICATES})

# The one table: what each role may do. tests/test_permissions.py fails for a role not in it.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CONSULAR_OFFICER: frozenset({
        Permission.USE_OWN_ACCOUNT, Permission.READ_CONSULAR_REQUESTS,
        Permission.WORK_CONSULAR_REQUESTS, Permission.LOG_ENQUIRIES, Permission.READ_REPORTS,
    }),
    Role.POLICE_LIAISON_OFFICER: frozenset({
        Permission.USE_OWN_ACCOUNT, Permission.READ_LIAISON_CASES,
        Permission.WORK_LIAISON_CASES, Permission.COMPARE_LIAISON_DUPLICATES,
        Permission.READ_REPORTS,
    }),
    Role.MANAGER: frozenset({
        Permission.USE_OWN_ACCOUNT, Permission.READ_CONSULAR_REQUESTS,
        Permission.WORK_CONSULAR_REQUESTS, Permission.COMPARE_CONSULAR_DUPLICATES,
        Permission.REASSIGN_CONSULAR_REQUESTS, Permission.READ_REPORTS,
        Permission.PUBLISH_REPORTS, Permission.READ_RETENTION,
        Permission.DECIDE_SUBJECT_ACCESS,
    }),
    Role.ADMINISTRATOR: frozenset({
        Permission.USE_OWN_ACCOUNT, Permission.MANAGE_ACCOUNTS,
        Permission.APPROVE_ACCOUNT_CHANGES, Permission.MANAGE_OFFICES,
        Permission.SET_SERVICE_TARGETS, Permission.MANAGE_LETTER_TEMPLATES,
        Permission.READ_AUDIT_LOG, Permission.READ_MAIL_OUTBOX, Permission.READ_RETENTION,
        Permission.MANAGE_RETENTION,
    }),
}

# Pages that answer without signing in. Kept short and tested as a whole.
PUBLIC_ENDPOINTS = frozenset({"static", "auth.login", "auth.second_factor", "main.healthz"})

# While a second factor is required but not set up, only these pages are open.
ENROLMENT_ENDPOINTS = frozenset({"auth.enrol_second_factor", "auth.logout"})


def permissions_of(role: Role | None) -> frozenset[Permission]:
    """What a role may do; nothing for a role the table does not name."""
    return ROLE_PERMISSIONS.get(role, frozenset())


def allow(*permissions: Permission) -> Callable:
    """Declare what a view needs: a user whose role holds any one of `permissions` may use it.

    If one of them is hidden (the police compartment), others get 404 rather than 403.
    """
    if not permissions:
        raise ValueError("name at least one permission; use @public for pages open to anyone")
    wrong = [p for p in permissions if not isinstance(p, Permission)]
    if wrong:
        raise TypeError(f"@allow takes permissions, not {wrong!r}")

    def decorate(view):
        view.required_permissions = frozenset(permissions)
        view.denied_status = 404 if any(p.hidden for p in permissions) else 403
        return view

    return decorate


def public(view):
    """Mark a view that needs no sign-in; it must also be listed in PUBLIC_ENDPOINTS."""
    view.is_public = True
    return view


def required_permissions(endpoint: str) -> frozenset[Permission]:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "required_permissions", frozenset())


def is_public(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return endpoint in PUBLIC_ENDPOINTS and (
        endpoint == "static" or getattr(view, "is_public", False)
    )


def may_open(role: Role | None, endpoint: str) -> bool:
    """Whether a role holds one of the permissions the page declares."""
    return bool(permissions_of(role) & required_permissions(endpoint))


def can(endpoint: str) -> bool:
    """Whether the current user may open a page; used to build the navigation."""
    return bool(current_user.is_authenticated) and may_open(current_user.role, endpoint)


def enforce_access():
    """before_request hook: sign-in, second factor, then the view's declared permissions."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no such page: the 404 handler answers
    if is_public(endpoint):
        return None
    if not current_user.is_authenticated:
        if session.pop("sid", None):
            flash(_("Your session has ended. Please sign in again."), "info")
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return redirect(url_for("auth.login"))
    if (current_app.config["TOTP_REQUIRED"] and not current_user.has_second_factor
            and endpoint not in ENROLMENT_ENDPOINTS):
        return redirect(url_for("auth.enrol_second_factor"))
    if not may_open(current_user.role, endpoint):
        abort(getattr(current_app.view_functions[endpoint], "denied_status", 403))
    return None
