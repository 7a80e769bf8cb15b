"""Sample letter templates made in code (python-docx), for the demo and the tests: the
repository keeps no Word files."""
from __future__ import annotations

import io

from docx import Document


def docx_with(*paragraphs: str, title: str | None = None) -> bytes:
    """A Word document whose paragraphs are the given texts (placeholders as typed)."""
    document = Document()
    if title:
        document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# (name, category, language, title, paragraphs): invented wording, no real people.
SAMPLE_TEMPLATES = (
    ("Note verbale to the Ministry of Foreign Affairs", "any", "en", "Note verbale", (
        "{{ office_name }}",
        "{{ office_address }}",
        "Our reference: {{ reference }}",
        "The {{ office_name }} presents its compliments to the Ministry of Foreign Affairs of "
        "the Islamic Republic of Pakistan and has the honour to request the Ministry's "
        "assistance in a consular matter ({{ category }}) concerning the Norwegian citizen "
        "{{ subject_name }} ({{ subject_identifiers }}).",
        "The {{ office_name }} avails itself of this opportunity to renew to the Ministry the "
        "assurances of its highest consideration.",
        "{{ today }}",
    )),
    ("Letter to next of kin", "death", "nb", "Til de pårørende", (
        "{{ office_name }}",
        "{{ office_address }}",
        "Vår referanse: {{ reference }}",
        "Vi viser til samtalen om {{ subject_name }}. Ambassaden bistår familien med det "
        "praktiske og holder dere orientert om saken.",
        "Ta gjerne kontakt med oss og oppgi referansen over.",
        "Med vennlig hilsen",
        "{{ officer_name }}",
        "{{ today }}",
    )),
    ("Confirmation of a request", "any", "nb", "Bekreftelse på henvendelse", (
        "{{ office_name }}",
        "{{ office_address }}",
        "Vi bekrefter at henvendelsen om {{ subject_name }} ({{ category }}) er registrert "
        "med referanse {{ reference }}.",
        "Med vennlig hilsen",
        "{{ officer_name }}",
        "{{ today }}",
    )),
)
