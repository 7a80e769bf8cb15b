"""Forms both compartments use on a case page: journal, documents, workflow steps, assignment."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from tracker.cases.models import ContactChannel
from tracker.forms import TrackerForm


class NoteForm(TrackerForm):
    text = TextAreaField("Note", validators=[InputRequired(), Length(max=20_000)],
                        description="Saved notes cannot be changed; to correct one, "
                                    "add a new note that refers to it.")
    corrects_id = IntegerField(widget=HiddenInput(), validators=[Optional()])


class ContactForm(TrackerForm):
    contact_channel = SelectField("How", choices=[SelectChoice(c.value, c.label)
                                                  for c in ContactChannel])
    contact_with = StringField("With whom", validators=[InputRequired(), Length(max=200)],
                               description="For example: the mother, the prison governor, "
                                           "the hospital's duty doctor.")
    said = TextAreaField("What was said", validators=[InputRequired(), Length(max=20_000)])


class DocumentForm(TrackerForm):
    file = FileField("Document", description="PDF, JPEG, PNG or Word (DOCX), up to 20 MB.",
                     render_kw={"accept": ".pdf,.jpg,.jpeg,.png,.docx"})


class RemoveDocumentForm(TrackerForm):
    reason = StringField("Why remove it", validators=[InputRequired(), Length(max=2000)])


class TransitionForm(TrackerForm):
    """One form for every workflow step; each step's page shows the fields it needs."""

    comment = TextAreaField("Comment", validators=[Optional(), Length(max=5000)])
    waiting_on = SelectField("Waiting on", choices=[], validate_choice=False)
    waiting_reason = StringField("Waiting for", validators=[Optional(), Length(max=500)],
                                 description="For example: the police report from Lahore.")
    hold_until = DateField("Hold until (optional)", validators=[Optional()],
                           description="The request returns to work by itself on this day.")
    closing_reason = SelectField("Outcome", choices=[], validate_choice=False)
    cancel_reason = SelectField("Why cancel", choices=[], validate_choice=False)


class AssignForm(TrackerForm):
    assigned_to = SelectField("Assign to", coerce=int, choices=[], validate_choice=False)
