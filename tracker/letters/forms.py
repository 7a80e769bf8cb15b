"""Forms for letter templates (administrators) and letters (officers on a case)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired

from tracker.forms import MaxLength, TrackerForm, chosen
from tracker.letters.models import LetterLanguage
from tracker.vocabulary import choices


class TemplateUploadForm(TrackerForm):
    name = StringField(_l("Name"), validators=[InputRequired(), MaxLength(120)],
                       description=_l("For example: Note verbale to the Ministry of Foreign "
                                      "Affairs. A file uploaded under the same name, category "
                                      "and language becomes its next version."))
    category = SelectField(_l("Offered on"), choices=[], validate_choice=False)
    language = SelectField(_l("Language of the letter"), choices=choices(LetterLanguage))
    file = FileField(_l("Template (DOCX)"),
                     description=_l("A Word document (DOCX) up to 2 MB, with placeholders "
                                    "from the list below."),
                     render_kw={"accept": ".docx"})


class LetterForm(TrackerForm):
    template = SelectField(_l("Template"), choices=[], validate_choice=False,
                           validators=[chosen(_l("Choose a template."))])
