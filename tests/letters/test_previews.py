"""Previews: a PDF's first page and JPEG/PNG images as PNG thumbnails made on the server,
behind the document's own access rule; anything else, or a broken file, has none (404)."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.conftest import (
    PDF_BYTES,
    audit_rows,
    image_bytes,
    make_document,
    make_liaison_case,
    make_office,
    make_request,
)
from tracker.auth.models import Role
from tracker.cases import documents, previews
from tracker.letters.samples import docx_with


@pytest.fixture
def officer(login_as):
    return login_as(Role.CONSULAR_OFFICER)


@pytest.fixture
def request_(officer):
    return make_request(office=officer.user.office, officer=officer.user)


def preview_url(case, document) -> str:
    return f"/consular/requests/{case.reference}/documents/{document.id}/preview"


def a_pdf(size=(595, 842)) -> bytes:
    """A one-page PDF (Pillow writes it; pypdfium2 must draw it)."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PDF", resolution=72)
    return out.getvalue()


@pytest.mark.parametrize("content, name", [(a_pdf(), "scan.pdf"),
                                           (image_bytes("JPEG", (800, 600)), "photo.jpg"),
                                           (image_bytes("PNG", (300, 900)), "photo.png")],
                         ids=["pdf", "jpeg", "png"])
def test_a_pdf_jpeg_or_png_gets_a_small_png_thumbnail(officer, request_, content, name):
    document = make_document(request_, officer.user, content, name)
    response = officer.get(preview_url(request_, document))
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Cache-Control"] == "no-store"
    with Image.open(io.BytesIO(response.data)) as thumbnail:
        assert thumbnail.format == "PNG"
        assert max(thumbnail.size) <= max(previews.BOX)
    # Kept beside the documents; the next request is served from there.
    assert documents.preview_path(document).exists()
    assert officer.get(preview_url(request_, document)).data == response.data
    assert len(audit_rows(request_.reference, "consular_request.document_previewed")) == 2


def test_the_pdf_thumbnail_shows_the_page(officer, request_):
    document = make_document(request_, officer.user, a_pdf(), "scan.pdf")
    response = officer.get(preview_url(request_, document))
    with Image.open(io.BytesIO(response.data)) as thumbnail:
        red, green, blue = thumbnail.convert("RGB").getpixel((thumbnail.width // 2,
                                                              thumbnail.height // 2))
    assert red > 150 and green < 80 and blue < 80  # the page's colour, not a blank


def test_the_case_page_shows_the_thumbnail_only_for_previewable_documents(officer, request_):
    pdf = make_document(request_, officer.user, a_pdf(), "scan.pdf")
    word = make_document(request_, officer.user, docx_with("A letter"), "letter.docx")
    page = officer.get(f"/consular/requests/{request_.reference}").get_data(as_text=True)
    assert f'src="{preview_url(request_, pdf)}"' in page
    assert 'alt="Preview of scan.pdf"' in page
    assert preview_url(request_, word) not in page
    assert officer.get(preview_url(request_, word)).status_code == 404


def test_a_corrupt_pdf_or_image_has_no_preview_and_no_500(officer, request_):
    broken_pdf = make_document(request_, officer.user, PDF_BYTES, "broken.pdf")
    truncated = make_document(request_, officer.user, image_bytes("JPEG", (400, 300))[:200],
                              "cut.jpg")
    for document in (broken_pdf, truncated):
        assert officer.get(preview_url(request_, document)).status_code == 404
        assert not documents.preview_path(document).exists()
    # The page shows no broken image for them, and they are not tried again on every view.
    page = officer.get(f"/consular/requests/{request_.reference}").get_data(as_text=True)
    assert "/preview" not in page
    assert previews.no_preview_marker(broken_pdf).exists()
    assert officer.get(preview_url(request_, broken_pdf)).status_code == 404


def test_a_decompression_bomb_is_not_drawn(officer, request_):
    """A small PNG that claims 60 million pixels: refused before a pixel is decoded."""
    out = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(out, format="PNG")
    assert len(out.getvalue()) < 200_000
    document = make_document(request_, officer.user, out.getvalue(), "bomb.png")
    assert officer.get(preview_url(request_, document)).status_code == 404


def test_a_pdf_page_larger_than_the_cap_is_not_drawn(officer, request_):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(14_400, 14_400)  # the largest page PDF allows: 5 x 5 metres
    out = io.BytesIO()
    pdf.save(out)
    document = make_document(request_, officer.user, out.getvalue(), "poster.pdf")
    assert officer.get(preview_url(request_, document)).status_code == 404


def test_the_preview_follows_the_documents_access_rule(login_as, officer, request_):
    document = make_document(request_, officer.user, image_bytes("PNG"), "photo.png")
    other_office = login_as(Role.CONSULAR_OFFICER, office=make_office())
    assert other_office.get(preview_url(request_, document)).status_code == 404
    assert login_as(Role.ADMINISTRATOR).get(preview_url(request_, document)).status_code == 403
    # A document of one request named under another's reference is not found either.
    other = make_request(office=officer.user.office, officer=officer.user)
    assert officer.get(preview_url(other, document)).status_code == 404


def test_police_documents_preview_only_for_the_police(login_as):
    liaison = login_as(Role.POLICE_LIAISON_OFFICER)
    case, _party, _link = make_liaison_case(liaison.user)
    document = make_document(case, liaison.user, image_bytes("PNG"), "photo.png")
    url = f"/police/cases/{case.reference}/documents/{document.id}/preview"
    assert liaison.get(url).status_code == 200
    for role in (Role.CONSULAR_OFFICER, Role.MANAGER, Role.ADMINISTRATOR):
        assert login_as(role).get(url).status_code == 404


def test_a_removed_document_loses_its_preview(officer, request_):
    document = make_document(request_, officer.user, image_bytes("PNG"), "photo.png")
    assert officer.get(preview_url(request_, document)).status_code == 200
    response = officer.post(
        f"/consular/requests/{request_.reference}/documents/{document.id}/remove",
        {"reason": "Uploaded on the wrong request"})
    assert response.status_code == 302
    assert officer.get(preview_url(request_, document)).status_code == 404
    assert not documents.preview_path(document).exists()
