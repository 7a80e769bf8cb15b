"""Letter templates: each upload is one version of a (name, category, language) template."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.db import Base, UTCDateTime, enum_column, utcnow
from tracker.vocabulary import Labelled

ANY_CATEGORY = "any"  # a template offered on every case


class LetterLanguage(Labelled):
    NB = "nb", _l("Norwegian (bokmål)")
    EN = "en", _l("English")


class LetterTemplate(Base):
    """One version of a letter template. Never changed: a new upload is a new version, and a
    filed letter keeps pointing to the version it was made from."""

    __tablename__ = "letter_templates"
    __table_args__ = (
        UniqueConstraint("name", "category", "language", "version",
                         name="uq_letter_templates_version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("size > 0", name="size_positive"),
        {"comment": "DOCX letter templates uploaded by administrators, one row per version."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), comment="e.g. Note verbale to the ministry")
    category: Mapped[str] = mapped_column(
        String(40), comment="the consular category it is offered on, or 'any'")
    language: Mapped[LetterLanguage] = mapped_column(
        enum_column(LetterLanguage, "letter_language", length=8))
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255), comment="as uploaded, for display")
    # Kept in the database (small, at most LETTER_TEMPLATE_MAX_BYTES): versioned, backed up and
    # restored with the rows that point to it.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    uploaded_by: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<LetterTemplate {self.name!r} {self.language} v{self.version}>"
