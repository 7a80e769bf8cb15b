"""Domain errors: what a service raises when a rule is broken or a record went stale.

Services raise these; the unit of work (`tracker/unit_of_work.py`) turns them into what the
officer sees: a field error on the form, or the one conflict page.
"""
from __future__ import annotations

from contextlib import contextmanager

from flask_babel import format_decimal, gettext as _


class FieldError(ValueError):
    """A rule was broken; the message is for the officer, `field` the form field it belongs
    next to (None: at the top of the form). Each module names its own subclass.

    `status` is what the page with the form answers: 422 for a broken rule; 507 when the
    server could not store what was sent (a full disk)."""

    status = 422

    def __init__(self, message: str, field: str | None = None, *, status: int | None = None):
        super().__init__(message)
        self.field = field
        if status is not None:
            self.status = status
        self.also: tuple[FieldError, ...] = ()

    def problems(self) -> list[tuple[str | None, str]]:
        """(field, message) of this error and of those raised with it."""
        return [(self.field, str(self)), *(p for error in self.also for p in error.problems())]


def too_long(limit: int, typed: int) -> str:
    """The one message for a text over its limit: how many characters were typed."""
    return _("At most %(limit)s characters; you typed %(typed)s.",
             limit=format_decimal(limit), typed=format_decimal(typed))


def raise_all(errors: list[FieldError]) -> None:
    """Raise the first of the rule errors found, carrying the others (nothing when none).

    Where several rules can be checked before anything is saved, the officer learns of every
    broken one in one answer, not one per submit.
    """
    if errors:
        first, *others = errors
        first.also = (*first.also, *others)
        raise first


class Problems:
    """Rule errors gathered while checking several things, raised together at the end:

        problems = Problems()
        with problems.check():
            reason = waiting_reason(details)
        with problems.check():
            until = hold_date(case, details, now)
        problems.raise_all()
    """

    def __init__(self):
        self.errors: list[FieldError] = []

    @contextmanager
    def check(self):
        try:
            yield
        except FieldError as error:
            self.errors.append(error)

    def raise_all(self) -> None:
        raise_all(self.errors)


class StaleRecord(Exception):
    """Someone else saved the record after the form was opened; nothing was overwritten.

    `message` says more than the conflict page's standard text, where there is more to say.
    """

    def __init__(self, message: str | None = None, *, current=None):
        super().__init__(message or "stale")
        self.message = message
        self.current = current
