"""The append-only audit log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, UTCDateTime, utcnow

GENESIS_HASH = "0" * 64


class AuditEvent(Base):
    """Who did what, when and from where.

    A row is written "unsealed", without taking any lock: its content and an HMAC of that
    content (`content_mac`, under a key kept outside the database, TRACKER_AUDIT_KEYS) but no
    chain fields. Sealing (tracker/audit/sealing.py) later fills the chain fields once: its
    place in the chain, the digest of the row before it, and its own digest, an HMAC over the
    content and that link. A trigger on PostgreSQL and SQLite refuses every other update and
    every delete, so a removed or altered row breaks the chain, and a row added by someone who
    can only write to the database does not verify.
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
    # The chain fields: NULL until the row is sealed, then written once.
    chain_position: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), unique=True,
        comment="place in the chain, given when sealed (not the id: ids are taken before "
                "commit, so a smaller id can commit after a larger one is sealed)")
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    content_mac: Mapped[str | None] = mapped_column(
        String(64), comment="HMAC-SHA256 of the content under key_id, written with the row; "
                            "sealing refuses a row whose content does not match it")
    key_id: Mapped[str | None] = mapped_column(
        String(16), comment="the key whose HMAC-SHA256 is `hash`; NULL: plain SHA-256, from "
                            "before the chain was keyed (accepted only before the first keyed row)")
