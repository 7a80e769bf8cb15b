"""Forms of the police compartment."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from tracker.cases.models import Priority
from tracker.cases.pending import PendingUploadFields
from tracker.forms import DayField, MaxLength, MultiCheckboxField, TrackerForm, choose, chosen
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
    title = StringField(_l("Title"), validators=[InputRequired(), MaxLength(200)],
                        description=_l("What the case is, in a line."))
    category = SelectField(_l("Kind of case"),
                           choices=choose(_l("Choose the kind of case"), choices(PoliceCategory)),
                           validators=[chosen(_l("Choose the kind of case."))])
    country = SelectField(_l("Handled for"),
                          choices=choose(_l("Choose the country"), choices(NordicCountry)),
                          validators=[chosen(_l("Choose the Nordic country the case is handled for."))],
                          description=_l("The Nordic police service that asked."))
    requesting_agency = StringField(_l("Requesting agency"), validators=[InputRequired(),
                                                                     MaxLength(120)],
                                    description=_l("For example Kripos, Rigspolitiet, KRP, "
                                                   "Ríkislögreglustjóri, Polismyndigheten/NOA."))
    agency_reference = StringField(_l("Their reference"), validators=[Optional(), MaxLength(80)])
    operation_name = StringField(_l("Operation name"), validators=[Optional(), MaxLength(120)])
    counterpart = SelectField(_l("Host-country counterpart"),
                              choices=choose(_l("Choose the counterpart"), choices(Counterpart)),
                              validators=[chosen(_l("Choose the host-country counterpart."))])
    counterpart_reference = StringField(_l("Counterpart's reference"),
                                        validators=[Optional(), MaxLength(80)])
    fir_number = StringField(_l("FIR number"), validators=[Optional(), MaxLength(80)],
                             description=_l("The First Information Report the host-country "
                                            "police registered, with its police station."))
    priority = SelectField(_l("Priority"),
                           choices=choose(_l("Choose the priority"), choices(Priority)),
                           validators=[chosen(_l("Choose the priority."))])
    description = TextAreaField(_l("Background"), validators=[Optional(), MaxLength(50_000)])
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class PartyForm(PersonFields):
    role = SelectField(_l("Role in the case"), choices=choices(PartyRole))


class ExchangeForm(PendingUploadFields):
    exchanged_on = DayField(_l("Date"), validators=[Optional()],
                             description=_l("Leave empty for today."))
    direction = SelectField(_l("Direction"), choices=choices(Direction))
    channel = SelectField(_l("Channel"), choices=choices(ExchangeChannel))
    counterpart = StringField(_l("With"), validators=[InputRequired(), MaxLength(200)],
                              description=_l("For example: FIA Anti-Human Trafficking Circle, "
                                             "Lahore; or Kripos."))
    summary = TextAreaField(_l("Summary"), validators=[InputRequired(), MaxLength(20_000)])
    handling_code = SelectField(_l("Handling code"),
                                choices=choose(_l("Choose the handling code"),
                                               choices(HandlingCode)),
                                validators=[
                                    chosen(_l("Choose the handling code the sender gave."))],
                                description=_l("What the sender allows: H2 material never "
                                               "leaves the compartment."))
    restriction = StringField(_l("H3 restriction"), validators=[Optional(), MaxLength(2000)],
                              description=_l("Required with H3: the restriction, in words."))
    source_grade = SelectField(_l("Source (4x4)"), choices=choices(SourceGrade, _l("Not graded")),
                               default="")
    information_grade = SelectField(_l("Information (4x4)"),
                                    choices=choices(InformationGrade, _l("Not graded")),
                                    default="")
    document = FileField(_l("Document (optional)"),
                         description=_l("PDF, JPEG, PNG or Word (DOCX), up to 20 MB."))


class NoticeForm(TrackerForm):
    colour = SelectField(_l("Notice or diffusion"), choices=choices(NoticeColour))
    number = StringField(_l("Number"), validators=[InputRequired(), MaxLength(40)])


class RestrictionForm(TrackerForm):
    restricted = BooleanField(_l("Restrict to the named liaison officers"))
    officers = MultiCheckboxField(_l("Named officers"), coerce=int, choices=[],
                                  validate_choice=False)


class BreakGlassForm(TrackerForm):
    reason = TextAreaField(_l("Why do you need to open it?"),
                           validators=[InputRequired(), Length(min=10), MaxLength(2000)],
                           description=_l("Recorded with your name and shown on the case."))


class LinkForm(TrackerForm):
    reference = StringField(_l("Consular request reference"),
                            validators=[InputRequired(), MaxLength(20)],
                            description=_l("For example ISB-2026-00123, from the consular "
                                           "section."))


class CaseFilterForm(TrackerForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), MaxLength(200)],
                    description=_l("Reference, title, operation, a party's name or number."))
    status = SelectField(_l("Status"), choices=choices(Status, _l("Open")) + [
        SelectChoice("all", _l("Any"))], default="")
    category = SelectField(_l("Kind"), choices=choices(PoliceCategory, _l("Any")),
                           default="")
    country = SelectField(_l("Handled for"), choices=choices(NordicCountry, _l("Any")),
                          default="")
