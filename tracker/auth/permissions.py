"""Deny by default: a view is reachable only if it says who may use it.

`@allow(...)` declares the roles on the view itself; `@public` marks the few pages a stranger
may see. `enforce_access` runs before every request: anonymous users are sent to sign in,
and a signed-in user whose role is not declared on the view gets 403. A view with no
declaration at all is refused to everyone, so a forgotten decorator fails closed.
"""
from __future__ import annotations

from typing import Callable

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user

from tracker.auth.models import Role

ALL_ROLES = frozenset(Role)

# Pages that answer without signing in. Kept short and tested as a whole.
PUBLIC_ENDPOINTS = frozenset({"static", "auth.login", "auth.second_factor", "main.healthz"})

# While a second factor is required but not set up, only these pages are open.
ENROLMENT_ENDPOINTS = frozenset({"auth.enrol_second_factor", "auth.logout"})


def allow(*roles: Role, hidden: bool = False) -> Callable:
    """Declare which roles may use a view.

    `hidden`: other roles get 404 rather than 403, so that not even the existence of the page
    (the police compartment) shows.
    """
    if not roles:
        raise ValueError("name at least one role; use @public for pages open to anyone")

    def decorate(view):
        view.allowed_roles = frozenset(roles)
        view.denied_status = 404 if hidden else 403
        return view

    return decorate


def public(view):
    """Mark a view that needs no sign-in; it must also be listed in PUBLIC_ENDPOINTS."""
    view.is_public = True
    return view


def allowed_roles(endpoint: str) -> frozenset[Role]:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "allowed_roles", frozenset())


def is_public(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return endpoint in PUBLIC_ENDPOINTS and (
        endpoint == "static" or getattr(view, "is_public", False)
    )


def can(endpoint: str) -> bool:
    """Whether the current user may open a page; used to build the navigation."""
    return current_user.is_authenticated and current_user.role in allowed_roles(endpoint)


def enforce_access():
    """before_request hook: sign-in, second factor, then the view's declared roles."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no such page: the 404 handler answers
    if is_public(endpoint):
        return None
    if not current_user.is_authenticated:
        if session.pop("sid", None):
            flash("Your session has ended. Please sign in again.", "info")
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return redirect(url_for("auth.login"))
    if (current_app.config["TOTP_REQUIRED"] and not current_user.has_second_factor
            and endpoint not in ENROLMENT_ENDPOINTS):
        return redirect(url_for("auth.enrol_second_factor"))
    if current_user.role not in allowed_roles(endpoint):
        abort(getattr(current_app.view_functions[endpoint], "denied_status", 403))
    return None
