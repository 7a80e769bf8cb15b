"""Letter templates (upload, versions) and letters (drafted from a case, downloaded or filed).

A letter's context is built only from what the officer reads: the case loaded through the
reader's scope, the compartment's `letter_facts` (the case type says what a letter may tell
about its cases), the case's office and the officer. Nothing else reaches the template.
"""
from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass

from babel.dates import format_date
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import undefer
from werkzeug.datastructures import FileStorage

from tracker.audit import service as audit
from tracker.auth.models import User
from tracker.cases import documents, registry
from tracker.cases.clock import office_today
from tracker.cases.models import Attachment, Case
from tracker.db import utcnow
from tracker.domain import FieldError, raise_all
from tracker.extensions import db
from tracker.letters import drafting
from tracker.letters.models import ANY_CATEGORY, LetterLanguage, LetterTemplate


class LetterError(FieldError):
    """A letter or template cannot be made as asked; the message goes by its field."""


@dataclass(frozen=True)
class Letter:
    filename: str
    content: bytes
    template: LetterTemplate


# --- templates ------------------------------------------------------------------------------


def _name(name: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", name or "").split())


def upload_template(actor: User, *, name: str, category: str, language: str,
                    upload: FileStorage | None, categories: set[str]) -> LetterTemplate:
    """Check an uploaded DOCX and store it as the next version of its (name, category,
    language) template; audited."""
    name = _name(name)
    problems = []
    if not name or len(name) > 120:
        problems.append(LetterError(_("Name the template (at most 120 characters)."), "name"))
    if category != ANY_CATEGORY and category not in categories:
        problems.append(LetterError(_("Choose a category, or any."), "category"))
    try:
        language = LetterLanguage(language)
    except ValueError:
        problems.append(LetterError(_("Choose the letter's language."), "language"))
    content = b""
    if upload is None or not upload.filename:
        problems.append(drafting.TemplateRefused(_("Choose a DOCX file to upload.")))
    else:
        # One byte more than allowed is enough to know it is too big.
        content = upload.stream.read(drafting.MAX_TEMPLATE_BYTES + 1)
        try:
            drafting.check_template(content)
        except drafting.TemplateRefused as refused:
            problems.append(refused)
    raise_all(problems)
    latest = db.session.scalar(select(func.max(LetterTemplate.version)).where(
        LetterTemplate.name == name, LetterTemplate.category == category,
        LetterTemplate.language == language))
    template = LetterTemplate(
        name=name, category=category, language=language, version=(latest or 0) + 1,
        filename=documents.named_as_its_type(documents._display_name(upload.filename),
                                             drafting.DOCX_TYPE),
        content=content, size=len(content), sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor)
    db.session.add(template)
    db.session.flush()
    audit.record("letter_template.uploaded", object_type="letter_template",
                 object_id=template.id, actor=actor,
                 details={"name": name, "category": category, "language": language.value,
                          "version": template.version, "size": template.size,
                          "sha256": template.sha256})
    db.session.flush()
    return template


def _latest_versions():
    """The newest version's id of every template."""
    return (select(func.max(LetterTemplate.id))
            .group_by(LetterTemplate.name, LetterTemplate.category, LetterTemplate.language))


def current_templates(category: str | None = None) -> list[LetterTemplate]:
    """The newest version of each template; with a category, those offered on its cases."""
    stmt = select(LetterTemplate).where(LetterTemplate.id.in_(_latest_versions()))
    if category is not None:
        stmt = stmt.where(LetterTemplate.category.in_((category, ANY_CATEGORY)))
    return list(db.session.scalars(stmt.order_by(LetterTemplate.name, LetterTemplate.language,
                                                 LetterTemplate.category)))


def versions_of(template: LetterTemplate) -> list[LetterTemplate]:
    """Every version of a template, newest first."""
    return list(db.session.scalars(select(LetterTemplate).where(
        LetterTemplate.name == template.name, LetterTemplate.category == template.category,
        LetterTemplate.language == template.language).order_by(LetterTemplate.version.desc())))


def template_content(template: LetterTemplate) -> bytes:
    return db.session.scalar(select(LetterTemplate.content).where(
        LetterTemplate.id == template.id))


# --- letters --------------------------------------------------------------------------------


def offered_for(case: Case) -> list[LetterTemplate]:
    """The templates an officer may write a letter from on this case (newest versions)."""
    case_type = registry.case_type_of(case)
    if case_type.letter_facts is None:
        return []
    return current_templates(case_type.letter_facts(case).category)


def context_for(case: Case, reader: User, language: LetterLanguage) -> dict[str, str]:
    """The letter's placeholders' values: the case as the reader sees it, in `language`."""
    case_type = registry.case_type_of(case)
    with force_locale(language.value):
        facts = case_type.letter_facts(case)
        today = format_date(office_today(case.office.time_zone, utcnow()), format="long",
                            locale=language.value)
    return {"reference": case.reference, "category": facts.category_label,
            "subject_name": facts.subject_name,
            "subject_identifiers": facts.subject_identifiers,
            "office_name": case.office.name, "office_address": case.office.address or "",
            "today": today, "officer_name": reader.display_name}


def _filename(template: LetterTemplate, case: Case) -> str:
    stem = re.sub(r"[^\w .,()-]+", "", f"{template.name} {case.reference}").strip(" .")
    return f"{stem or case.reference}.docx"


def draft(case: Case, template_id: int | None, reader: User) -> Letter:
    """The letter from one of the templates offered on the case; LetterError otherwise."""
    template = next((t for t in offered_for(case) if t.id == template_id), None)
    if template is None:
        raise LetterError(_("Choose one of the templates listed."), "template")
    content = drafting.render(template_content(template),
                              context_for(case, reader, template.language))
    return Letter(_filename(template, case), content, template)


def record_download(case: Case, letter: Letter, reader: User) -> None:
    """Log the letter given to the officer (it holds the case's personal data)."""
    case_type = registry.case_type_of(case)
    audit.record(f"{case_type.object_type}.letter_downloaded", object_type=case_type.object_type,
                 object_id=case.reference, actor=reader,
                 details={"template": letter.template.id, "version": letter.template.version,
                          "sha256": hashlib.sha256(letter.content).hexdigest()})
    db.session.flush()


def file_letter(case: Case, letter: Letter, reader: User) -> Attachment:
    """File the letter on the case as a document (stored, audited, on the timeline)."""
    upload = FileStorage(io.BytesIO(letter.content), filename=letter.filename)
    attachment = documents.add_document(case, reader, upload)
    attachment.letter_template_id = letter.template.id
    case_type = registry.case_type_of(case)
    audit.record(f"{case_type.object_type}.letter_filed", object_type=case_type.object_type,
                 object_id=case.reference, actor=reader,
                 details={"document": attachment.id, "template": letter.template.id,
                          "version": letter.template.version})
    db.session.flush()
    return attachment
