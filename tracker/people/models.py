"""Persons, their names, identifiers and relations; each person belongs to one compartment."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from flask_babel import lazy_gettext as _l

from tracker.db import Base, UTCDateTime, enum_column, utcnow
from tracker.people.identifiers import display_identifier
from tracker.vocabulary import Labelled

if TYPE_CHECKING:
    from tracker.auth.models import User


class Compartment(StrEnum):
    """Who may see a person: a consular search never reveals a police person, and back."""

    CONSULAR = "consular"
    POLICE = "police"


class Sex(Labelled):
    FEMALE = "female", _l("Female")
    MALE = "male", _l("Male")
    OTHER = "other", _l("Other")


class Nationality(Labelled):
    NORWEGIAN = "norwegian", _l("Norwegian")
    PAKISTANI = "pakistani", _l("Pakistani")
    DUAL = "dual", _l("Norwegian and Pakistani")
    OTHER = "other", _l("Other")


class IdentifierKind(Labelled):
    NORWEGIAN_ID = "norwegian_id", _l("Fødselsnummer or D-number")
    SWEDISH_ID = "swedish_id", _l("Swedish personnummer or samordningsnummer")
    DANISH_ID = "danish_id", _l("Danish CPR number")
    FINNISH_ID = "finnish_id", _l("Finnish personal identity code (HETU)")
    ICELANDIC_ID = "icelandic_id", _l("Icelandic kennitala")
    CNIC = "cnic", _l("CNIC or NICOP")
    PASSPORT = "passport", _l("Passport number")


class RelationKind(Labelled):
    PARENT = "parent", _l("Parent")
    CHILD = "child", _l("Child")
    SPOUSE = "spouse", _l("Spouse")
    NEXT_OF_KIN = "next_of_kin", _l("Next of kin")


class Person(Base):
    """Someone a case is about, or who reported it. Names are kept exactly as given."""

    __tablename__ = "persons"
    __table_args__ = (
        Index("ix_persons_compartment_folded_name", "compartment", "folded_name"),
        Index("ix_persons_compartment_date_of_birth", "compartment", "date_of_birth"),
        {"comment": "Persons of one compartment (consular or police)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    compartment: Mapped[Compartment] = mapped_column(enum_column(Compartment, "compartment"))
    full_name: Mapped[str] = mapped_column(String(200), comment="as given, any script")
    folded_name: Mapped[str] = mapped_column(
        String(400), comment="search key: name and other spellings, variants folded")
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[Sex | None] = mapped_column(enum_column(Sex, "sex"))
    nationality: Mapped[Nationality | None] = mapped_column(
        enum_column(Nationality, "nationality"))
    other_nationality: Mapped[str | None] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(60))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id"), comment="set when this record was merged into another")
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    other_names: Mapped[list[PersonName]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonName.id")
    identifiers: Mapped[list[PersonIdentifier]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonIdentifier.id")
    relations: Mapped[list[PersonRelation]] = relationship(
        back_populates="person", cascade="all, delete-orphan",
        foreign_keys="PersonRelation.person_id", order_by="PersonRelation.id")
    corrections: Mapped[list[PersonCorrection]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True,
        order_by="PersonCorrection.id.desc()")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.compartment}>"


class PersonName(Base):
    """Another spelling of a person's name (another transliteration, the Urdu script)."""

    __tablename__ = "person_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    person: Mapped[Person] = relationship(back_populates="other_names")


class PersonNameToken(Base):
    """One folded word of a person's names, kept by triggers on `persons`: the index a name
    search goes through (tracker/people/name_index.py). Never written by the application."""

    __tablename__ = "person_name_tokens"
    __table_args__ = (
        Index("ix_person_name_tokens_compartment_token", "compartment", "token"),
        {"comment": "Words of persons' names, kept by triggers (0022_name_tokens)."},
    )

    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True)
    # Bytewise order on PostgreSQL, so that a prefix is a range of the index (SQLite's
    # default order is bytewise already).
    token: Mapped[str] = mapped_column(
        String(100).with_variant(String(100, collation="C"), "postgresql"), primary_key=True)
    compartment: Mapped[Compartment] = mapped_column(enum_column(Compartment, "compartment"))


class PersonCorrection(Base):
    """A correction of a person's details (rectification): which details, why, by whom.
    The values themselves are not kept here: the record holds the corrected ones."""

    __tablename__ = "person_corrections"
    __table_args__ = {"comment": "Corrections of persons' details, with the reason (0023)."}

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    fields: Mapped[str] = mapped_column(String(200), comment="the details corrected, by key")
    reason: Mapped[str] = mapped_column(Text)

    corrected_by: Mapped[User | None] = relationship()

    @property
    def field_keys(self) -> list[str]:
        return self.fields.split(",") if self.fields else []


class PersonIdentifier(Base):
    """A validated identifier in its one canonical form."""

    __tablename__ = "person_identifiers"
    __table_args__ = (
        UniqueConstraint("person_id", "kind", "value", name="uq_person_identifiers_person"),
        Index("ix_person_identifiers_kind_value", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    kind: Mapped[IdentifierKind] = mapped_column(enum_column(IdentifierKind, "identifier_kind"))
    value: Mapped[str] = mapped_column(String(32), comment="canonical form")
    country: Mapped[str | None] = mapped_column(
        String(2), comment="issuing country of a passport (ISO 3166-1 alpha-2)")

    person: Mapped[Person] = relationship(back_populates="identifiers")

    @property
    def shown(self) -> str:
        """The value in its country's usual notation (e.g. 211062-5629 for a CPR number)."""
        return display_identifier(self.kind.value, self.value)


class PersonRelation(Base):
    """`person` is `kind` of `related` (e.g. parent of)."""

    __tablename__ = "person_relations"
    __table_args__ = (
        UniqueConstraint("person_id", "related_id", "kind", name="uq_person_relations_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    related_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[RelationKind] = mapped_column(enum_column(RelationKind, "relation_kind"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id], back_populates="relations")
    related: Mapped[Person] = relationship(foreign_keys=[related_id])



class DuplicateStatus(Labelled):
    OPEN = "open", _l("To compare")
    MERGED = "merged", _l("Merged")
    NOT_SAME = "not_same", _l("Not the same person")
    UNDONE = "undone", _l("Merge undone")


class PossibleDuplicate(Base):
    """Two records that may be one person: the officer who logged `person` could not be shown
    `other` (it lies outside their need to know), so the pair waits for someone who may see
    both. The merge moves every reference from `person` to `other` and can be undone until the
    kept record is used again."""

    __tablename__ = "possible_duplicates"
    __table_args__ = (
        UniqueConstraint("person_id", "other_id", name="uq_possible_duplicates_pair"),
        Index("ix_possible_duplicates_compartment_status", "compartment", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    compartment: Mapped[Compartment] = mapped_column(enum_column(Compartment, "compartment"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"),
                                           comment="the record logged later")
    other_id: Mapped[int] = mapped_column(ForeignKey("persons.id"),
                                          comment="the record it may duplicate")
    matched_on: Mapped[str] = mapped_column(String(40), comment="identifier, or name and birth date")
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[DuplicateStatus] = mapped_column(
        enum_column(DuplicateStatus, "duplicate_status"), default=DuplicateStatus.OPEN)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    moved: Mapped[str | None] = mapped_column(
        Text, comment="JSON: the references the merge moved or dropped, to undo it")
    kept_uses: Mapped[int | None] = mapped_column(
        Integer, comment="references to the kept record right after the merge")
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    other: Mapped[Person] = relationship(foreign_keys=[other_id])

    __mapper_args__ = {"version_id_col": version}
