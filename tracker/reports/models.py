"""Published monthly reports: the figures as they were sent, kept unchanged."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.db import Base, UTCDateTime, utcnow


class ReportSnapshot(Base):
    """A month's report as a manager published it; shown and exported from then on."""

    __tablename__ = "report_snapshots"
    __table_args__ = (UniqueConstraint("month", "scope", name="uq_report_snapshots_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), comment="YYYY-MM")
    scope: Mapped[str] = mapped_column(String(8), comment="'all' or an office code")
    figures: Mapped[str] = mapped_column(Text, comment="the report's tables, as JSON")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(
        Text, comment="what the publishing manager said, shown on the report and its PDF")

    published_by: Mapped[User] = relationship()
