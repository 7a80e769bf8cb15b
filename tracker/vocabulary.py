"""Closed lists the officer picks from, each value declared once with the words shown for it."""
from __future__ import annotations

from enum import StrEnum

from wtforms.fields.choices import SelectChoice


class Labelled(StrEnum):
    """A `StrEnum` whose members carry their label: `DEATH = "death", "Death abroad"`.

    The value is what is stored (and checked by the column's CHECK constraint); the label is
    what forms, pages and reports show.
    """

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


def choices(vocabulary: type[Labelled], blank: str | None = None) -> list[SelectChoice]:
    """A select field's choices in declaration order, after a blank first choice if named."""
    first = [SelectChoice("", blank)] if blank is not None else []
    return first + [SelectChoice(member.value, member.label) for member in vocabulary]
