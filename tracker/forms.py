"""The base of every form: CSRF from Flask-WTF, and no control characters in any text."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm

# C0 controls other than tab, line feed and carriage return: nobody types them, and
# PostgreSQL refuses NUL in text outright.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = "This contains a character that cannot be used here."
HIDDEN_FIELD_MESSAGE = "This form could not be read as it was sent. Reload the page and try again."


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
        # A hidden field shows no errors of its own, and only a changed page gets one wrong:
        # say so above the form instead of refusing without a word.
        if any(field.errors and _hidden(field) for field in self) and \
                HIDDEN_FIELD_MESSAGE not in self.form_errors:
            self.form_errors.append(HIDDEN_FIELD_MESSAGE)
        return valid


def _hidden(field) -> bool:
    return getattr(field.widget, "input_type", None) == "hidden"


def put_error(form, field: str | None, message: str) -> None:
    """Show `message` next to `field`, or above the form when the field is not on the page."""
    target = getattr(form, field, None) if field else None
    if target is None or _hidden(target):
        form.form_errors.append(message)  # a hidden field shows no errors: say it on top
        return
    target.errors = [*target.errors, message]
