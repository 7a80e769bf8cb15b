"""Letter templates (administrators, under /admin/letter-templates) and the letter page of a
case (on the compartment's own blueprint, registered by `register_letter_actions`)."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from tracker.auth.permissions import Permission, allow
from tracker.cases import registry
from tracker.cases.registry import CaseType
from tracker.consular.categories import Category
from tracker.extensions import db
from tracker.forms import choose
from tracker.letters import drafting, service
from tracker.letters.forms import LetterForm, TemplateUploadForm
from tracker.letters.models import ANY_CATEGORY, LetterTemplate
from tracker.unit_of_work import unit_of_work

bp = Blueprint("letters", __name__, url_prefix="/admin/letter-templates")

MAX_ID = 2**31 - 1


def category_label(value: str) -> str:
    """The words for a template's category ("Any category" for any)."""
    if value == ANY_CATEGORY:
        return _("Any category")
    try:
        return str(Category(value).label)
    except ValueError:
        return value


def _category_choices() -> list[SelectChoice]:
    return [SelectChoice(ANY_CATEGORY, _("Any category"))] + [
        SelectChoice(c.value, c.label) for c in Category]


def _template_or_404(template_id: int) -> LetterTemplate:
    template = db.session.get(LetterTemplate, template_id) if 0 < template_id <= MAX_ID else None
    if template is None:
        abort(404)
    return template


@bp.route("/")
@allow(Permission.MANAGE_LETTER_TEMPLATES)
def templates():
    current = service.current_templates()
    return render_template("letters/templates.html", templates=current,
                           versions={t.id: service.versions_of(t) for t in current},
                           placeholders=drafting.PLACEHOLDERS, category_label=category_label)


@bp.route("/upload", methods=["GET", "POST"])
@allow(Permission.MANAGE_LETTER_TEMPLATES)
def upload_template():
    form = TemplateUploadForm()
    form.category.choices = _category_choices()
    status = 200
    if request.method == "GET":
        following = request.args.get("template", type=int)
        if following:  # a new version of an existing template: its name, category, language
            template = _template_or_404(following)
            form.name.data, form.category.data = template.name, template.category
            form.language.data = template.language.value
    else:
        status = 422
        if form.validate_on_submit():
            with unit_of_work(form) as work:
                template = service.upload_template(
                    current_user, name=form.name.data, category=form.category.data,
                    language=form.language.data, upload=form.file.data,
                    categories={c.value for c in Category})
            if work.done:
                flash(_("%(name)s saved as version %(version)d.", name=template.name,
                        version=template.version), "success")
                return redirect(url_for("letters.templates"))
    return render_template("letters/upload.html", form=form,
                           placeholders=drafting.PLACEHOLDERS), status


@bp.route("/<int:template_id>/file")
@allow(Permission.MANAGE_LETTER_TEMPLATES)
def template_file(template_id: int):
    """One version of a template as it was uploaded (it holds no case data)."""
    template = _template_or_404(template_id)
    response = send_file(io.BytesIO(service.template_content(template)),
                         mimetype=drafting.DOCX_TYPE, as_attachment=True,
                         download_name=template.filename, max_age=0, etag=False)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- the letter page of a case --------------------------------------------------------------


def register_letter_actions(bp: Blueprint, case_type: CaseType, back, page) -> None:
    """The letter page on a compartment's case: choose a template, then download the letter
    (DOCX) or file it on the case as a document."""

    @bp.route("/<reference>/letters", methods=["GET", "POST"])
    @allow(case_type.work)
    def write_letter(reference: str):
        case = registry.load(case_type, reference, True)
        offered = service.offered_for(case)
        form = LetterForm()
        form.template.choices = choose(_("Choose a template"), [
            SelectChoice(str(t.id), f"{t.name} ({t.language.label})") for t in offered])
        if request.method == "POST" and form.validate_on_submit():
            chosen = int(form.template.data) if form.template.data.isascii() \
                and form.template.data.isdigit() else None
            filing = request.form.get("action") == "file"
            letter = None
            with unit_of_work(form) as work:
                letter = service.draft(case, chosen, current_user)
                if filing:
                    service.file_letter(case, letter, current_user)
                else:
                    service.record_download(case, letter, current_user)
            if work.done and filing:
                flash(_("%(file)s filed on %(reference)s.", file=letter.filename,
                        reference=case.reference), "success")
                return back(case, "#documents")
            if work.done:
                response = send_file(io.BytesIO(letter.content), mimetype=drafting.DOCX_TYPE,
                                     as_attachment=True, download_name=letter.filename,
                                     max_age=0, etag=False)
                response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
                return response
        return page(case, _("Write a letter"), "letters/_letter_form.html",
                    200 if request.method == "GET" else 422, form=form, offered=offered,
                    placeholders=drafting.PLACEHOLDERS)
