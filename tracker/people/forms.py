"""The person fields both compartments' forms share, and reading them into a PersonInput."""
from __future__ import annotations

from wtforms import DateField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import HiddenInput

from tracker.forms import MaxLength, TrackerForm, add_rule_errors
from tracker.people.models import IdentifierKind, Nationality, Sex
from tracker.people.services import IdentifierInput, PersonInput, check_person
from tracker.vocabulary import choices


NEW_PERSON = "new"
NEW_PERSON_LABEL = "None of these: a new person"
CHOOSE_PERSON = ("This person may be known already: choose one of the persons listed, or "
                 "\u201cNone of these: a new person\u201d.")


class IdentifierFields(TrackerForm):
    """One identity number: its kind, the number as typed, a passport's issuing country."""

    identifier_kind = SelectField("Identity number", choices=choices(IdentifierKind, "None"),
                                  default="")
    identifier_value = StringField("Number", validators=[Optional(), MaxLength(40)],
                                   description="Any notation: with or without dashes or "
                                               "spaces, Urdu digits accepted.")
    identifier_country = StringField("Passport issued by (country code)",
                                     validators=[Optional(), MaxLength(2)],
                                     description="NO for Norway, PK for Pakistan.")

    def identifier_input(self) -> IdentifierInput | None:
        """The number typed, or None; with the kind left at "None" it is kept, to be refused."""
        if not (self.identifier_value.data or "").strip():
            return None
        return IdentifierInput(self.identifier_kind.data or "", self.identifier_value.data,
                               self.identifier_country.data)


class AddIdentifierForm(IdentifierFields):
    """Another identity number for a person already recorded."""

    identifier_kind = SelectField("Kind of number", choices=choices(IdentifierKind, "Choose"),
                                  default="")
    identifier_value = StringField("Number", validators=[InputRequired("Write the number."),
                                                         MaxLength(40)],
                                   description="Any notation: with or without dashes or "
                                               "spaces, Urdu digits accepted.")


class PersonFields(IdentifierFields):
    """A person typed in by an officer, plus the duplicate check's choice."""

    person_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    full_name = StringField("Name, as the person writes it",
                            validators=[Optional(), MaxLength(200)],
                            description="Latin or Urdu script; æ, ø and å are fine.")
    other_names = StringField("Other spellings (optional)",
                              validators=[Optional(), MaxLength(400)],
                              description="Separate with semicolons.")
    date_of_birth = DateField("Date of birth", validators=[Optional()])
    sex = SelectField("Sex (optional)", choices=choices(Sex, "Not given"), default="")
    nationality = SelectField("Nationality", choices=choices(Nationality, "Not known"),
                              default="")
    phone = StringField("Phone", validators=[Optional(), MaxLength(60)])

    use_person = RadioField("Is it one of these persons?", choices=[], validate_choice=False)

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
