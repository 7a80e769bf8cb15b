"""The small checks every compartment's rules make on what an officer typed."""
from __future__ import annotations

from enum import Enum
from typing import TypeVar

from flask_babel import lazy_gettext as _l

from tracker.domain import FieldError, too_long as too_long_message

E = TypeVar("E", bound=Enum)


class Checks:
    """Checks that raise the compartment's own error (`error`, a FieldError) on a field."""

    def __init__(self, error: type[FieldError]):
        self.error = error

    def choice(self, enum_cls: type[E], value, field: str,
               message: str = _l("Choose from the list.")) -> E:
        """The enum member named by `value`, or the error on `field`."""
        try:
            return enum_cls(value)
        except ValueError:
            raise self.error(message, field)

    def text(self, value: str | None, field: str, limit: int, *, required: bool = False,
             message: str = _l("Fill this in."),
             too_long: str | None = None) -> str | None:
        """A line (up to 200 characters: spaces folded) or a text (trimmed); None if empty."""
        value = " ".join((value or "").split()) if limit <= 200 else (value or "").strip()
        if required and not value:
            raise self.error(message, field)
        if len(value) > limit:
            raise self.error(too_long or too_long_message(limit, len(value)), field)
        return value or None
