"""Languages of the interface: Norwegian bokmål and English (Flask-Babel).

Each account may choose its language; before signing in, the sign-in page's language links
choose it for the browser's session; otherwise the browser's Accept-Language decides, and a
browser that asks for neither gets English. Norwegian in any written form (no, nb, nn) is served
in bokmål, the only Norwegian catalogue.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime

from flask import Flask, has_request_context, request, session
from flask_babel import Babel, force_locale, format_date, format_datetime, get_locale
from flask_login import current_user

LANGUAGES = {"nb": "Norsk bokmål", "en": "English"}
DEFAULT_LANGUAGE = "en"
_NORWEGIAN = ("nb", "no", "nn")
SESSION_KEY = "language"

babel = Babel()


def browser_language() -> str:
    """The first of our languages the browser asks for, in its order of preference."""
    for tag, _quality in request.accept_languages:
        primary = tag.replace("_", "-").split("-")[0].lower()
        if primary in _NORWEGIAN:
            return "nb"
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def select_locale() -> str:
    if not has_request_context():  # commands, jobs and reports made outside a page: English
        return DEFAULT_LANGUAGE
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    chosen = session.get(SESSION_KEY)
    return chosen if chosen in LANGUAGES else browser_language()


def remember_language(value: str | None) -> None:
    """The language picked on the sign-in page, for this browser's session; others ignored."""
    if value in LANGUAGES:
        session[SESSION_KEY] = value


def clear_session() -> None:
    """Empty the session (signing in or out), keeping only the language picked for it."""
    chosen = session.get(SESSION_KEY)
    session.clear()
    if chosen in LANGUAGES:
        session[SESSION_KEY] = chosen


def select_timezone() -> str:
    """Times are shown in the office's time zone (Asia/Karachi for all three offices today)."""
    if current_user and current_user.is_authenticated:
        return current_user.office.time_zone
    from tracker.web import DEFAULT_TIME_ZONE

    return DEFAULT_TIME_ZONE


@contextmanager
def record_language():
    """Text written into a record (a timeline line, a comment) is English whoever writes it:
    what is stored is never translated; pages may render a stored code in the reader's
    language instead."""
    with force_locale(DEFAULT_LANGUAGE):
        yield


def english(text) -> str:
    """A lazy label as its English source: what is stored, or used as a key."""
    with record_language():
        return str(text)


def language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


# CLDR patterns per language. Norwegian writes 01.12.2026; English keeps "01 Dec 2026". The
# audit log keeps sortable ISO timestamps in both.
_PATTERNS = {
    "nb": {"date": "dd.MM.y", "datetime": "dd.MM.y HH:mm", "seconds": "y-MM-dd HH:mm:ss",
           "full": "EEEE d. MMMM y 'kl.' HH:mm", "month": "LLLL y",
           "month_short": "LLL y", "long": "d. MMMM y"},
    "en": {"date": "dd MMM y", "datetime": "dd MMM y HH:mm", "seconds": "y-MM-dd HH:mm:ss",
           "full": "EEEE dd MMMM y, HH:mm", "month": "LLLL y",
           "month_short": "LLL y", "long": "d MMMM y"},
}


def pattern(style: str) -> str:
    return _PATTERNS.get(language(), _PATTERNS[DEFAULT_LANGUAGE])[style]


def local_time(value: datetime | None, style: str = "datetime") -> str:
    """A UTC timestamp in the reader's office time zone and language."""
    if value is None:
        return ""
    return format_datetime(value, pattern(style))


def local_date(value: date | datetime | None, style: str = "date") -> str:
    """A calendar date (a timestamp: its date in the office time zone) in the reader's language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, pattern(style))
    return format_date(value, pattern(style))


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories="translations")
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_language"] = language
    app.add_template_filter(local_date, "local_date")
    app.add_template_filter(local_time, "local_time")
