"""Letter templates: an administrator uploads DOCX files; each is checked, versioned, audited."""
from __future__ import annotations

import re

import pytest

from tests.conftest import PDF_BYTES, audit_rows, count, make_letter_template
from tests.letters.helpers import upload
from tracker.auth.models import Role
from tracker.letters import drafting, service
from tracker.letters.models import LetterTemplate
from tracker.letters.samples import SAMPLE_TEMPLATES, docx_with


@pytest.fixture
def admin(login_as):
    return login_as(Role.ADMINISTRATOR)


def error_beside(html: str, field: str) -> str:
    """The text of the error shown next to a field (the form macro's `<id>-error-1`)."""
    match = re.search(rf'<p class="error" id="{field}-error-1">(.*?)</p>', html, re.S)
    assert match, f"no error beside {field}"
    text = re.sub(r"<[^>]+>", "", match.group(1)).replace("&#34;", '"').strip()
    return text.removeprefix("Error:").strip()  # the screen reader's word before it


def test_a_docx_with_known_placeholders_is_saved_as_version_one_and_audited(admin):
    response = upload(admin, docx_with("{{ reference }}", "Dear {{ subject_name }},"))
    assert response.status_code == 302
    [template] = service.current_templates()
    assert (template.name, template.category, template.language, template.version) == (
        "Note verbale", "any", "en", 1)
    [row] = audit_rows(template.id, "letter_template.uploaded")
    assert row.actor_id == admin.user.id
    listing = admin.get("/admin/letter-templates/").get_data(as_text=True)
    assert "Note verbale" in listing and "Version 1" in listing


def test_a_file_that_is_not_a_docx_is_refused_beside_the_field(admin):
    response = upload(admin, PDF_BYTES, filename="note.docx")
    assert response.status_code == 422
    assert error_beside(response.get_data(as_text=True), "file") == \
        "This file is not a Word (DOCX) document."
    assert count(LetterTemplate) == 0


def test_a_zip_that_is_no_word_document_is_refused(admin):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<not really/>")
    response = upload(admin, buffer.getvalue())
    assert response.status_code == 422
    assert "not a Word (DOCX)" in error_beside(response.get_data(as_text=True), "file")
    assert count(LetterTemplate) == 0


def test_an_unknown_placeholder_is_refused_with_the_list_of_allowed_ones(admin):
    response = upload(admin, docx_with("{{ reference }} {{ case_notes }} {{ police_reference }}"))
    assert response.status_code == 422
    message = error_beside(response.get_data(as_text=True), "file")
    assert message.startswith("Unknown placeholders: {{ case_notes }}, {{ police_reference }}.")
    for name in drafting.PLACEHOLDERS:
        assert f"{{{{ {name} }}}}" in message
    assert count(LetterTemplate) == 0


def test_a_template_larger_than_the_limit_is_refused(admin):
    content = docx_with("{{ reference }}") + b"\0" * drafting.MAX_TEMPLATE_BYTES
    response = upload(admin, content)
    assert response.status_code == 422
    assert error_beside(response.get_data(as_text=True), "file") == \
        "The template is larger than 2 MB."
    assert count(LetterTemplate) == 0


def test_a_template_cannot_reach_beyond_its_placeholders(admin):
    """The sandbox: Python's insides are not reachable from a placeholder."""
    response = upload(admin, docx_with("{{ reference.__class__.__mro__[1].__subclasses__() }}"))
    assert response.status_code == 422
    assert error_beside(response.get_data(as_text=True), "file").startswith(
        "The template does not render:")
    assert count(LetterTemplate) == 0


def test_a_template_cannot_make_a_huge_text(admin):
    """`*` and `**` could fill the server's memory at the sample render: refused."""
    response = upload(admin, docx_with('{{ reference * 1000000000 }}'))
    assert response.status_code == 422
    assert "operator * is not allowed" in error_beside(response.get_data(as_text=True), "file")


def test_a_broken_placeholder_is_refused(admin):
    response = upload(admin, docx_with("{{ reference "))
    assert response.status_code == 422
    assert error_beside(response.get_data(as_text=True), "file").startswith(
        "The placeholders cannot be read:")


def test_name_category_and_language_are_checked_together(admin):
    response = admin.post("/admin/letter-templates/upload",
                          data={"name": "", "category": "no-such", "language": "de"},
                          content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_beside(html, "name")
    assert error_beside(html, "language")
    assert count(LetterTemplate) == 0


def test_a_new_upload_is_the_next_version_and_older_versions_stay(admin):
    for text in ("First wording {{ reference }}", "Second wording {{ reference }}"):
        assert upload(admin, docx_with(text), category="death", language="nb").status_code == 302
    assert upload(admin, docx_with("{{ reference }}"), category="death",
                  language="en").status_code == 302
    current = service.current_templates()
    assert sorted((t.language.value, t.version) for t in current) == [("en", 1), ("nb", 2)]
    [nb] = [t for t in current if t.language.value == "nb"]
    assert [v.version for v in service.versions_of(nb)] == [2, 1]
    listing = admin.get("/admin/letter-templates/").get_data(as_text=True)
    assert "Version 2" in listing and "Version 1" in listing
    # The page for a new version starts from the template's name, category and language.
    form = admin.get(f"/admin/letter-templates/upload?template={nb.id}").get_data(as_text=True)
    assert 'value="Note verbale"' in form
    assert re.search(r'<option selected value="death">|<option value="death" selected>', form)


def test_each_version_downloads_as_it_was_uploaded(admin):
    first = make_letter_template(admin.user, paragraphs=("Old {{ reference }}",))
    make_letter_template(admin.user, paragraphs=("New {{ reference }}",))
    response = admin.get(f"/admin/letter-templates/{first.id}/file")
    assert response.status_code == 200
    assert response.data == service.template_content(first)
    assert admin.get("/admin/letter-templates/999999/file").status_code == 404


def test_the_sample_templates_pass_the_upload_check():
    for _name, _category, _language, title, paragraphs in SAMPLE_TEMPLATES:
        drafting.check_template(docx_with(*paragraphs, title=title))


def test_officers_cannot_upload_templates(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    assert upload(officer, docx_with("{{ reference }}")).status_code == 403
    assert count(LetterTemplate) == 0
