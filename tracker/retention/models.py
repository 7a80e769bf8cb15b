"""Retention rules (periods as data, per compartment and category) and the record of each run."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, UTCDateTime, enum_column, utcnow
from tracker.people.models import Compartment


class RetentionRule(Base):
    """How many years after closing a closed request (of a consular category) or liaison case
    (of a police kind) keeps its personal data. Set by the data-protection officer through an
    administrator; the migration seeds defaults."""

    __tablename__ = "retention_rules"
    __table_args__ = (
        UniqueConstraint("compartment", "category", name="uq_retention_rules_category"),
        CheckConstraint("years BETWEEN 1 AND 100", name="years_in_range"),
        {"comment": "Retention period per compartment and category, counted from closing."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    compartment: Mapped[Compartment] = mapped_column(
        enum_column(Compartment, "retention_compartment"))
    category: Mapped[str] = mapped_column(
        String(40), comment="a consular category or a police case kind (their stored values)")
    years: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    @property
    def key(self) -> str:
        """`consular/passport`, `police/fraud`: how runs count per rule."""
        return f"{self.compartment.value}/{self.category}"


class RetentionRun(Base):
    """One run of `flask retention run`: when, dry or not, and what it anonymised per rule.

    Counts are saved with each anonymised case, so a run that was interrupted shows what it did
    (`finished_at` stays empty) and the next run finishes the rest."""

    __tablename__ = "retention_runs"
    __table_args__ = ({"comment": "Each retention run and its counts (no personal data)."},)

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime, comment="the moment 'due' was judged at")
    due: Mapped[int] = mapped_column(Integer, default=0, comment="cases found due")
    anonymised: Mapped[int] = mapped_column(Integer, default=0)
    persons_removed: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[str] = mapped_column(
        Text, default="{}", comment="JSON: rule key -> cases due (dry run) or anonymised")

    @property
    def per_rule(self) -> dict[str, int]:
        return json.loads(self.counts or "{}")

    @property
    def interrupted(self) -> bool:
        return self.finished_at is None
