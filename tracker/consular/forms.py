"""Forms of the consular section."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import HiddenInput

from tracker.cases.models import Priority
from tracker.consular.categories import CATEGORIES, Category, Channel
from tracker.consular.workflow import Status
from tracker.forms import MaxLength, TrackerForm, choose, chosen
from tracker.people.forms import PersonFields
from tracker.people.models import RelationKind
from tracker.vocabulary import choices


def _row_id(value) -> int | None:
    """A row id from a filter, or None for "any"; a number no row can have is refused."""
    if value in (None, ""):
        return None
    number = int(value)
    if not 0 < number < 2**31:
        raise ValueError("not a row id")
    return number


def kindchoices() -> list[SelectChoice]:
    """Category and sub-category in one list, grouped: one choice, no script needed.

    A closed list shows only the option's own label, so a label that two categories share
    ("Repatriation") says which category it belongs to.
    """
    labels = [label for info in CATEGORIES.values() for label in info.subcategories.values()]
    shared = {label for label in labels if labels.count(label) > 1}
    return [SelectChoice(f"{category.value}:{sub}",
                         f"{label} ({info.label.lower()})" if label in shared else label,
                         optgroup=info.label)
            for category, info in CATEGORIES.items() for sub, label in info.subcategories.items()]


def place_of_event_field() -> StringField:
    """Free text, with the districts of the offices served as suggestions (a <datalist>)."""
    return StringField("Where it happened", validators=[Optional(), MaxLength(120)],
                       description="City or district: pick a suggestion or type the place.",
                       render_kw={"list": "districts", "autocomplete": "off"})


class NewRequestForm(PersonFields):
    """A request and the person it is about (the person fields are shared with the police)."""

    office = SelectField("Logged for", coerce=_row_id, choices=[], validate_choice=False,
                         validators=[Optional()],
                         description="The office whose request this is.")
    kind = SelectField("What is it about", choices=choose("Choose the kind of request",
                                                          kindchoices()),
                       validators=[chosen("Choose what the request is about.")],
                       description="Category and kind of request.")
    priority = SelectField("Priority", choices=choose("Choose the priority", choices(Priority)),
                           validators=[chosen("Choose the priority.")])
    channel = SelectField("Came in by", choices=choose(_l("Choose how it came in"), choices(Channel)),
                          validators=[chosen(_l("Choose how the request came in."))])
    summary = StringField("Summary", validators=[InputRequired(), MaxLength(200)],
                          description="One line a colleague understands at a glance.")
    place_of_event = place_of_event_field()
    description = TextAreaField("Details", validators=[Optional(), MaxLength(50_000)])
    assigned_to = SelectField("Assign to", coerce=int, choices=[], validate_choice=False)
    enquiry_id = IntegerField(widget=HiddenInput(), validators=[Optional()])

    requester_name = StringField("Their name",
                                 validators=[Optional(), MaxLength(200)])
    requester_relationship = StringField("Their relationship to the person",
                                         validators=[Optional(), MaxLength(80)],
                                         description="For example: mother, employer.")
    requester_phone = StringField("Their phone number", validators=[Optional(), MaxLength(60)])


class EditRequestForm(TrackerForm):
    subcategory = SelectField("Kind of request", choices=[], validate_choice=False)
    priority = SelectField("Priority", choices=choices(Priority))
    summary = StringField("Summary", validators=[InputRequired(), MaxLength(200)])
    place_of_event = place_of_event_field()
    description = TextAreaField("Details", validators=[Optional(), MaxLength(50_000)])
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class RequestFilterForm(TrackerForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    status = SelectField("Status", choices=choices(Status, "Any"), default="")
    category = SelectField("Category", choices=choices(Category, "Any"), default="")
    office = SelectField("Office", coerce=_row_id, choices=[],
                         validate_choice=False, validators=[Optional()])
    priority = SelectField("Priority", choices=choices(Priority, "Any"),
                           default="")
    officer = SelectField("Officer", coerce=_row_id, choices=[],
                          validate_choice=False, validators=[Optional()])
    opened_from = DateField("Opened from", validators=[Optional()])
    opened_to = DateField("Opened to", validators=[Optional()])
    sort = SelectField("Sort", choices=[SelectChoice("newest", "Newest first"),
                                        SelectChoice("oldest", "Oldest first"),
                                        SelectChoice("due", "Due soonest")],
                       default="newest")
    overdue = BooleanField("Overdue only")


class EnquiryForm(TrackerForm):
    topic = SelectField("Topic", choices=choose(_l("Choose the topic"), choices(Category)),
                        validators=[chosen(_l("Choose what the enquiry was about."))])
    channel = SelectField("Came in by", choices=choose(_l("Choose how it came in"), choices(Channel)),
                          validators=[chosen(_l("Choose how the enquiry came in."))])
    received_on = DateField("Date", validators=[Optional()],
                            description="Leave empty for today.")


class ServiceTargetForm(TrackerForm):
    working_days = IntegerField("Working days", validators=[InputRequired(),
                                                            NumberRange(1, 365)])
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class RelationForm(TrackerForm):
    kind = SelectField("Is the", choices=choices(RelationKind))
    related = SelectField("Of", coerce=int, choices=[], validate_choice=False,
                          description="The others named on this person's requests.")
