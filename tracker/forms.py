"""The base of every form: CSRF from Flask-WTF, no control characters in any text, limits
said rather than cut, choices that start empty, and the list of problems for the summary."""
from __future__ import annotations

import re
from datetime import date, datetime

from typing import Callable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget, TextInput
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from tracker.domain import FieldError, too_long

# C0 controls other than tab, line feed and carriage return: nobody types them, and
# PostgreSQL refuses NUL in text outright.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = _l("This contains a character that cannot be used here.")
HIDDEN_FIELD_MESSAGE = _l("This form could not be read as it was sent. Reload the page and try "
                          "again.")
# WTForms' own messages (in the reader's language from WTForms' catalogue), which make sense
# only next to their field.
GENERIC_MESSAGES = ("This field is required.", "Not a valid date value.",
                    "Not a valid integer value.", "Not a valid choice.")


def has_control_characters(value: object) -> bool:
    return isinstance(value, str) and bool(CONTROL_CHARACTERS.search(value))


class TrackerForm(FlaskForm):
    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if has_control_characters(field.data) or (
                    field.raw_data and any(has_control_characters(v) for v in field.raw_data)):
                field.errors = [*field.errors, CONTROL_MESSAGE]
                valid = False
            if isinstance(field.errors, (list, tuple)):
                # Messages said now, in the reader's language, as plain text (a view may join
                # them); validators hold them as lazy strings.
                field.errors = [str(message) for message in field.errors]
        # A hidden field shows no errors of its own, and only a changed page gets one wrong:
        # say so above the form instead of refusing without a word.
        if any(field.errors and _hidden(field) for field in self) and \
                HIDDEN_FIELD_MESSAGE not in self.form_errors:
            self.form_errors.append(str(HIDDEN_FIELD_MESSAGE))
        return valid


def _hidden(field) -> bool:
    return getattr(field.widget, "input_type", None) == "hidden"


def add_rule_errors(form, check: Callable[[], object]) -> bool:
    """Run a service's checks on what a refused form holds, so that its rules show in the same
    answer as the form's own errors; a field with an error already keeps only that one.
    False if a rule was broken."""
    try:
        check()
    except FieldError as error:
        for name, message in error.problems():
            target = getattr(form, name, None) if name else None
            if target is None or not target.errors:
                put_error(form, name, message)
        return False
    return True


def put_error(form, field: str | None, message: str) -> None:
    """Show `message` next to `field`, or above the form when the field is not on the page."""
    target = getattr(form, field, None) if field else None
    message = str(message)
    if target is None or _hidden(target):
        form.form_errors.append(message)  # a hidden field shows no errors: say it on top
        return
    target.errors = [*target.errors, message]


class MaxLength:
    """At most `limit` characters, checked on the server with a message that says how many were
    typed. It sets no `maxlength` attribute on purpose: the browser would cut a pasted text
    short without a word, and the cut text would be saved."""

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, form, field) -> None:
        typed = typed_length(field.data)
        if typed > self.limit:
            raise ValidationError(too_long(self.limit, typed))


def typed_length(value: object) -> int:
    """Characters as the officer sees them: a line break the browser sent as CR LF is one."""
    return len(value.replace("\r\n", "\n")) if isinstance(value, str) else 0


class DayField(DateField):
    """A calendar date typed as the reader writes it: 01.12.2026 or 1.12.2026 (Norwegian),
    01/12/2026 (day first, as in Pakistan and Britain) or 2026-12-01.

    A text input, not the browser's date picker: the picker follows the browser's own locale
    (mm/dd/yyyy in an American one), whatever language the officer chose here.
    """

    widget = TextInput()
    FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"autocomplete": "off", "spellcheck": "false", "class": "input-date",
                     **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, format=list(self.FORMATS), render_kw=render_kw,
                         **kwargs)
        self.description = _DateHint(self.description)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = " ".join(valuelist).strip()
        self.data = None
        if not text:
            raise ValueError(_l("Enter a date."))
        if re.fullmatch(r"\d{1,2}[./-]\d{1,2}[./-]\d{2}", text):
            raise ValueError(_l("Write the year with four digits, for example 2026."))
        for pattern in self.strptime_format:
            try:
                day = datetime.strptime(text, pattern).date()
            except ValueError:
                continue
            if day.year < 1900:
                raise ValueError(_l("Write the year with four digits, for example 2026."))
            self.data = day
            return
        raise ValueError(_l("Enter the date as day, month and year, for example %(example)s.",
                            example=_example()))

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return input_date(self.data) if self.data else ""


def input_date(day) -> str:
    """How a date field shows a date: 01.12.2026 in Norwegian, 2026-12-01 in English."""
    from tracker.i18n import language

    return day.strftime("%d.%m.%Y" if language() == "nb" else "%Y-%m-%d")


def _example() -> str:
    return input_date(date(2026, 3, 27))


class _DateHint:
    """The field's own hint followed by an example in the reader's writing of dates."""

    def __init__(self, own):
        self.own = own

    def __str__(self) -> str:
        example = str(_l("For example %(example)s.", example=_example()))
        return f"{self.own} {example}" if self.own else example

    __html__ = __str__

    def __bool__(self) -> bool:
        return True


def choose(prompt: str, options: list[SelectChoice]) -> list[SelectChoice]:
    """A choice that matters starts on an empty option ("Choose the outcome"), never on the
    first real one, so nothing is decided for the officer who does not look."""
    return [SelectChoice("", prompt), *options]


def chosen(message: str) -> InputRequired:
    """Required: the empty "Choose ..." option (or nothing sent) is refused with `message`."""
    return InputRequired(message=message)


def error_summary(form) -> list[tuple[str | None, str]]:
    """(id of the input to link to, message) for every problem on the form, in page order;
    problems of the whole form first, with no link."""
    problems: list[tuple[str | None, str]] = [(None, m) for m in form.form_errors]
    for field in form:
        if not field.errors:
            continue
        target = _input_id(field)
        problems += [(target, _named(field, message)) for message in _messages(field)]
    return problems


def _named(field: Field, message: str) -> str:
    """A message that does not say which field it is about names it, away from the field."""
    generic = {field.gettext(m) for m in GENERIC_MESSAGES} | {str(CONTROL_MESSAGE)}
    if str(message) in generic:
        return f"{field.label.text}: {message}"
    return message


def _messages(field: Field) -> list[str]:
    errors = field.errors
    if isinstance(errors, dict):  # a FormField's nested errors
        return [m for messages in errors.values() for m in messages]
    return list(errors)


def _input_id(field: Field) -> str | None:
    """The id the summary links to: the input itself, or a group's first option."""
    if getattr(field.widget, "input_type", None) == "hidden":
        return None
    if field.type == "RadioField" and field.choices:
        return f"{field.id}-{field.choices[0][0]}"  # options are named by their value
    if field.type == "MultiCheckboxField":
        return f"{field.id}-0"
    return field.id


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes, each with its own label."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
