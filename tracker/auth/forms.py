"""Forms for signing in, second factor, passwords, accounts and offices."""
from __future__ import annotations

from zoneinfo import available_timezones

from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import HiddenInput
from flask_babel import lazy_gettext as _l

from tracker.auth.models import OfficeKind, Role
from tracker.auth.passwords import MAX_LENGTH, MIN_LENGTH
from tracker.forms import MaxLength, TrackerForm, choose, chosen
from tracker.i18n import LANGUAGES
from tracker.vocabulary import choices

PASSWORD_HINT = _l("At least %(length)s characters. A short sentence or a few unrelated words "
                   "is easy to remember and hard to guess.", length=MIN_LENGTH)


class LoginForm(TrackerForm):
    email = EmailField(_l("E-mail address"), validators=[InputRequired(), MaxLength(254)],
                       render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[InputRequired(), MaxLength(MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})


class SecondFactorForm(TrackerForm):
    code = StringField(
        _l("Code from your authenticator app"),
        validators=[InputRequired(), MaxLength(20),
                    Regexp(r"^\s*\d{3}\s?\d{3}\s*$",
                           message=_l("Enter the six digits the app shows."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True},
    )


class LanguageForm(TrackerForm):
    language = SelectField(_l("Language of the pages"),
                           choices=[SelectChoice("", _l("As my browser asks")),
                                    *(SelectChoice(code, name) for code, name in LANGUAGES.items())],
                           description=_l("Dates are written 01.12.2026 in Norwegian."))


class PasswordChangeForm(TrackerForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[InputRequired(), MaxLength(MAX_LENGTH)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), description=PASSWORD_HINT,
                                 validators=[InputRequired(), MaxLength(MAX_LENGTH)],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"),
                            validators=[InputRequired(), MaxLength(MAX_LENGTH),
                                        EqualTo("new_password", _l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


def role_choices():
    return choices(Role)


class UserForm(TrackerForm):
    """Editing an account; the e-mail address is fixed once the account exists."""

    display_name = StringField(_l("Name"), validators=[InputRequired(), MaxLength(120)],
                               render_kw={"autocomplete": "off"})
    role = SelectField(_l("Role"), choices=role_choices())
    office = SelectField(_l("Office"), coerce=int)
    active = BooleanField(_l("Account is active"), default=True,
                          description=_l("An inactive account cannot sign in."))
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class NewUserForm(UserForm):
    # A new account's role decides what it may reach: chosen, never the first in the list.
    role = SelectField(_l("Role"), choices=choose(_l("Choose the role"), role_choices()),
                       validators=[chosen(_l("Choose the account's role."))])
    email = EmailField(_l("E-mail address"), validators=[InputRequired(), MaxLength(254)],
                       render_kw={"autocomplete": "off"})
    password = PasswordField(_l("Initial password"),
                             description=_l(
                                 "At least %(length)s characters. A short sentence or a few "
                                 "unrelated words is easy to remember and hard to guess. Leave "
                                 "it empty for a police liaison officer, manager or "
                                 "administrator: a second administrator approves the account "
                                 "and receives a one-time password for it.", length=MIN_LENGTH),
                             validators=[Optional(), MaxLength(MAX_LENGTH)],
                             render_kw={"autocomplete": "new-password"})
    field_order = ("email", "display_name", "role", "office", "password", "active")


class DecisionForm(TrackerForm):
    """Approve, refuse or withdraw a proposal, as of the version the page showed."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class OfficeForm(TrackerForm):
    code = StringField(_l("Code"),
                       description=_l("Three letters used in case references, e.g. ISB."),
                       validators=[InputRequired(), Length(min=3), MaxLength(3)])
    name = StringField(_l("Name"), validators=[InputRequired(), MaxLength(120)])
    kind = SelectField(_l("Kind"), choices=choices(OfficeKind))
    time_zone = SelectField(_l("Time zone"),
                            description=_l("Days and months of this office are counted in it."),
                            choices=sorted(available_timezones()), default="Asia/Karachi")
    address = TextAreaField(_l("Postal address"), validators=[Optional(), MaxLength(500)],
                            description=_l("As letters print it under the office's name, "
                                           "one line per line."))
    active = BooleanField(_l("Office is active"), default=True)
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
