"""The unit of work: the one place that commits.

Services add, change and flush; they never commit. A view (or a command, or a job) opens one
unit of work around what it asks of the services:

    with unit_of_work(form) as work:
        case = services.open_case(current_user, data)
    if work.done:
        return redirect(...)
    return render_template(..., form=form), 422

On success it commits once. On any exception it rolls back everything, so nothing is
half-saved. A broken rule (`FieldError`) becomes an error next to its field on `form` and is
not raised further (`work.done` stays False); a stale version (`StaleRecord`, or SQLAlchemy's
`StaleDataError` when the version check in an UPDATE matches no row) becomes `EditConflict`,
which `tracker.errors` answers with the one 409 conflict page. Without a form (commands, jobs,
a read that writes its audit row) every exception is raised again after the rollback.

Side effects outside the database (a stored file) are tied to the outcome with
`after_commit(...)` and `after_rollback(...)`.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tracker.domain import FieldError, StaleRecord
from tracker.extensions import db
from tracker.forms import put_error

_ON_COMMIT = "tracker.after_commit"
_ON_ROLLBACK = "tracker.after_rollback"


class EditConflict(Exception):
    """A stale edit, rolled back: answered with the conflict page (tracker.errors)."""

    def __init__(self, message: str | None = None, *, back: str | None = None, form=None):
        super().__init__(message or "stale")
        self.message = message
        self.back = back  # where the current version of the record is
        self.form = form  # what the officer sent (shown, not saved)


class UnitOfWork:
    """One transaction: commit on success, roll back on any exception."""

    def __init__(self, form=None, *, back: str | None = None):
        self.form = form
        self.back = back
        self.done = False

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            try:
                db.session.commit()
            except StaleDataError as error:
                db.session.rollback()
                raise self._conflict(None) from error
            except BaseException:
                db.session.rollback()
                raise
            self.done = True
            return False
        db.session.rollback()
        if isinstance(exc, FieldError) and self.form is not None:
            for field, message in exc.problems():
                put_error(self.form, field, message)
            return True
        if isinstance(exc, StaleRecord):
            raise self._conflict(exc.message) from exc
        if isinstance(exc, StaleDataError):
            raise self._conflict(None) from exc
        return False

    def _conflict(self, message: str | None) -> EditConflict:
        return EditConflict(message, back=self.back, form=self.form)


def unit_of_work(form=None, *, back: str | None = None) -> UnitOfWork:
    """Open a unit of work; `form` receives rule errors, `back` is the current record's page."""
    return UnitOfWork(form, back=back)


def after_commit(action: Callable[[], object]) -> None:
    """Run `action` once the current transaction has committed (e.g. delete a removed file)."""
    db.session.info.setdefault(_ON_COMMIT, []).append(action)


def after_rollback(action: Callable[[], object]) -> None:
    """Run `action` if the current transaction is rolled back (e.g. delete a stored file)."""
    db.session.info.setdefault(_ON_ROLLBACK, []).append(action)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    session.info.pop(_ON_ROLLBACK, None)
    for action in session.info.pop(_ON_COMMIT, []):
        action()


@event.listens_for(Session, "after_soft_rollback")
def _run_after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is not None:
        return  # a savepoint: the transaction goes on
    session.info.pop(_ON_COMMIT, None)
    for action in session.info.pop(_ON_ROLLBACK, []):
        action()
