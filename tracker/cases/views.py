"""Case-page actions both compartments share: notes, contacts, documents, steps, assignment.

A compartment calls `register_case_actions` with its registered `CaseType` (how to load a case
it may see, the permissions, where its case page is, who may be assigned, each step's fields);
the routes land on its own blueprint, behind its own URL prefix and access rules.
"""
from __future__ import annotations

from typing import Callable

from flask_babel import gettext as _
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from tracker.auth.permissions import allow
from tracker.cases import (
    assignment,
    documents,
    holds,
    journal,
    pending,
    previews,
    registry,
    workflow,
)
from tracker.cases.forms import (
    AssignForm,
    ContactForm,
    DocumentForm,
    LegalHoldForm,
    NoteForm,
    RemoveDocumentForm,
    TransitionForm,
)
from tracker.cases.models import Attachment, Case
from tracker.cases.registry import CaseType
from tracker.domain import StaleRecord
from tracker.extensions import db
from tracker.forms import put_error
from tracker.unit_of_work import unit_of_work


# Fills the step form's choices for a case (outcomes, waiting reasons, ...).
PrepareStepForm = Callable[[Case, TransitionForm], None]


def register_case_actions(bp: Blueprint, case_type: CaseType,
                          prepare_step_form: PrepareStepForm) -> None:
    """Add the shared case actions to the compartment's blueprint, behind its own URL prefix
    and the case type's permissions. Each action is a page of its own (GET shows its one form,
    POST saves and goes back to the case, or shows the form again with its errors)."""

    def back(case: Case, anchor: str = ""):
        return redirect(url_for(case_type.detail_endpoint, reference=case.reference) + anchor)

    def page(case: Case, title: str, template: str, status: int = 200, **context):
        return registry.render_action_page(case_type, case, title, template, status, **context)

    _journal_actions(case_type, bp, back, page)
    _document_actions(case_type, bp, back, page)
    _step_actions(case_type, bp, back, page, prepare_step_form)
    _hold_actions(case_type, bp, back, page)
    if case_type.letter_facts is not None:
        from tracker.letters.views import register_letter_actions

        register_letter_actions(bp, case_type, back, page)


def _hold_actions(case_type: CaseType, bp: Blueprint, back, page) -> None:
    @bp.route("/<reference>/legal-hold", methods=["GET", "POST"])
    @allow(case_type.work)
    def place_legal_hold(reference: str):
        case = registry.load(case_type, reference, True)
        form = LegalHoldForm()
        if request.method == "POST" and form.validate_on_submit():
            with unit_of_work(form) as work:
                holds.place_hold(case, current_user, form.reason.data)
            if work.done:
                flash(_("Legal hold placed: retention leaves this case alone until it is "
                        "lifted."), "success")
                return back(case)
        return page(case, _("Place a legal hold"), "cases/_legal_hold_form.html",
                    200 if request.method == "GET" else 422, form=form, lifting=False)

    @bp.route("/<reference>/legal-hold/lift", methods=["GET", "POST"])
    @allow(case_type.work)
    def lift_legal_hold(reference: str):
        case = registry.load(case_type, reference, True)
        form = LegalHoldForm()
        if request.method == "POST" and form.validate_on_submit():
            with unit_of_work(form) as work:
                holds.lift_hold(case, current_user, form.reason.data)
            if work.done:
                flash(_("Legal hold lifted."), "success")
                return back(case)
        return page(case, _("Lift the legal hold"), "cases/_legal_hold_form.html",
                    200 if request.method == "GET" else 422, form=form, lifting=True)


def _journal_actions(case_type: CaseType, bp: Blueprint, back, page) -> None:
    @bp.route("/<reference>/notes", methods=["GET", "POST"])
    @allow(case_type.work)
    def add_note(reference: str):
        case = registry.load(case_type, reference, True)
        form = NoteForm()
        if request.method == "GET":
            form.corrects_id.data = request.args.get("correct", type=int)
        elif form.validate_on_submit():
            with unit_of_work(form) as work:
                journal.add_note(case, current_user, form.text.data,
                                 corrects_id=form.corrects_id.data)
            if work.done:
                flash(_("Note added."), "success")
                return back(case, "#timeline")
        return page(case, _("Add a note"), "cases/_note_form.html",
                    200 if request.method == "GET" else 422, form=form)

    @bp.route("/<reference>/contacts", methods=["GET", "POST"])
    @allow(case_type.work)
    def add_contact(reference: str):
        case = registry.load(case_type, reference, True)
        form = ContactForm()
        if request.method == "POST" and form.validate_on_submit():
            with unit_of_work(form) as work:
                journal.add_contact(case, current_user, form.contact_channel.data,
                                    form.contact_with.data, form.said.data)
            if work.done:
                flash(_("Contact recorded."), "success")
                return back(case, "#timeline")
        return page(case, _("Record a contact"), "cases/_contact_form.html",
                    200 if request.method == "GET" else 422, form=form)


