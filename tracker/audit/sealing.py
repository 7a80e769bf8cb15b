"""Sealing: chaining the rows that `record()` wrote without a lock, off the hot path.

`seal_pending()` is the only code that takes the chain lock. It reads the committed unsealed
rows in id order and gives each the next chain position, the digest of the row sealed before
it, and its own keyed digest. The chain's order is the sealing order, not the id order: on
PostgreSQL an id is taken at insert, so a row with a smaller id can commit after a larger one
was sealed; it is then simply sealed by the next run, at the end of the chain. No row is
skipped, and no one has to guess how long a transaction may stay open.

A row whose content does not match its `content_mac` (added by someone without the audit key)
or whose key is no longer configured is never sealed: it stays unsealed and is reported.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from tracker.audit.models import GENESIS_HASH, AuditEvent
from tracker.audit.service import (_lock_chain, _same, audit_keys, content_digest,
                                   keyed_digest)
from tracker.db import utcnow
from tracker.extensions import db


@dataclass
class SealRun:
    sealed: int = 0
    refused: dict[int, str] = field(default_factory=dict)  # row id -> why


def _why_refused(event: AuditEvent, keys: dict[str, bytes]) -> str | None:
    if event.prev_hash is not None or event.hash is not None:
        return "inserted with chain fields but no place in the chain (not by the application)"
    if event.key_id not in keys:
        return f"unknown key id {event.key_id!r} (not in TRACKER_AUDIT_KEYS)"
    if event.content_mac is None or not _same(content_digest(event, keys[event.key_id]),
                                              event.content_mac):
        return ("content does not match its MAC: changed, or added without the audit key")
    return None


def seal_pending(batch_size: int = 1000, keys: dict[str, bytes] | None = None) -> SealRun:
    """Chain every committed unsealed row, in batches of one transaction each."""
    keys = audit_keys() if keys is None else keys
    run = SealRun()
    after_id = 0  # refused rows stay behind; rows that commit meanwhile wait for the next run
    while True:
        _lock_chain()
        last = db.session.execute(
            select(AuditEvent.chain_position, AuditEvent.hash)
            .where(AuditEvent.chain_position.is_not(None))
            .order_by(AuditEvent.chain_position.desc()).limit(1)).first()
        position, prev_hash = (last.chain_position, last.hash) if last else (0, GENESIS_HASH)
        batch = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.chain_position.is_(None), AuditEvent.id > after_id)
            .order_by(AuditEvent.id).limit(batch_size)).all()
        if not batch:
            db.session.commit()
            return run
        for event in batch:
            after_id = event.id
            problem = _why_refused(event, keys)
            if problem:
                run.refused[event.id] = problem
                continue
            position += 1
            event.chain_position = position
            event.prev_hash = prev_hash
            event.hash = prev_hash = keyed_digest(event, keys[event.key_id])
            run.sealed += 1
        db.session.commit()


@dataclass(frozen=True)
class UnsealedCheck:
    rows: int
    stale: int  # older than the bound: sealing is not running, or refused them
    oldest_at: datetime | None
    refused: dict[int, str]

    @property
    def fine(self) -> bool:
        return not self.stale and not self.refused


def check_unsealed(stale_after: timedelta, keys: dict[str, bytes] | None = None,
                   batch_size: int = 5000) -> UnsealedCheck:
    """The rows not in the chain yet: how many, how many are too old, and which are forged."""
    keys = audit_keys() if keys is None else keys
    unsealed = AuditEvent.chain_position.is_(None)
    rows, oldest_at = db.session.execute(
        select(func.count(), func.min(AuditEvent.at)).where(unsealed)).one()
    stale = db.session.scalar(select(func.count()).where(
        unsealed, AuditEvent.at < utcnow() - stale_after))
    refused = {}
    stmt = select(AuditEvent).where(unsealed).order_by(AuditEvent.id).execution_options(
        yield_per=batch_size)
    for event in db.session.scalars(stmt):
        problem = _why_refused(event, keys)
        if problem:
            refused[event.id] = problem
    return UnsealedCheck(rows, stale, oldest_at, refused)
