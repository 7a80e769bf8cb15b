"""Dates are typed as the reader writes them, and shown back the same way."""
from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from tracker.forms import DayField, TrackerForm


class _Form(TrackerForm):
    class Meta:
        csrf = False

    day = DayField("Day")


def _read(app, typed: str, language: str = "en"):
    with app.test_request_context(headers={"Accept-Language": language}):
        form = _Form(formdata=MultiDict({"day": typed}))
        form.validate()
        return form.day.data, form.day.errors, form.day()


@pytest.mark.parametrize("typed", ["27.03.2026", "27.3.2026", " 27.03.2026 ", "2026-03-27",
                                   "27/03/2026", "27-03-2026"])
def test_every_usual_writing_of_a_day_is_read(app, typed):
    assert _read(app, typed)[0] == date(2026, 3, 27)


@pytest.mark.parametrize("typed, message", [
    ("03/27/2026", "Enter the date as day, month and year, for example 2026-03-27."),
    ("31.02.2026", "Enter the date as day, month and year, for example 2026-03-27."),
    ("tomorrow", "Enter the date as day, month and year, for example 2026-03-27."),
    ("27.03.26", "Write the year with four digits, for example 2026."),
])
def test_an_impossible_or_american_date_is_refused_with_a_message(app, typed, message):
    data, errors, _html = _read(app, typed)
    assert data is None
    assert errors == [message]


def test_norwegian_readers_are_told_and_shown_day_month_year(app):
    data, errors, html = _read(app, "32.01.2026", "nb")
    assert errors == ["Skriv datoen som dag, måned og år, for eksempel 27.03.2026."]
    with app.test_request_context(headers={"Accept-Language": "nb"}):
        form = _Form(formdata=None, data={"day": date(2026, 12, 1)})
        assert 'value="01.12.2026"' in form.day()
        assert "For eksempel 27.03.2026." in str(form.day.description)


def test_the_field_is_a_text_input_not_the_browsers_picker(app):
    html = _read(app, "2026-03-27")[2]
    assert 'type="text"' in html and 'value="2026-03-27"' in html
