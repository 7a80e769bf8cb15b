"""Forms of the police compartment."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from tracker.cases.models import Priority
from tracker.cases.pending import PendingUploadFields
from tracker.forms import MaxLength, TrackerForm, choose, chosen
from tracker.people.forms import PersonFields
from tracker.police.categories import (
    Counterpart,
    Direction,
    ExchangeChannel,
    HandlingCode,
    InformationGrade,
    NordicCountry,
    NoticeColour,
    PartyRole,
    PoliceCategory,
    SourceGrade,
)
from tracker.police.workflow import Status
from tracker.vocabulary import choices


class CaseForm(TrackerForm):
    title = StringField("Title", validators=[InputRequired(), MaxLength(200)],
                        description="What the case is, in a line.")
    category = SelectField("Kind of case",
                           choices=choose("Choose the kind of case", choices(PoliceCategory)),
                           validators=[chosen("Choose the kind of case.")])
    country = SelectField("Handled for", choices=choose(_l("Choose the country"), choices(NordicCountry)),
                          validators=[chosen(_l("Choose the Nordic country the case is handled for."))],
                          description="The Nordic police service that asked.")
    requesting_agency = StringField("Requesting agency", validators=[InputRequired(),
                                                                     MaxLength(120)],
                                    description="For example Kripos, Rigspolitiet, KRP, "
                                                "Ríkislögreglustjóri, Polismyndigheten/NOA.")
    agency_reference = StringField("Their reference", validators=[Optional(), MaxLength(80)])
    operation_name = StringField("Operation name", validators=[Optional(), MaxLength(120)])
    counterpart = SelectField("Host-country counterpart",
                              choices=choose(_l("Choose the counterpart"), choices(Counterpart)),
                              validators=[chosen(_l("Choose the host-country counterpart."))])
    counterpart_reference = StringField("Counterpart's reference",
                                        validators=[Optional(), MaxLength(80)])
    fir_number = StringField("FIR number", validators=[Optional(), MaxLength(80)],
                             description="The First Information Report the host-country "
                                         "police registered, with its police station.")
    priority = SelectField("Priority", choices=choose("Choose the priority", choices(Priority)),
                           validators=[chosen("Choose the priority.")])
    description = TextAreaField("Background", validators=[Optional(), MaxLength(50_000)])
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class PartyForm(PersonFields):
    role = SelectField("Role in the case", choices=choices(PartyRole))


class ExchangeForm(PendingUploadFields):
    exchanged_on = DateField("Date", validators=[Optional()],
                             description="Leave empty for today.")
    direction = SelectField("Direction", choices=choices(Direction))
    channel = SelectField("Channel", choices=choices(ExchangeChannel))
    counterpart = StringField("With", validators=[InputRequired(), MaxLength(200)],
                              description="For example: FIA Anti-Human Trafficking Circle, "
                                          "Lahore; or Kripos.")
    summary = TextAreaField("Summary", validators=[InputRequired(), MaxLength(20_000)])
    handling_code = SelectField("Handling code",
                                choices=choose("Choose the handling code", choices(HandlingCode)),
                                validators=[chosen("Choose the handling code the sender gave.")],
                                description="What the sender allows: H2 material never "
                                            "leaves the compartment.")
    restriction = StringField("H3 restriction", validators=[Optional(), MaxLength(2000)],
                              description="Required with H3: the restriction, in words.")
    source_grade = SelectField("Source (4x4)", choices=choices(SourceGrade, "Not graded"),
                               default="")
    information_grade = SelectField("Information (4x4)",
                                    choices=choices(InformationGrade, "Not graded"),
                                    default="")
    document = FileField("Document (optional)",
                         description="PDF, JPEG, PNG or Word (DOCX), up to 20 MB.")


class NoticeForm(TrackerForm):
    colour = SelectField("Notice or diffusion", choices=choices(NoticeColour))
    number = StringField("Number", validators=[InputRequired(), MaxLength(40)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RestrictionForm(TrackerForm):
    restricted = BooleanField("Restrict to the named liaison officers")
    officers = MultiCheckboxField("Named officers", coerce=int, choices=[],
                                  validate_choice=False)


class BreakGlassForm(TrackerForm):
    reason = TextAreaField("Why do you need to open it?",
                           validators=[InputRequired(), Length(min=10), MaxLength(2000)],
                           description="Recorded with your name and shown on the case.")


class LinkForm(TrackerForm):
    reference = StringField("Consular request reference",
                            validators=[InputRequired(), MaxLength(20)],
                            description="For example ISB-2026-00123, from the consular "
                                        "section.")


class CaseFilterForm(TrackerForm):
    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), MaxLength(200)],
                    description="Reference, title, operation, a party's name or number.")
    status = SelectField("Status", choices=choices(Status, "Open") + [
        SelectChoice("all", "Any")], default="")
    category = SelectField("Kind", choices=choices(PoliceCategory, "Any"),
                           default="")
    country = SelectField("Handled for", choices=choices(NordicCountry, "Any"),
                          default="")
