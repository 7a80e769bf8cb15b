"""The append-only audit log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, UTCDateTime, utcnow

GENESIS_HASH = "0" * 64


class AuditEvent(Base):
    """Who did what, when and from where.

    Rows are never updated or deleted (a trigger refuses it on PostgreSQL and SQLite). Each row
    stores the digest of the row before it, so a removed or altered row breaks the chain, and
    its own digest is an HMAC under a key kept outside the database (TRACKER_AUDIT_KEYS), so
    a row added by someone who can only write to the database does not verify.
    The actor is copied (not a foreign key) so the record outlives the account.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id"),
        Index("ix_audit_events_actor_id", "actor_id"),
        Index("ix_audit_events_action", "action"),
        {"comment": "Append-only, hash-chained record of security events, changes and reads."},
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_email: Mapped[str | None] = mapped_column(String(254))
    actor_role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), comment="dotted verb, e.g. login.failed")
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text, comment="given by the actor where asked")
    address: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[str | None] = mapped_column(Text, comment="JSON: what changed, from and to")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[str | None] = mapped_column(
        String(16), comment="the key whose HMAC-SHA256 is `hash`; NULL: plain SHA-256, from "
                            "before the chain was keyed (accepted only before the first keyed row)")
