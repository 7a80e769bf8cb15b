"""The person fields both compartments' forms share, and reading them into a PersonInput."""
from __future__ import annotations

from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import HiddenInput
from flask_babel import lazy_gettext as _l

from tracker.forms import DayField, MaxLength, MultiCheckboxField, TrackerForm, add_rule_errors
from tracker.people.models import IdentifierKind, Nationality, Sex
from tracker.people.rectification import Correction
from tracker.people.services import IdentifierInput, PersonInput, check_person
from tracker.vocabulary import choices


NEW_PERSON = "new"
NEW_PERSON_LABEL = _l("None of these: a new person")
CHOOSE_PERSON = _l("This person may be known already: choose one of the persons listed, or "
                   "\u201c%(new_person)s\u201d.", new_person=NEW_PERSON_LABEL)


class IdentifierFields(TrackerForm):
    """One identity number: its kind, the number as typed, a passport's issuing country."""

    identifier_kind = SelectField(_l("Identity number"),
                                  choices=choices(IdentifierKind, _l("None")),
                                  default="")
    identifier_value = StringField(_l("Number"), validators=[Optional(), MaxLength(40)],
                                   description=_l("Any notation: with or without dashes or "
                                                  "spaces, Urdu digits accepted."))
    identifier_country = StringField(_l("Passport issued by (country code)"),
                                     validators=[Optional(), MaxLength(2)],
                                     description=_l("NO for Norway, PK for Pakistan."))

    def identifier_input(self) -> IdentifierInput | None:
        """The number typed, or None; with the kind left at "None" it is kept, to be refused."""
        if not (self.identifier_value.data or "").strip():
            return None
        return IdentifierInput(self.identifier_kind.data or "", self.identifier_value.data,
                               self.identifier_country.data)


class AddIdentifierForm(IdentifierFields):
    """Another identity number for a person already recorded."""

    identifier_kind = SelectField(_l("Kind of number"),
                                  choices=choices(IdentifierKind, _l("Choose")),
                                  default="")
    identifier_value = StringField(_l("Number"),
                                   validators=[InputRequired(_l("Write the number.")),
                                               MaxLength(40)],
                                   description=_l("Any notation: with or without dashes or "
                                                  "spaces, Urdu digits accepted."))


class PersonFields(IdentifierFields):
    """A person typed in by an officer, plus the duplicate check's choice."""

    person_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    full_name = StringField(_l("Name, as the person writes it"),
                            validators=[Optional(), MaxLength(200)],
                            description=_l("Latin or Urdu script; æ, ø and å are fine."))
    other_names = StringField(_l("Other spellings (optional)"),
                              validators=[Optional(), MaxLength(400)],
                              description=_l("Separate with semicolons."))
    date_of_birth = DayField(_l("Date of birth"), validators=[Optional()])
    sex = SelectField(_l("Sex (optional)"), choices=choices(Sex, _l("Not given")), default="")
    nationality = SelectField(_l("Nationality"), choices=choices(Nationality, _l("Not known")),
                              default="")
    phone = StringField(_l("Phone"), validators=[Optional(), MaxLength(60)])

    use_person = RadioField(_l("Is it one of these persons?"), choices=[], validate_choice=False)

    def validate(self, extra_validators=None) -> bool:
        """The form's own checks and the person rules together, so that every mistake in
        the person's details shows in one answer."""
        valid = super().validate(extra_validators)
        if self.person_id.data:
            return valid  # an existing person: nothing typed about them to check
        return add_rule_errors(self, lambda: check_person(self.person_input())) and valid

    def duplicate_choice(self) -> tuple[str | None, bool]:
        """At the duplicate step: (the id of the person picked, or None; a new person?)."""
        picked = self.use_person.data or None
        if picked == NEW_PERSON:
            return None, True
        return picked, False

    def offer(self, candidates) -> None:
        """Fill the duplicate step's one radio group: each candidate, then a new person."""
        self.use_person.choices = [(str(p.id), p.full_name) for p in candidates] + [
            (NEW_PERSON, NEW_PERSON_LABEL)]
        if self.use_person.data:
            return
        self.use_person.errors = [*self.use_person.errors, CHOOSE_PERSON]

    def person_input(self) -> PersonInput:
        identifier = self.identifier_input()
        identifiers = [identifier] if identifier else []
        return PersonInput(
            full_name=self.full_name.data or "", date_of_birth=self.date_of_birth.data,
            sex=self.sex.data or None, nationality=self.nationality.data or None,
            phone=self.phone.data, identifiers=identifiers,
            other_names=[n for n in (self.other_names.data or "").split(";") if n.strip()])


class CorrectionForm(TrackerForm):
    """A person's details as recorded, to correct, with the reason kept beside the correction."""

    full_name = StringField(_l("Name, as the person writes it"),
                            validators=[InputRequired(_l("Write the person's name as they "
                                                         "write it.")), MaxLength(200)])
    other_names = StringField(_l("Other spellings (optional)"),
                              validators=[Optional(), MaxLength(400)],
                              description=_l("Separate with semicolons."))
    date_of_birth = DayField(_l("Date of birth"), validators=[Optional()])
    sex = SelectField(_l("Sex (optional)"), choices=choices(Sex, _l("Not given")), default="")
    nationality = SelectField(_l("Nationality"), choices=choices(Nationality, _l("Not known")),
                              default="")
    phone = StringField(_l("Phone"), validators=[Optional(), MaxLength(60)])
    email = StringField(_l("E-mail"), validators=[Optional(), MaxLength(254)])
    address = TextAreaField(_l("Address"), validators=[Optional(), MaxLength(2000)])
    drop_identifiers = MultiCheckboxField(
        _l("Identity numbers recorded in error"), coerce=int, choices=[],
        description=_l("Tick a number to remove it from the record. Add a right one on the "
                       "person's page."))
    reason = TextAreaField(_l("Why are the details corrected?"),
                           validators=[InputRequired(_l("Say why the details are corrected.")),
                                       MaxLength(2000)],
                           description=_l("For example: the person showed their passport; "
                                          "the name was misspelt when the request was logged. "
                                          "Kept with the correction and in the audit log."))
    version = HiddenField()

    def fill(self, person) -> None:
        """The identifiers to offer; on first opening, the details as recorded."""
        self.drop_identifiers.choices = [
            SelectChoice(i.id, f"{i.kind.label}: {i.shown}") for i in person.identifiers]
        if self.is_submitted():
            return
        self.full_name.data = person.full_name
        self.other_names.data = "; ".join(n.name for n in person.other_names)
        self.date_of_birth.data = person.date_of_birth
        self.sex.data = person.sex.value if person.sex else ""
        self.nationality.data = person.nationality.value if person.nationality else ""
        self.phone.data, self.email.data = person.phone, person.email
        self.address.data = person.address
        self.version.data = str(person.version)

    def opened_version(self) -> int | None:
        raw = (self.version.data or "").strip()
        return int(raw) if raw.isdigit() and len(raw) < 10 else None

    def correction(self) -> Correction:
        return Correction(
            full_name=self.full_name.data or "", date_of_birth=self.date_of_birth.data,
            other_names=[n for n in (self.other_names.data or "").split(";") if n.strip()],
            sex=self.sex.data or None, nationality=self.nationality.data or None,
            phone=self.phone.data, email=self.email.data, address=self.address.data,
            drop_identifiers=list(self.drop_identifiers.data or []))
