"""Writing and checking the audit log: the one helper every module records through."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import func, or_, select, text

from tracker.audit.models import GENESIS_HASH, AuditEvent
from tracker.db import utcnow
from tracker.extensions import db


# Object types whose rows only their own compartment may read (see seal_object_types).
SEALED_OBJECT_TYPES: set[str] = set()


def seal_object_types(*object_types: str) -> None:
    """Keep these objects' rows out of the administrators' log pages (the police compartment:
    even a reference in the log would tell that a case exists)."""
    SEALED_OBJECT_TYPES.update(object_types)


def readable_by_administrators():
    """WHERE clause for the administrators' view of the log."""
    return or_(AuditEvent.object_type.is_(None),
               AuditEvent.object_type.not_in(sorted(SEALED_OBJECT_TYPES) or [""]))


def _row_digest(event: AuditEvent) -> str:
    payload = [
        event.prev_hash,
        event.at.isoformat(timespec="microseconds"),
        event.actor_id,
        event.actor_email,
        event.actor_role,
        event.action,
        event.object_type,
        event.object_id,
        event.reason,
        event.address,
        event.details,
    ]
    encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    """Serialise writers so that two transactions never chain onto the same row.

    PostgreSQL: a transaction-scoped advisory lock, released at commit or rollback.
    SQLite allows one writer at a time already, so nothing is needed there.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(7305001)"))


def record(
    action: str,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    actor=None,
) -> AuditEvent:
    """Add an audit row to the current transaction; the caller's commit makes it stick.

    The actor defaults to the signed-in user, the address to the request's.
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    _lock_chain()
    last_hash = db.session.scalar(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    )
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else None,
        actor_role=str(actor.role) if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        reason=reason,
        address=request.remote_addr if has_request_context() else None,
        details=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)
        if details
        else None,
        prev_hash=last_hash or GENESIS_HASH,
    )
    event.hash = _row_digest(event)
    db.session.add(event)
    db.session.flush()
    return event


@dataclass(frozen=True)
class ChainCheck:
    rows: int
    broken_at: int | None
    problem: str | None = None

    @property
    def whole(self) -> bool:
        return self.broken_at is None


def verify_chain(batch_size: int = 5000) -> ChainCheck:
    """Walk the log in order and report the first row whose link or content does not match."""
    expected_prev = GENESIS_HASH
    rows = 0
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch_size)
    for event in db.session.scalars(stmt):
        rows += 1
        if event.prev_hash != expected_prev:
            return ChainCheck(rows, event.id, "the row before it is missing or was changed")
        if _row_digest(event) != event.hash:
            return ChainCheck(rows, event.id, "its content was changed")
        expected_prev = event.hash
    return ChainCheck(rows, None)


SIGN_IN_ACTIONS = ("login.succeeded", "login.failed", "login.locked", "second_factor.failed")


def recent_sign_ins(user, limit: int = 5) -> list[AuditEvent]:
    """The account's latest sign-ins and failed tries, so its owner can spot someone else's."""
    return list(db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.actor_id == user.id, AuditEvent.action.in_(SIGN_IN_ACTIONS))
        .order_by(AuditEvent.id.desc()).limit(limit)))


def access_history(object_type: str, object_id: str, actions: list[str]) -> list:
    """Who read an object: per account and action, how often and when last (newest first)."""
    return list(db.session.execute(
        select(AuditEvent.actor_email, AuditEvent.action, func.count().label("times"),
               func.max(AuditEvent.at).label("last_at"))
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id,
               AuditEvent.action.in_(actions))
        .group_by(AuditEvent.actor_email, AuditEvent.action)
        .order_by(func.max(AuditEvent.at).desc()).limit(100)))
