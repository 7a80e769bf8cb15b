"""Forms of the consular section."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from tracker.cases.models import Priority
from tracker.consular.categories import CATEGORIES, Category, Channel
from tracker.consular.workflow import Status
from tracker.i18n import english
from tracker.forms import DayField, MaxLength, TrackerForm, choose, chosen
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
    labels = [english(label) for info in CATEGORIES.values()
              for label in info.subcategories.values()]
    shared = {label for label in labels if labels.count(label) > 1}
    return [SelectChoice(f"{category.value}:{sub}",
                         _l("%(kind)s (%(category)s)", kind=label, category=_Lower(info.label))
                         if english(label) in shared else label,
                         optgroup=info.label)
            for category, info in CATEGORIES.items() for sub, label in info.subcategories.items()]


class _Lower:
    """A label in lower case when it is said (the reader's language decides when)."""

    def __init__(self, label):
        self.label = label

    def __str__(self) -> str:
        return str(self.label).lower()


def place_of_event_field() -> StringField:
    """Free text, with the districts of the offices served as suggestions (a <datalist>)."""
    return StringField(_l("Where it happened"), validators=[Optional(), MaxLength(120)],
                       description=_l("City or district: pick a suggestion or type the place."),
                       render_kw={"list": "districts", "autocomplete": "off"})


class NewRequestForm(PersonFields):
    """A request and the person it is about (the person fields are shared with the police)."""

    office = SelectField(_l("Logged for"), coerce=_row_id, choices=[], validate_choice=False,
                         validators=[Optional()],
                         description=_l("The office whose request this is."))
    kind = SelectField(_l("What is it about"), choices=choose(_l("Choose the kind of request"),
                                                          kindchoices()),
                       validators=[chosen(_l("Choose what the request is about."))],
                       description=_l("Category and kind of request."))
    priority = SelectField(_l("Priority"),
                           choices=choose(_l("Choose the priority"), choices(Priority)),
                           validators=[chosen(_l("Choose the priority."))])
    channel = SelectField(_l("Came in by"),
                          choices=choose(_l("Choose how it came in"), choices(Channel)),
                          validators=[chosen(_l("Choose how the request came in."))])
    summary = StringField(_l("Summary"), validators=[InputRequired(), MaxLength(200)],
                          description=_l("One line a colleague understands at a glance."))
    place_of_event = place_of_event_field()
    description = TextAreaField(_l("Details"), validators=[Optional(), MaxLength(50_000)])
    assigned_to = SelectField(_l("Assign to"), coerce=int, choices=[], validate_choice=False)
    enquiry_id = IntegerField(widget=HiddenInput(), validators=[Optional()])

    requester_name = StringField(_l("Their name"),
                                 validators=[Optional(), MaxLength(200)])
    requester_relationship = StringField(_l("Their relationship to the person"),
                                         validators=[Optional(), MaxLength(80)],
                                         description=_l("For example: mother, employer."))
    requester_phone = StringField(_l("Their phone number"), validators=[Optional(), MaxLength(60)])


class EditRequestForm(TrackerForm):
    subcategory = SelectField(_l("Kind of request"), choices=[], validate_choice=False)
    priority = SelectField(_l("Priority"), choices=choices(Priority))
    summary = StringField(_l("Summary"), validators=[InputRequired(), MaxLength(200)])
    place_of_event = place_of_event_field()
    description = TextAreaField(_l("Details"), validators=[Optional(), MaxLength(50_000)])
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class RequestFilterForm(TrackerForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    status = SelectField(_l("Status"), choices=choices(Status, _l("Any")), default="")
    category = SelectField(_l("Category"), choices=choices(Category, _l("Any")), default="")
    office = SelectField(_l("Office"), coerce=_row_id, choices=[],
                         validate_choice=False, validators=[Optional()])
    priority = SelectField(_l("Priority"), choices=choices(Priority, _l("Any")),
                           default="")
    officer = SelectField(_l("Officer"), coerce=_row_id, choices=[],
                          validate_choice=False, validators=[Optional()])
    opened_from = DayField(_l("Opened from"), validators=[Optional()])
    opened_to = DayField(_l("Opened to"), validators=[Optional()])
    sort = SelectField(_l("Sort"), choices=[SelectChoice("newest", _l("Newest first")),
                                        SelectChoice("oldest", _l("Oldest first")),
                                        SelectChoice("due", _l("Due soonest"))],
                       default="newest")
    overdue = BooleanField(_l("Overdue only"))


class EnquiryForm(TrackerForm):
    topic = SelectField(_l("Topic"), choices=choose(_l("Choose the topic"), choices(Category)),
                        validators=[chosen(_l("Choose what the enquiry was about."))])
    channel = SelectField(_l("Came in by"),
                          choices=choose(_l("Choose how it came in"), choices(Channel)),
                          validators=[chosen(_l("Choose how the enquiry came in."))])
    received_on = DayField(_l("Date"), validators=[Optional()],
                            description=_l("Leave empty for today."))


class ServiceTargetForm(TrackerForm):
    working_days = IntegerField(_l("Working days"), validators=[InputRequired(),
                                                            NumberRange(1, 365)])
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class RelationForm(TrackerForm):
    kind = SelectField(_l("Is the"), choices=choices(RelationKind))
    related = SelectField(_l("Of"), coerce=int, choices=[], validate_choice=False,
                          description=_l("The others named on this person's requests."))


class SubjectAccessForm(TrackerForm):
    """Ask for a subject-access export: the citizen's request is the reason."""

    reason = TextAreaField(
        _l("The citizen's request"),
        validators=[InputRequired(_l("Give the citizen's request.")), Length(min=10),
                    MaxLength(2000)],
        description=_l("When and how they asked, and its reference. Kept with the export "
                       "and in the audit log."))


class SubjectAccessDecisionForm(TrackerForm):
    note = TextAreaField(_l("Why?"),
                         validators=[InputRequired(), Length(min=10), MaxLength(2000)],
                         description=_l("Recorded with your name in the audit log."))
