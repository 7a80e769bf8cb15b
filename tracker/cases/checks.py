"""The small checks every compartment's rules make on what an officer typed."""
from __future__ import annotations

from enum import Enum
from typing import TypeVar

from tracker.domain import FieldError

E = TypeVar("E", bound=Enum)


class Checks:
    """Checks that raise the compartment's own error (`error`, a FieldError) on a field."""

    def __init__(self, error: type[FieldError]):
        self.error = error

    def choice(self, enum_cls: type[E], value, field: str,
               message: str = "Choose from the list.") -> E:
        """The enum member named by `value`, or the error on `field`."""
        try:
            return enum_cls(value)
        except ValueError:
            raise self.error(message, field)

    def text(self, value: str | None, field: str, limit: int, *, required: bool = False,
             message: str = "Fill this in.", too_long: str | None = None) -> str | None:
        """A line (up to 200 characters: spaces folded) or a text (trimmed); None if empty."""
        value = " ".join((value or "").split()) if limit <= 200 else (value or "").strip()
        if required and not value:
            raise self.error(message, field)
        if len(value) > limit:
            raise self.error(too_long or f"At most {limit:,} characters; you typed "
                                         f"{len(value):,}.", field)
        return value or None
