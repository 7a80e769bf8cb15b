"""What every page shares: the access check, security headers and template helpers."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Callable, NamedTuple

from flask import Flask, current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter

from tracker.auth.models import Role
from tracker.auth.permissions import can, enforce_access
from tracker.cases.previews import has_preview
from tracker.cases.workflow import workflow_for
from tracker.db import utcnow
from tracker.forms import error_summary

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
DEFAULT_TIME_ZONE = "Asia/Karachi"


class NavigationLink(NamedTuple):
    label: str  # in the reader's language
    endpoint: str
    current: bool


# The main navigation, in order: label, page, and which pages mark it as the current one. A
# link shows exactly when its page would open for the reader (`can`, from ROLE_PERMISSIONS).
NAVIGATION: tuple[tuple[object, str, Callable[[str], bool]], ...] = (
    (_l("Home"), "main.home", lambda e: e == "main.home"),
    (_l("Consular work"), "consular.queues",
     lambda e: e in ("consular.queues", "consular.search")),
    (_l("Requests"), "consular_requests.request_list",
     lambda e: e.startswith("consular_requests.")),
    (_l("Enquiries"), "consular.enquiries", lambda e: e == "consular.enquiries"),
    (_l("Duplicates"), "consular.duplicate_queue", lambda e: "duplicate" in e),
    (_l("Liaison cases"), "police.cases", lambda e: e.startswith("police")),
    (_l("Reports"), "reports.monthly", lambda e: e.startswith("reports.")),
    (_l("Accounts"), "admin.users", lambda e: e.startswith("admin.") and "office" not in e),
    (_l("Offices"), "admin.offices", lambda e: "office" in e),
    (_l("Service targets"), "consular.service_targets",
     lambda e: e == "consular.service_targets"),
    (_l("Letter templates"), "letters.templates", lambda e: e.startswith("letters.")),
    (_l("Audit log"), "audit.log", lambda e: e == "audit.log"),
    (_l("Mail outbox"), "notifications.outbox", lambda e: e == "notifications.outbox"),
    (_l("Retention"), "retention.overview", lambda e: e.startswith("retention.")),
)


def security_headers(response):
    """after_request hook; runs for error pages too."""
    headers = response.headers
    # A view may have set a stricter policy (a downloaded document is sandboxed).
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.endpoint != "static":
        # Pages behind sign-in must not be kept by the browser or a proxy (the back button
        # after sign-out must ask the server again).
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    if current_app.config.get("HSTS"):
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def field_attrs(field) -> dict[str, object]:
    """Accessibility attributes for a form field: hint and errors linked, invalid marked."""
    described = []
    if field.description:
        described.append(f"{field.id}-hint")
    described += [f"{field.id}-error-{i}" for i in range(1, len(field.errors) + 1)]
    attrs: dict[str, object] = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return attrs


def correction_label(key: str) -> str:
    """A corrected detail's name (tracker.people.rectification.FIELD_LABELS)."""
    from tracker.people.rectification import FIELD_LABELS

    return str(FIELD_LABELS.get(key, key))


def role_label(value: str | None) -> str:
    try:
        return Role(value).label
    except ValueError:
        return value or ""


def audit_details(raw: str | None) -> list[str]:
    """An audit row's JSON details as short lines: "role: Consular officer → Manager"."""
    if not raw:
        return []
    try:
        details = json.loads(raw)
    except ValueError:
        return [raw]
    if not isinstance(details, dict):
        return [str(details)]
    lines = []
    for key, value in details.items():
        name = key.replace("_", " ")
        if isinstance(value, dict) and set(value) == {"from", "to"}:
            old, new = value["from"], value["to"]
            if key == "role":
                old, new = role_label(old), role_label(new)
            lines.append(f"{name}: {old} → {new}")
        else:
            lines.append(f"{name}: {role_label(value) if key == 'role' else value}")
    return lines


def status_label(case) -> str:
    return workflow_for(case).label(case.status)


def is_overdue(case, now: datetime) -> bool:
    """Open, its clock running, and past its due date."""
    flow = workflow_for(case)
    return (case.status in flow.open_statuses and case.status not in flow.paused
            and case.due_at is not None and case.due_at < now)


class IdConverter(IntegerConverter):
    """`<int:...>` that refuses ids no database column can hold (a 404, not a 500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def file_size(size: int) -> str:
    """1 KB, 2.4 MB; never "0 KB" for a small file."""
    if size < 1024:
        return _("under 1 KB")
    if size < 1024 * 1024:
        return f"{round(size / 1024):,} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def navigation() -> list[NavigationLink]:
    """The main navigation's links the signed-in reader may open."""
    endpoint = request.endpoint or ""
    return [NavigationLink(str(label), target, is_current(endpoint))
            for label, target, is_current in NAVIGATION if can(target)]


def unread_notifications() -> int:
    """The header's count: one indexed COUNT per page, kept for the rest of the request."""
    from flask import g
    from flask_login import current_user

    from tracker.notifications.service import unread_count

    if not current_user.is_authenticated:
        return 0
    if "_unread_notifications" not in g:
        g._unread_notifications = unread_count(current_user)
    return g._unread_notifications


def register(app: Flask) -> None:
    app.before_request(enforce_access)
    app.after_request(security_headers)
    app.context_processor(lambda: {"now": utcnow()})
    app.add_template_filter(role_label, "role_label")
    app.add_template_filter(file_size, "file_size")
    app.add_template_filter(audit_details, "audit_details")
    app.add_template_filter(correction_label, "correction_label")
    app.jinja_env.globals.update(can=can, navigation=navigation, Role=Role, field_attrs=field_attrs,
                                 error_summary=error_summary,
                                 status_label=status_label, is_overdue=is_overdue,
                                 unread_notifications=unread_notifications,
                                 has_preview=has_preview)
