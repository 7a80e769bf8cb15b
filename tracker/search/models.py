"""The searchable text of cases: one row per source row, written by database triggers only.

Two tables of the same shape: consular text, and police text behind PostgreSQL's row
security like every police table. Apart, because a table under row security cannot use an
index for a full-text match (`@@` is not leakproof, so it may only run after the policy,
never inside an index scan): the consular text, the large one, keeps its index.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from tracker.db import Base


class _Entry:
    """A summary, place, note, contact, document name or exchange of one case.

    Never written by the application: triggers on the source tables (migration 0016_search)
    insert, replace and delete these rows, so they cannot fall behind a note, an edit or a
    removal. PostgreSQL adds a generated `document` tsvector with a GIN index; SQLite an FTS5
    index kept by triggers on the table.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), comment="the case's kind")
    origin: Mapped[str] = mapped_column(String(24), comment="the source table")
    origin_id: Mapped[int] = mapped_column(Integer, comment="the source row's id")
    field: Mapped[str] = mapped_column(
        String(16), comment="what the text is: summary, place, details, note, contact, ...")
    body: Mapped[str] = mapped_column(Text)

    @declared_attr
    def case_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)


class SearchEntry(_Entry, Base):
    __tablename__ = "search_entries"
    __table_args__ = (
        Index("ix_search_entries_origin", "origin", "origin_id", unique=True),
        {"comment": "Searchable text of consular requests, kept by triggers (0016_search)."},
    )


class PoliceSearchEntry(_Entry, Base):
    __tablename__ = "police_search_entries"
    __table_args__ = (
        Index("ix_police_search_entries_origin", "origin", "origin_id", unique=True),
        {"comment": "Searchable text of liaison cases, kept by triggers (0016_search)."},
    )