def _document_actions(case_type: CaseType, bp: Blueprint, back, page) -> None:
    @bp.route("/<reference>/documents", methods=["GET", "POST"])
    @allow(case_type.work)
    def add_document(reference: str):
        case = registry.load(case_type, reference, True)
        form = DocumentForm()
        if request.method == "GET":
            return page(case, _("Add a document"), "cases/_document_form.html", form=form)
        work = None
        with pending.attached(form, "file", current_user) as upload:
            if form.validate_on_submit():
                with unit_of_work(form) as work:
                    documents.add_document(case, current_user, upload)
        if work is not None and work.done:
            flash(_("Document added."), "success")
            return back(case, "#documents")
        # 507 when the disk is full
        return page(case, _("Add a document"), "cases/_document_form.html",
                    work.status if work is not None else 422, form=form)

    def _document(case: Case, document_id: int) -> Attachment:
        attachment = db.session.get(Attachment, document_id)
        if attachment is None or attachment.case_id != case.id:
            abort(404)
        return attachment

    @bp.route("/<reference>/documents/<int:document_id>")
    @allow(case_type.read)
    def download_document(reference: str, document_id: int):
        case = registry.load(case_type, reference, False)
        attachment = _document(case, document_id)
        path = documents.stored_path(attachment)
        if attachment.removed_at is not None or not path.exists():
            abort(404)
        with unit_of_work():  # the read log is saved before the file is sent
            documents.record_download(case, attachment, current_user)
        # Named as what it is, also for documents stored before upload names were matched.
        name = documents.named_as_its_type(attachment.filename, attachment.content_type)
        response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                             download_name=name, max_age=0, etag=False)
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    @bp.route("/<reference>/documents/<int:document_id>/preview")
    @allow(case_type.read)
    def document_preview(reference: str, document_id: int):
        """A PNG thumbnail of a PDF's first page or of an image, made on the server; 404 for
        any other document and for one that cannot be read. The download's access rule."""
        case = registry.load(case_type, reference, False)
        attachment = _document(case, document_id)
        if attachment.removed_at is not None or not previews.previewable(attachment):
            abort(404)
        path = previews.preview(attachment)
        if path is None:
            abort(404)
        with unit_of_work():  # a thumbnail shows the content: logged as a read
            documents.record_preview(case, attachment, current_user)
        response = send_file(path, mimetype="image/png", max_age=0, etag=False)
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    @bp.route("/<reference>/documents/<int:document_id>/remove", methods=["GET", "POST"])
    @allow(case_type.work)
    def remove_document(reference: str, document_id: int):
        case = registry.load(case_type, reference, True)
        attachment = _document(case, document_id)
        form = RemoveDocumentForm()
        if request.method == "POST" and form.validate_on_submit():
            with unit_of_work(form) as work:
                documents.remove_document(case, attachment, current_user, form.reason.data)
            if work.done:
                flash(_("%(file)s removed.", file=attachment.filename), "success")
                return back(case, "#documents")
        elif request.method == "POST" and not form.reason.data:
            form.reason.errors = [_("Say why the document is removed.")]
        return page(case, _("Remove a document"), "cases/_remove_document_form.html",
                    200 if request.method == "GET" else 422, form=form, attachment=attachment)


def _posted_version() -> int | None:
    """The case version the step page was opened on; one that is not a number names no saved
    state, and counts as missing."""
    raw = (request.form.get("version") or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def _check_version(case: Case, move: workflow.Transition, version: int | None) -> None:
    """A step that needs confirmation must name the version its page showed; any step that
    names one is refused when the case has changed since (the one conflict page)."""
    if (version is None and move.confirm) or (version is not None and version != case.version):
        raise StaleRecord(_("The case changed after you opened this step: nothing was done. "
                            "Open the step again to see it as it is now."))


def _step_actions(case_type: CaseType, bp: Blueprint, back, page,
                  prepare_step_form: PrepareStepForm) -> None:
    @bp.route("/<reference>/steps/<name>", methods=["GET", "POST"])
    @allow(case_type.work)
    def step(reference: str, name: str):
        case = registry.load(case_type, reference, True)
        flow = workflow.workflow_for(case)
        move = flow.transitions.get(name)
        if move is None:
            abort(404)
        form = TransitionForm()
        prepare_step_form(case, form)
        # Only this step's fields are shown, so only they are read: an error in a field the
        # page does not show could never be put right.
        asked = {"csrf_token", "comment", *case_type.step_fields.get(name, ())}
        for unasked in [field.name for field in form if field.name not in asked]:
            del form[unasked]
        refusal = flow.refusal(case, name, current_user)
        if request.method == "GET":
            with unit_of_work():
                registry.record_read(case, current_user)  # the step page shows the summary
        status = 200
        if refusal:
            form.form_errors.append(refusal)
            status = 409
        elif request.method == "POST":
            status = 422
            if form.validate_on_submit():
                with unit_of_work(form) as work:
                    _check_version(case, move, _posted_version())
                    workflow.transition(case, name, current_user, comment=form.comment.data,
                                        **{field: form[field].data
                                           for field in case_type.step_fields.get(name, ())})
                if work.done:
                    flash(_("%(step)s: done. Now %(status)s.", step=move.label,
                            status=flow.label(move.target).lower()), "success")
                    return back(case)
        return render_template("cases/step.html", case=case, move=move, form=form,
                               flow=flow, detail_endpoint=case_type.detail_endpoint,
                               consequence=flow.consequence(case, move),
                               fields=case_type.step_fields.get(name, ())), status

    @bp.route("/<reference>/assign", methods=["GET", "POST"])
    @allow(case_type.work)
    def assign(reference: str):
        case = registry.load(case_type, reference, True)
        form = registry.assign_form(case_type, case, AssignForm() if request.method == "POST"
                                    else None)
        eligible = {u.id: u for u in case_type.assignees(case)}
        if request.method == "POST" and form.validate_on_submit():
            chosen = form.assigned_to.data or None
            if chosen is not None and chosen not in eligible:
                put_error(form, "assigned_to",
                          _("Choose an active officer of the case's office."))
            else:
                with unit_of_work(form):
                    assignment.assign(case, current_user, eligible.get(chosen))
                flash(_("Assignment saved."), "success")
                return back(case)
        return page(case, _("Assign the case"), "cases/_assign_form.html",
                    200 if request.method == "GET" else 422, form=form)
