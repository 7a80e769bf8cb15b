"""The searchable text of cases: one row per source row, written by database triggers only."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base


class SearchEntry(Base):
    """A summary, place, note, contact, document name or exchange of one case, as searchable text.

    Never written by the application: triggers on the source tables (migration 0016_search)
    insert, replace and delete these rows, so they cannot fall behind a note, an edit or a
    removal. PostgreSQL adds a generated `document` tsvector with a GIN index; SQLite an FTS5
    index (`search_fts`) kept by triggers on this table.
    """

    __tablename__ = "search_entries"
    __table_args__ = (
        Index("ix_search_entries_origin", "origin", "origin_id", unique=True),
        {"comment": "Searchable text of cases, kept by database triggers (0016_search)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32), comment="the case's kind (row security)")
    origin: Mapped[str] = mapped_column(String(24), comment="the source table")
    origin_id: Mapped[int] = mapped_column(Integer, comment="the source row's id")
    field: Mapped[str] = mapped_column(
        String(16), comment="what the text is: summary, place, details, note, contact, ...")
    body: Mapped[str] = mapped_column(Text)
