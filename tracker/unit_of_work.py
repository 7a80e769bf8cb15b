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
`after_commit(...)` (run at the outermost commit only) and `after_rollback(...)` (run when the
transaction, or the savepoint they were asked for in, rolls back). A failing action is logged.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.exc import StaleDataError

from tracker.domain import FieldError, StaleRecord
from tracker.extensions import db
from tracker.forms import put_error

_SIDE_EFFECTS = "tracker.side_effects"
log = logging.getLogger(__name__)


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
        # What the page that shows the form again answers: 422 for a broken rule, or the
        # error's own status (507: the disk is full).
        self.status = 422

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
            self.status = exc.status
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
    """Run `action` once the outermost transaction has committed (e.g. move a stored file into
    place); never at a savepoint's commit, never if the work is rolled back after all."""
    session = db.session()  # the session itself: the scoped proxy lacks the transaction API
    _pending(session).append(_SideEffect(_innermost(session), action, None))


def after_rollback(action: Callable[[], object]) -> None:
    """Run `action` if what is being done now is rolled back (e.g. delete a stored file): the
    whole transaction, or the savepoint that is open now."""
    session = db.session()
    _pending(session).append(_SideEffect(_innermost(session), None, action))


@dataclass
class _SideEffect:
    transaction: SessionTransaction | None  # the innermost one when it was asked for
    on_commit: Callable[[], object] | None
    on_rollback: Callable[[], object] | None

    def inside(self, transaction: SessionTransaction) -> bool:
        """Asked for in `transaction` or in a savepoint within it."""
        if transaction.parent is None:
            return True
        current = self.transaction
        while current is not None:
            if current is transaction:
                return True
            current = current.parent
        return False


def _pending(session: Session) -> list[_SideEffect]:
    return session.info.setdefault(_SIDE_EFFECTS, [])


def _innermost(session: Session) -> SessionTransaction | None:
    return session.get_nested_transaction() or session.get_transaction()


def _run(actions: list[Callable[[], object]], when: str) -> None:
    # The transaction's outcome is settled: a failing action must neither stop the others
    # nor turn a saved change into an error page, but it must not pass unnoticed either.
    for action in actions:
        try:
            action()
        except Exception:
            log.exception("an action %s failed: %r", when, action)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: its actions wait for the outermost commit
    effects = session.info.pop(_SIDE_EFFECTS, [])
    _run([e.on_commit for e in effects if e.on_commit is not None], "after commit")


@event.listens_for(Session, "after_soft_rollback")
def _run_after_rollback(session: Session, previous_transaction) -> None:
    effects = _pending(session)
    undone = [e for e in effects if e.inside(previous_transaction)]
    if not undone:
        return
    session.info[_SIDE_EFFECTS] = [e for e in effects if not e.inside(previous_transaction)]
    _run([e.on_rollback for e in reversed(undone) if e.on_rollback is not None],
         "after rollback")
