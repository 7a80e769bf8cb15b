"""DOCX letter templates: what a template may ask for, checking an upload, filling one in.

A template is a Word document with placeholders such as `{{ subject_name }}` (docxtpl, Jinja
syntax). Only the names in `PLACEHOLDERS` exist; they are plain strings, so a template cannot
reach anything else. Templates are rendered in a sandboxed Jinja environment with automatic
escaping (a name with `&` or `<` stays text, never Word markup) and strict undefined names.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import filetype
from docxtpl import DocxTemplate, Listing
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from tracker.domain import FieldError

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_TEMPLATE_BYTES = 2 * 1024 * 1024
# What the unpacked document may weigh: a small zip can unpack to gigabytes (a zip bomb).
MAX_UNPACKED_BYTES = 40 * 1024 * 1024

# The one, documented context of a letter: name -> what it holds (shown to administrators).
PLACEHOLDERS: dict[str, object] = {
    "reference": _l("The case's reference, e.g. ISB-2026-00016."),
    "category": _l("The case's category, in the letter's language."),
    "subject_name": _l("The full name of the person the case is about, as written on the case."),
    "subject_identifiers": _l("That person's identity and passport numbers, one after another "
                              "(empty if none are recorded)."),
    "office_name": _l("The name of the case's office."),
    "office_address": _l("The office's postal address (set on the office's page)."),
    "today": _l("Today's date in the office's time zone, written in the letter's language."),
    "officer_name": _l("The name of the officer who writes the letter."),
}
# Made-up values a new template must render with before it is accepted.
SAMPLE_CONTEXT = {
    "reference": "ISB-2026-00001", "category": "Passport", "subject_name": "Kari Nordmann",
    "subject_identifiers": "Passport number FH123456", "office_name": "Embassy",
    "office_address": "Diplomatic Enclave\nIslamabad", "today": "1 December 2026",
    "officer_name": "Ola Nordmann",
}


class TemplateRefused(FieldError):
    """An uploaded template cannot be used; the message goes beside the file field."""

    def __init__(self, message: str):
        super().__init__(message, "file")


@dataclass(frozen=True)
class CheckedTemplate:
    content: bytes
    placeholders: frozenset[str]


class LetterEnvironment(SandboxedEnvironment):
    """The sandbox, without multiplication and powers: `{{ "x" * 10**9 }}` would take the
    server's memory, and a letter has no sums to do."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator, left, right):
        raise SecurityError(f"the operator {operator} is not allowed in a letter template")


def _environment() -> SandboxedEnvironment:
    # A fresh one per use: docxtpl changes the environment it is given.
    return LetterEnvironment(autoescape=True, undefined=StrictUndefined)


def _template(content: bytes) -> DocxTemplate:
    return DocxTemplate(io.BytesIO(content))


def allowed_list() -> str:
    return ", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS)


def check_template(content: bytes) -> CheckedTemplate:
    """The upload if it is a DOCX within the limits that renders with the sample context and
    asks only for known placeholders; TemplateRefused (with the reason) otherwise."""
    if not content:
        raise TemplateRefused(_("The file is empty."))
    if len(content) > MAX_TEMPLATE_BYTES:
        raise TemplateRefused(_("The template is larger than %(size)d MB.",
                                size=MAX_TEMPLATE_BYTES // (1024 * 1024)))
    kind = filetype.guess(content[:8192])
    not_docx = _("This file is not a Word (DOCX) document.")
    if kind is None or kind.mime != DOCX_TYPE:
        raise TemplateRefused(not_docx)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as packed:
            if sum(entry.file_size for entry in packed.infolist()) > MAX_UNPACKED_BYTES:
                raise TemplateRefused(not_docx)
        names = _template(content).get_undeclared_template_variables(jinja_env=_environment())
    except TemplateRefused:
        raise
    except TemplateError as error:
        raise TemplateRefused(_("The placeholders cannot be read: %(error)s",
                                error=error.message or error)) from error
    except Exception as error:  # python-docx or zipfile: whatever it is, it is no DOCX
        raise TemplateRefused(not_docx) from error
    unknown = sorted(set(names) - set(PLACEHOLDERS))
    if unknown:
        raise TemplateRefused(_(
            "Unknown placeholders: %(unknown)s. A letter can use only these: %(allowed)s.",
            unknown=", ".join(f"{{{{ {name} }}}}" for name in unknown),
            allowed=allowed_list()))
    try:
        render(content, SAMPLE_CONTEXT)
    except Exception as error:  # a sandbox refusal, a broken tag, a strict undefined
        message = getattr(error, "message", None) or str(error) or type(error).__name__
        raise TemplateRefused(_("The template does not render: %(error)s",
                                error=message[:300])) from error
    return CheckedTemplate(content, frozenset(names))


def render(content: bytes, context: dict[str, str]) -> bytes:
    """The template filled in with `context` (only the known placeholders), as DOCX bytes."""
    template = _template(content)
    # Listing escapes the text for Word's XML and keeps line breaks (an address's lines).
    template.render({name: Listing(context.get(name, "")) for name in PLACEHOLDERS},
                    jinja_env=_environment())
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()
