"""The one form of the reports: publishing a month."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Optional

from tracker.forms import MaxLength, TrackerForm


class PublishForm(TrackerForm):
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), MaxLength(2000)],
                            description=_l("Shown with the published report and in its PDF, "
                                           "e.g. what the figures do not show."))
