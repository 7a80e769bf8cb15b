"""Closed lists the officer picks from, each value declared once with the words shown for it."""
from __future__ import annotations

from enum import StrEnum

from flask_babel.speaklater import LazyString
from markupsafe import escape
from wtforms.fields.choices import SelectChoice


class LazyLabel(LazyString):
    """A label said in the reader's language each time it is shown (a `lazy_gettext` string),
    which a template escapes like any text (flask_babel's own counts as markup) and which
    takes a format spec (`f"{role.label:<24}"`)."""

    def __init__(self, text):
        super().__init__(str, text)

    def __html__(self) -> str:
        return str(escape(str(self)))

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


class Labelled(StrEnum):
    """A `StrEnum` whose members carry their label: `DEATH = "death", _l("Death abroad")`.

    The value is what is stored (and checked by the column's CHECK constraint); the label is
    what forms, pages and reports show, a lazy string rendered in the reader's language when
    it is shown (never stored).
    """

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = LazyLabel(label)
        return member


def choices(vocabulary: type[Labelled], blank: str | None = None) -> list[SelectChoice]:
    """A select field's choices in declaration order, after a blank first choice if named."""
    first = [SelectChoice("", blank)] if blank is not None else []
    return first + [SelectChoice(member.value, member.label) for member in vocabulary]
