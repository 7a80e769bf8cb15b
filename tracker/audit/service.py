"""Writing and checking the audit log: the one helper every module records through."""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from flask import current_app, has_request_context, request
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


# What the administrators manage themselves: the details of these rows (a role changed, an
# office renamed, a target set, a report exported) are administration, not case content.
ADMINISTRATION_OBJECT_TYPES = frozenset({"user", "office", "service_target", "report"})


@dataclass(frozen=True)
class AdministratorsEvent:
    """An audit row as administrators see it: who, when, which action on which object."""

    id: int
    at: datetime
    actor_email: str | None
    actor_role: str | None
    action: str
    object_type: str | None
    object_id: str | None
    address: str | None
    reason: str | None
    details: str | None


def for_administrators(events: Iterable[AuditEvent]) -> list[AdministratorsEvent]:
    """The rows without case content: reasons and details of anything but administration
    stay with those who may read the case (its timeline), never on the administrators' pages."""
    shown = []
    for e in events:
        administration = e.object_type in ADMINISTRATION_OBJECT_TYPES
        shown.append(AdministratorsEvent(
            e.id, e.at, e.actor_email, e.actor_role, e.action, e.object_type, e.object_id,
            e.address, e.reason if administration else None,
            e.details if administration else None))
    return shown


def _content(event: AuditEvent) -> list[Any]:
    return [
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


def _payload(event: AuditEvent) -> list[Any]:
    return [event.prev_hash, *_content(event)]


def _encode(payload: list[Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def plain_digest(event: AuditEvent) -> str:
    """The SHA-256 that rows carried before the chain was keyed (key id NULL)."""
    return hashlib.sha256(_encode(_payload(event))).hexdigest()


def keyed_digest(event: AuditEvent, secret: bytes) -> str:
    """HMAC-SHA256 of the row, its key id included, under one of the audit keys."""
    return hmac.new(secret, _encode([event.key_id, *_payload(event)]), hashlib.sha256).hexdigest()


def content_digest(event: AuditEvent, secret: bytes) -> str:
    """HMAC-SHA256 of the row's content alone (no link), written with the row so that sealing
    never signs a row added by someone without the key."""
    return hmac.new(secret, _encode(["content", event.key_id, *_content(event)]),
                    hashlib.sha256).hexdigest()


def audit_keys() -> dict[str, bytes]:
    """The configured keys by id; the first is the current one (dicts keep order)."""
    return dict(current_app.config["AUDIT_KEYS"])


def _lock_chain() -> None:
    """Serialise sealing so that two sealers never chain onto the same row.

    PostgreSQL: a transaction-scoped advisory lock, released at commit or rollback. Only
    sealing takes it; writing a row does not. SQLite allows one writer at a time already
    (and the unique chain position refuses a fork), so nothing is needed there.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})"))


# The advisory lock's key on PostgreSQL (any other connection holding it holds up sealing).
CHAIN_LOCK = 7305001


def record(
    action: str,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    actor=None,
) -> AuditEvent:
    """Add an unsealed audit row to the current transaction; the caller's commit makes it
    stick, and `seal_pending()` later chains it. No lock is taken: reads never wait on others.

    The actor defaults to the signed-in user, the address to the request's.
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
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
    )
    event.key_id, secret = next(iter(audit_keys().items()))
    event.content_mac = content_digest(event, secret)
    db.session.add(event)
    db.session.flush()
    return event


@dataclass(frozen=True)
class ChainCheck:
    rows: int
    broken_at: int | None
    problem: str | None = None
    legacy_rows: int = 0
    last_hash: str | None = None

    @property
    def whole(self) -> bool:
        return self.broken_at is None


def _same(expected: str, stored: str) -> bool:
    # As bytes: compare_digest refuses non-ASCII text, and a forged row may hold any.
    return hmac.compare_digest(expected.encode("utf-8"), stored.encode("utf-8"))


def verify_chain(batch_size: int = 5000, keys: dict[str, bytes] | None = None) -> ChainCheck:
    """Walk the sealed rows in chain order and report the first whose link, key or digest does
    not match (unsealed rows: see `check_unsealed`).

    Rows from before the chain was keyed (key id NULL) carry a plain SHA-256 and are accepted
    only before the first keyed row: anyone who can write to the table can compute a plain
    hash, so such a row after it is a forgery.
    """
    keys = audit_keys() if keys is None else keys
    expected_prev = GENESIS_HASH
    rows = legacy = 0
    keyed = False
    stmt = (select(AuditEvent).where(AuditEvent.chain_position.is_not(None))
            .order_by(AuditEvent.chain_position).execution_options(yield_per=batch_size))
    for event in db.session.scalars(stmt):
        rows += 1
        if event.prev_hash != expected_prev:
            return ChainCheck(rows, event.id, "broken link: the row before it is missing or "
                                              "was changed", legacy, expected_prev)
        if event.key_id is None:
            if keyed:
                return ChainCheck(rows, event.id, "unsigned row after the chain was keyed "
                                                  "(added without the audit key)", legacy,
                                  expected_prev)
            legacy += 1
            right = _same(plain_digest(event), event.hash)
        elif event.key_id not in keys:
            return ChainCheck(rows, event.id, f"unknown key id {event.key_id!r} (not in "
                                              "TRACKER_AUDIT_KEYS)", legacy, expected_prev)
        else:
            keyed = True
            right = _same(keyed_digest(event, keys[event.key_id]), event.hash)
        if not right:
            return ChainCheck(rows, event.id, "wrong digest: its content was changed or it was "
                                              "not signed with the audit key", legacy,
                              expected_prev)
        expected_prev = event.hash
    return ChainCheck(rows, None, None, legacy, expected_prev)


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
