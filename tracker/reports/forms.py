"""The one form of the reports: publishing a month."""
from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import Optional

from tracker.forms import MaxLength, TrackerForm


class PublishForm(TrackerForm):
    comment = TextAreaField("Comment (optional)", validators=[Optional(), MaxLength(2000)],
                            description="Shown with the published report and in its PDF, "
                                        "e.g. what the figures do not show.")
