"""What each compartment registers on its own blueprint: the possible-duplicates queue and
adding another identity number to a person.

Managers work the consular pairs, liaison officers the police pairs; a pair shows only when the
reader may see both records (the scope decides), and comparing them is a read of both.
"""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length

from tracker.audit import service as audit
from tracker.auth.permissions import Permission, allow
from tracker.forms import MaxLength, TrackerForm
from tracker.people import duplicates
from tracker.people import services as people
from tracker.people import rectification
from tracker.people.forms import AddIdentifierForm, CorrectionForm
from tracker.people.models import Compartment, Person, PossibleDuplicate
from tracker.unit_of_work import unit_of_work

DECISIONS = {"merge": duplicates.merge, "not-same": duplicates.not_the_same,
             "undo": duplicates.undo}


class DecisionForm(TrackerForm):
    reason = TextAreaField(_l("Why?"),
                           validators=[InputRequired(), Length(min=10), MaxLength(2000)],
                           description=_l("Recorded with your name in the audit log."))
    version = HiddenField()

    def opened_version(self) -> int | None:
        raw = (self.version.data or "").strip()
        return int(raw) if raw.isdigit() and len(raw) < 10 else None


def register_duplicate_queue(bp: Blueprint, compartment: Compartment, permission: Permission,
                             person_endpoint: str) -> None:
    prefix = bp.name

    def _pair(pair_id: int) -> PossibleDuplicate:
        pair = duplicates.load_pair(pair_id)
        if pair is None or pair.compartment is not compartment:
            abort(404)
        return pair

    def _render(pair: PossibleDuplicate, form: DecisionForm, status: int = 200):
        with unit_of_work():
            for person_id in (pair.person_id, pair.other_id):
                audit.record(f"{compartment}_person.viewed",
                             object_type=f"{compartment}_person", object_id=person_id,
                             details={"through": "duplicate queue"})
        form.version.data = pair.version
        return render_template("people/pair.html", pair=pair, form=form, prefix=prefix,
                               person_endpoint=person_endpoint,
                               can_undo=duplicates.can_undo(pair)), status

    @bp.route("/duplicates")
    @allow(permission)
    def duplicate_queue():
        return render_template("people/duplicates.html", pairs=duplicates.pairs(compartment),
                               decided=duplicates.pairs(compartment, decided=True, limit=20),
                               prefix=prefix)

    @bp.route("/duplicates/<int:pair_id>")
    @allow(permission)
    def duplicate_pair(pair_id: int):
        return _render(_pair(pair_id), DecisionForm())

    @bp.route("/duplicates/<int:pair_id>/<any(merge, 'not-same', undo):decision>",
              methods=["POST"])
    @allow(permission)
    def decide_duplicate(pair_id: int, decision: str):
        pair = _pair(pair_id)
        form = DecisionForm()
        if form.validate_on_submit():
            with unit_of_work(form, back=url_for(f"{prefix}.duplicate_pair",
                                                 pair_id=pair.id)) as work:
                DECISIONS[decision](pair, current_user, form.reason.data,
                                    version=form.opened_version())
            if work.done:
                flash({"merge": _("Merged: the later record now points to the kept one."),
                       "not-same": _("Recorded as two different persons."),
                       "undo": _("Merge undone: both records are as they were.")}[decision],
                      "success")
                return redirect(url_for(f"{prefix}.duplicate_pair", pair_id=pair.id))
        return _render(_pair(pair_id), form, 422)


def register_add_identifier(bp: Blueprint, permission: Permission,
                            visible_person: Callable[[int], Person],
                            render_person: Callable[..., object], person_endpoint: str) -> None:
    """POST /persons/<id>/identifiers: another identity number for a person the officer sees
    (`visible_person` answers 404 for any other); errors show on the person page."""

    @bp.route("/persons/<int:person_id>/identifiers", methods=["POST"])
    @allow(permission)
    def add_identifier(person_id: int):
        found = visible_person(person_id)
        form = AddIdentifierForm()
        if form.validate_on_submit():
            with unit_of_work(form) as work:
                people.add_identifier(found, form.identifier_input(), current_user)
            if work.done:
                flash(_("Identity number added."), "success")
                return redirect(url_for(person_endpoint, person_id=found.id) + "#identifiers")
        return render_person(found, identifier_form=form, status=422)


def register_correction(bp: Blueprint, permission: Permission,
                        visible_person: Callable[[int], Person], person_endpoint: str) -> None:
    """GET and POST /persons/<id>/correct: the person's details corrected with a reason
    (rectification), for a person the officer sees (`visible_person` answers 404 otherwise)."""

    def _page(found: Person, form: CorrectionForm, status: int = 200):
        return render_template("people/correct.html", person=found, form=form,
                               person_endpoint=person_endpoint,
                               field_labels=rectification.FIELD_LABELS), status

    @bp.route("/persons/<int:person_id>/correct", methods=["GET", "POST"])
    @allow(permission)
    def correct_person(person_id: int):
        found = visible_person(person_id)
        form = CorrectionForm()
        form.fill(found)
        if not form.is_submitted():
            with unit_of_work():
                audit.record(f"{found.compartment}_person.viewed",
                             object_type=f"{found.compartment}_person", object_id=found.id,
                             details={"through": "correction"})
            return _page(visible_person(person_id), form)
        if form.validate():
            back = url_for(f"{bp.name}.correct_person", person_id=found.id)
            with unit_of_work(form, back=back) as work:
                changed = rectification.correct(found, form.correction(), form.reason.data,
                                                current_user, form.opened_version())
            if work.done:
                flash(_("Corrected: %(fields)s. The reason is kept with the correction.",
                        fields=", ".join(str(rectification.FIELD_LABELS[k]) for k in changed)),
                      "success")
                return redirect(url_for(person_endpoint, person_id=found.id) + "#corrections")
        return _page(visible_person(person_id), form, 422)
