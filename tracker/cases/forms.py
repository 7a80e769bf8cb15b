"""Forms both compartments use on a case page: journal, documents, workflow steps, assignment."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import HiddenInput
from flask_babel import lazy_gettext as _l

from tracker.cases.models import ContactChannel, Priority
from tracker.cases.pending import PendingUploadFields
from tracker.forms import DayField, MaxLength, TrackerForm, choose, chosen
from tracker.vocabulary import choices


class NoteForm(TrackerForm):
    text = TextAreaField(_l("Note"), validators=[InputRequired(), MaxLength(20_000)],
                        description=_l("Saved notes cannot be changed; to correct one, "
                                       "add a new note that refers to it."))
    corrects_id = IntegerField(widget=HiddenInput(), validators=[Optional()])


class ContactForm(TrackerForm):
    contact_channel = SelectField(_l("How"), choices=[SelectChoice(c.value, c.label)
                                                  for c in ContactChannel])
    contact_with = StringField(_l("With whom"), validators=[InputRequired(), MaxLength(200)],
                               description=_l("For example: the mother, the prison governor, "
                                              "the hospital's duty doctor."))
    said = TextAreaField(_l("What was said"), validators=[InputRequired(), MaxLength(20_000)])


class DocumentForm(PendingUploadFields):
    file = FileField(_l("Document"), description=_l("PDF, JPEG, PNG or Word (DOCX), up to 20 MB."),
                     render_kw={"accept": ".pdf,.jpg,.jpeg,.png,.docx"})


class RemoveDocumentForm(TrackerForm):
    reason = StringField(_l("Why remove it"), validators=[InputRequired(), MaxLength(2000)])


class LegalHoldForm(TrackerForm):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), MaxLength(2000)],
                           description=_l("For example: a claim against the embassy, a court "
                                          "case, an inquiry by the Parliamentary Ombud."))


class TransitionForm(TrackerForm):
    """One form for every workflow step; each step's page shows the fields it needs."""

    comment = TextAreaField(_l("Comment"), validators=[Optional(), MaxLength(5000)])
    waiting_on = SelectField(_l("Waiting on"), choices=[], validate_choice=False)
    waiting_reason = StringField(_l("Waiting for"), validators=[Optional(), MaxLength(500)],
                                 description=_l("For example: the police report from Lahore."))
    hold_until = DayField(_l("Hold until (optional)"), validators=[Optional()],
                           description=_l("The request returns to work by itself on this day."))
    closing_reason = SelectField(_l("Outcome"), choices=[], validate_choice=False)
    cancel_reason = SelectField(_l("Why cancel"), choices=[], validate_choice=False)


class AssignForm(TrackerForm):
    assigned_to = SelectField(_l("Assign to"), coerce=int, choices=[], validate_choice=False)


# --- a case list: saved views and the selection's bulk actions -------------------------------


class SaveViewForm(TrackerForm):
    """Save the list as it is filtered and sorted now (the filters travel in the address)."""

    name = StringField(_l("Name of the view"), validators=[InputRequired(), MaxLength(80)],
                       description=_l("For example: Overdue passports at Karachi."))


class RenameViewForm(TrackerForm):
    name = StringField(_l("New name"), validators=[InputRequired(), MaxLength(80)])
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class ShareViewForm(TrackerForm):
    office = SelectField(_l("Shared with"), coerce=int, choices=[], validate_choice=False,
                         description=_l("Officers of that office see it on their home page, "
                                        "counted as they may read the list."))
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class DeleteViewForm(TrackerForm):
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class BulkPriorityForm(TrackerForm):
    priority = SelectField(_l("New priority"),
                           choices=choose(_l("Choose the priority"), choices(Priority)),
                           validators=[chosen(_l("Choose the priority."))])


class BulkReassignForm(TrackerForm):
    assigned_to = SelectField(_l("Reassign to"), coerce=int, choices=[], validate_choice=False)
    reason = StringField(_l("Why"), validators=[InputRequired(_l("Say why the cases are "
                                                                 "reassigned.")),
                                                MaxLength(500)],
                         description=_l("Recorded on each case's timeline and in the audit log."))
