"""Error pages in the site's layout, with nothing technical on them."""
from __future__ import annotations

from flask import Flask, current_app, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.db import ran_out_of_time
from tracker.domain import StaleRecord
from tracker.extensions import db, login_manager
from tracker.files import is_disk_full
from tracker.unit_of_work import EditConflict

MESSAGES = {
    400: (_l("The request could not be understood"),
          _l("Something in what was sent was not right. Go back, reload the page and try again.")),
    403: (_l("You do not have access to this page"),
          _l("Your role does not include this page. Ask an administrator if you need it.")),
    404: (_l("Page not found"), _l("There is nothing at this address, or you may not see it.")),
    405: (_l("That is not possible here"), _l("This page cannot be used that way.")),
    409: (_l("Someone else changed this record"),
          _l("It was saved by someone else after you opened it. Reload to see their changes.")),
    413: (_l("The file is too large"), _l("Choose a smaller file and try again.")),
    429: (_l("Too many attempts"), _l("Wait a minute, then try again.")),
    500: (_l("Something went wrong"), _l("The error has been logged. Try again in a moment.")),
    503: (_l("The tracker is unavailable"),
          _l("The database cannot be reached just now. Try again in a minute.")),
    507: (_l("The server's disk is full"),
          _l("What you sent was not saved. Tell the system administrator.")),
}
# A 503 of another kind: a wait reached its bound (a long lock, a slow statement, every
# pooled connection in use). Nothing is broken; the officer only needs to try again.
BUSY = (_l("The tracker is busy"),
        _l("The system is busy just now and could not finish in time. "
           "Wait a few seconds and try again."))
RETRY_AFTER_BUSY = 10  # seconds, in the Retry-After header
RETRY_AFTER_UNAVAILABLE = 60


def render_error(status: int, message: str | None = None, *, bare: bool = False,
                 title: str | None = None):
    """The error page; `bare` leaves out everything that would need the database."""
    if bare:
        # Flask-Login loads the user for every template; without a database it must not try.
        g._login_user = login_manager.anonymous_user()
    default_title, text = MESSAGES.get(status, MESSAGES[500])
    return render_template("errors/error.html", status=status, title=title or default_title,
                           text=message or text, bare=bare), status


def render_conflict(message: str | None = None, *, back: str | None = None, form=None):
    """The one answer to a stale edit: nothing was overwritten; here is the current record."""
    if back is None:
        rule = request.url_rule
        # The page that was sent from shows the record as it is now, when it can be opened.
        back = request.path if rule is not None and "GET" in (rule.methods or ()) \
            else url_for("main.home")
    typed = [(f.label.text, f.data) for f in form or ()
             if f.type not in ("CSRFTokenField", "HiddenField", "SubmitField", "FileField")
             and f.data not in (None, "", [])] if form is not None else []
    return render_template("errors/conflict.html", message=message, back=back,
                           typed=typed), 409


def _disk_full(error):
    # The driver's first line only, as for a timeout: never the statement's parameters.
    original = getattr(error, "orig", None) or error
    current_app.logger.error("the disk is full: %s", (str(original).splitlines() or [""])[0])
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - nothing was written; the page must still be shown
        pass
    return render_error(507, bare=True)


def _database_unavailable(error):
    """503 when the database cannot be reached or a wait reached its bound, 507 when its disk
    is full; rolled back."""
    if is_disk_full(error):
        return _disk_full(error)
    busy = ran_out_of_time(error)
    # The driver's own first line only: SQLAlchemy's text adds the statement's parameters,
    # which may be a person's name or number.
    original = getattr(error, "orig", None) or error
    reason = (str(original).splitlines() or [""])[0]
    current_app.logger.warning("database %s: %s: %s", "timed out" if busy else "unavailable",
                               type(original).__name__, reason)
    # Undo the transaction, and forget a broken connection so that the next request starts
    # on a fresh one.
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; nothing more to undo
        pass
    db.session.remove()
    if busy:
        title, text = BUSY
        page, status = render_error(503, text, bare=True, title=title)
        return page, status, {"Retry-After": str(RETRY_AFTER_BUSY)}
    return _unavailable()


def _unavailable():
    page, status = render_error(503, bare=True)
    return page, status, {"Retry-After": str(RETRY_AFTER_UNAVAILABLE)}


def register(app: Flask) -> None:
    def http_error(error: HTTPException):
        code = error.code or 500
        if code == 503:
            return _unavailable()
        if code not in MESSAGES:
            # Keep the real status (e.g. 416 for a bad Range), with a plain message.
            title = error.name or _("The request could not be served")
            return render_template("errors/error.html", status=code, title=title,
                                   text=_("Go back and try again."), bare=False), code
        return render_error(code)

    def stale_record(error: Exception):
        # Normally the unit of work has rolled back and raised EditConflict; a stale version
        # met anywhere else gets the same answer.
        db.session.rollback()
        if isinstance(error, EditConflict):
            return render_conflict(error.message, back=error.back, form=error.form)
        return render_conflict(getattr(error, "message", None))

    def csrf_error(error: CSRFError):
        return render_error(400, _("The form had expired or was sent from elsewhere. "
                                   "Reload the page and try again."))

    def server_error(error):
        original = getattr(error, "original_exception", error)
        if isinstance(original, (OperationalError, PoolTimeout)) or (
                isinstance(original, DBAPIError) and original.connection_invalidated):
            return _database_unavailable(original)
        app.logger.exception("unhandled error", exc_info=original)
        db.session.rollback()
        return render_error(500, bare=True)

    def os_error(error: OSError):
        if is_disk_full(error):
            return _disk_full(error)
        raise error  # any other: as if unhandled (logged, the 500 page)

    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(PoolTimeout, _database_unavailable)
    app.register_error_handler(OSError, os_error)
    app.register_error_handler(StaleDataError, stale_record)
    app.register_error_handler(StaleRecord, stale_record)
    app.register_error_handler(EditConflict, stale_record)
    app.register_error_handler(InternalServerError, server_error)
