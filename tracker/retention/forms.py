"""The form of one retention period (one per rule on the rules page)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import HiddenInput

from tracker.forms import TrackerForm
from tracker.retention.rules import MAX_YEARS, MIN_YEARS


class RuleForm(TrackerForm):
    years = IntegerField(_l("Years after closing"),
                         validators=[InputRequired(), NumberRange(MIN_YEARS, MAX_YEARS)])
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
