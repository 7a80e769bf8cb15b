"""Error pages in the site's layout, with nothing technical on them."""
from __future__ import annotations

from flask import Flask, current_app, g, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.domain import StaleRecord
from tracker.extensions import db, login_manager
from tracker.files import is_disk_full
from tracker.unit_of_work import EditConflict

MESSAGES = {
    400: ("The request could not be understood",
          "Something in what was sent was not right. Go back, reload the page and try again."),
    403: ("You do not have access to this page",
          "Your role does not include this page. Ask an administrator if you need it."),
    404: ("Page not found", "There is nothing at this address, or you may not see it."),
    405: ("That is not possible here", "This page cannot be used that way."),
    409: ("Someone else changed this record",
          "It was saved by someone else after you opened it. Reload to see their changes."),
    413: ("The file is too large", "Choose a smaller file and try again."),
    429: ("Too many attempts", "Wait a minute, then try again."),
    500: ("Something went wrong", "The error has been logged. Try again in a moment."),
    503: ("The tracker is unavailable",
          "The database cannot be reached just now. Try again in a minute."),
    507: ("The server's disk is full",
          "What you sent was not saved. Tell the system administrator."),
}


def render_error(status: int, message: str | None = None, *, bare: bool = False):
    """The error page; `bare` leaves out everything that would need the database."""
    if bare:
        # Flask-Login loads the user for every template; without a database it must not try.
        g._login_user = login_manager.anonymous_user()
    title, text = MESSAGES.get(status, MESSAGES[500])
    return render_template("errors/error.html", status=status, title=title,
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
    current_app.logger.error("the disk is full: %s", error)
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - nothing was written; the page must still be shown
        pass
    return render_error(507, bare=True)


def _database_unavailable(error):
    if is_disk_full(error):
        return _disk_full(error)
    current_app.logger.warning("database unavailable: %s", error)
    # Forget the broken connection so that the next request starts on a fresh one.
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; nothing more to undo
        pass
    db.session.remove()
    return render_error(503, bare=True)


def register(app: Flask) -> None:
    def http_error(error: HTTPException):
        code = error.code or 500
        if code == 503:
            return render_error(503, bare=True)
        if code not in MESSAGES:
            # Keep the real status (e.g. 416 for a bad Range), with a plain message.
            title = error.name or "The request could not be served"
            return render_template("errors/error.html", status=code, title=title,
                                   text="Go back and try again.", bare=False), code
        return render_error(code)

    def stale_record(error: Exception):
        # Normally the unit of work has rolled back and raised EditConflict; a stale version
        # met anywhere else gets the same answer.
        db.session.rollback()
        if isinstance(error, EditConflict):
            return render_conflict(error.message, back=error.back, form=error.form)
        return render_conflict(getattr(error, "message", None))

    def csrf_error(error: CSRFError):
        return render_error(400, "The form had expired or was sent from elsewhere. "
                                 "Reload the page and try again.")

    def server_error(error):
        original = getattr(error, "original_exception", error)
        if isinstance(original, OperationalError) or (
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
    app.register_error_handler(OSError, os_error)
    app.register_error_handler(StaleDataError, stale_record)
    app.register_error_handler(StaleRecord, stale_record)
    app.register_error_handler(EditConflict, stale_record)
    app.register_error_handler(InternalServerError, server_error)
