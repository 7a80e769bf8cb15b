"""An officer writes a letter from a request's page, downloads it and files it; the request
page shows a server-made thumbnail of a PDF."""
from __future__ import annotations

import io
import re

import pytest
from docx import Document
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tracker.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser


def account(email: str):
    return next(a for a in DEMO_ACCOUNTS if a.email == email)


def a_pdf(path) -> None:
    """A one-page PDF with a blue box on white, as a scanner might give."""
    page = Image.new("RGB", (595, 842), "white")
    page.paste((20, 60, 160), (60, 80, 535, 300))
    page.save(path, format="PDF", resolution=72)


def test_an_officer_writes_and_files_a_letter_and_sees_a_pdf_preview(
        page, sign_in, screenshot, console_errors, tmp_path):
    sign_in(account("consular@tracker.example"))
    page.goto("/consular/requests/")
    page.locator("a[href*='/consular/requests/ISB-']").first.click()
    reference = page.get_by_role("heading", level=1).inner_text().split()[0]
    assert re.fullmatch(r"ISB-\d{4}-\d{5}", reference), reference
    request_url = page.url

    page.get_by_role("link", name="Write a letter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a letter")
    # Nothing chosen: the message is beside the field.
    page.get_by_role("button", name="Download (Word)").click()
    expect(page.locator("#template-error-1")).to_contain_text("Choose a template.")
    page.get_by_label("Template").select_option(
        label="Note verbale to the Ministry of Foreign Affairs (English)")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download (Word)").click()
    letter = download.value
    assert letter.suggested_filename.endswith(f"{reference}.docx")
    text = "\n".join(p.text for p in Document(letter.path()).paragraphs)
    assert f"Our reference: {reference}" in text
    assert "Royal Norwegian Embassy, Islamabad" in text
    screenshot("letter-page.png")

    page.get_by_label("Template").select_option(
        label="Confirmation of a request (Norwegian (bokmål))")
    page.get_by_role("button", name=f"File the letter on {reference}").click()
    expect(page.locator(".alert").first).to_contain_text("filed on")
    documents = page.locator("#documents")
    expect(documents).to_contain_text(f"Confirmation of a request {reference}.docx")
    expect(page.locator("#timeline")).to_contain_text(f"Confirmation of a request {reference}")

    # A PDF uploaded to the request gets a thumbnail drawn by the server.
    pdf = tmp_path / "scan of the police report.pdf"
    a_pdf(pdf)
    page.get_by_role("link", name="Add a document").click()
    page.get_by_label("Document").set_input_files(str(pdf))
    page.get_by_role("button", name="Upload").click()
    preview = page.get_by_role("img", name="Preview of scan of the police report.pdf")
    expect(preview).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=preview.element_handle())
    src = preview.get_attribute("src")
    assert src.endswith("/preview")
    response = page.request.get(src)
    assert response.status == 200 and response.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(response.body())) as thumbnail:
        # The blue box is drawn where the page has it: the PDF was really rendered.
        red, green, blue = thumbnail.convert("RGB").getpixel(
            (thumbnail.width // 2, int(thumbnail.height * 0.2)))
        assert blue > 120 and red < 80, (red, green, blue)
    documents.scroll_into_view_if_needed()
    screenshot("request-with-preview.png")
    page.set_viewport_size(PHONE)
    page.goto(request_url)
    expect(page.get_by_role("img", name="Preview of scan of the police report.pdf")) \
        .to_be_visible()
    screenshot("request-with-preview-390.png")
    assert console_errors() == []


def test_an_administrator_uploads_a_new_version_of_a_template(page, sign_in, screenshot,
                                                             console_errors, tmp_path):
    from tracker.letters.samples import docx_with

    sign_in(account("admin@tracker.example"))
    page.get_by_role("link", name="Letter templates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Letter templates")
    page.get_by_role("link", name="Upload a new version of Letter to next of kin").click()
    expect(page.get_by_label("Name")).to_have_value("Letter to next of kin")
    # A placeholder that does not exist: refused, with the list of those that do.
    wrong = tmp_path / "next of kin.docx"
    wrong.write_bytes(docx_with("Kjære {{ next_of_kin_name }}"))
    page.get_by_label("Template (DOCX)").set_input_files(str(wrong))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#file-error-1")).to_contain_text(
        "Unknown placeholders: {{ next_of_kin_name }}")
    expect(page.locator("#file-error-1")).to_contain_text("{{ subject_name }}")
    screenshot("letter-template-refused.png")
    right = tmp_path / "next of kin v2.docx"
    right.write_bytes(docx_with("Til de pårørende etter {{ subject_name }}", "{{ today }}"))
    page.get_by_label("Template (DOCX)").set_input_files(str(right))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".alert").first).to_contain_text(
        "Letter to next of kin saved as version 2.")
    row = page.locator("tr", has_text="Letter to next of kin")
    expect(row).to_contain_text("Version 2")
    expect(row).to_contain_text("Version 1")
    screenshot("letter-templates.png")
    assert console_errors() == []
