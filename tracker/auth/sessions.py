"""Server-side sessions: started at sign-in, checked on every request, ended from anywhere.

The signed Flask cookie carries only a random token (plus the CSRF token, flash messages and
the language picked on the sign-in page). Whether the token still means "signed in" is
decided here, from the `user_sessions` table, so ending a session on the server refuses any
saved copy of the cookie.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, request, session
from flask_login import login_user, logout_user
from sqlalchemy import select, update

from tracker.auth.models import User, UserSession
from tracker.db import utcnow
from tracker.extensions import db, login_manager
from tracker.i18n import clear_session
from tracker.unit_of_work import unit_of_work

SESSION_KEY = "sid"
# Writing last_seen_at on every request would turn every read into a write; a minute's
# precision is plenty for a 15-minute idle timeout.
TOUCH_INTERVAL = timedelta(seconds=60)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def start_session(user: User) -> UserSession:
    """Sign the user in with a brand-new session (the old cookie's contents are dropped)."""
    clear_session()
    token = secrets.token_urlsafe(32)
    row = UserSession(
        id=_digest(token),
        user_id=user.id,
        address=request.remote_addr,
        user_agent=(request.user_agent.string or "")[:200],
    )
    db.session.add(row)
    session[SESSION_KEY] = token
    login_user(user)
    return row


def current_session_id() -> str | None:
    token = session.get(SESSION_KEY)
    return _digest(token) if isinstance(token, str) else None


def end_current_session(reason: str) -> None:
    """End this browser's session on the server and forget it in the cookie."""
    sid = current_session_id()
    if sid:
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == sid, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow(), end_reason=reason)
        )
    logout_user()
    clear_session()


def end_user_sessions(user: User, reason: str, *, keep_current: bool = False) -> int:
    """End every open session of an account; returns how many were ended."""
    stmt = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    if keep_current and (sid := current_session_id()):
        stmt = stmt.where(UserSession.id != sid)
    return db.session.execute(stmt).rowcount


def open_sessions(user: User) -> list[UserSession]:
    """Sessions still usable: not ended and within both timeouts."""
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc()))
    return [row for row in rows if session_expiry_reason(row) is None]


def session_expiry_reason(row: UserSession) -> str | None:
    """Why a session may no longer be used, or None while it is still good."""
    now = utcnow()
    if row.ended_at is not None:
        return row.end_reason or "ended"
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    if now - row.last_seen_at > idle:
        return "idle timeout"
    if now - row.created_at > absolute:
        return "absolute timeout"
    return None


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Flask-Login's hook: the user only if this cookie's server-side session is still good."""
    sid = current_session_id()
    if sid is None:
        return None
    row = db.session.get(UserSession, sid)
    if row is None or str(row.user_id) != user_id:
        return None
    reason = session_expiry_reason(row)
    if reason is not None:
        if row.ended_at is None:
            with unit_of_work():
                row.ended_at, row.end_reason = utcnow(), reason
        return None
    user = row.user
    if not user.active:
        return None
    now = utcnow()
    if now - row.last_seen_at > TOUCH_INTERVAL:
        with unit_of_work():
            row.last_seen_at = now
    return user
