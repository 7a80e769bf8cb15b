"""Documents: the type comes from the content; stored outside static/; downloads audited."""
from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PDF_BYTES, make_document, make_request, reload
from tests.consular.helpers import audit_rows, count, timeline
from tracker.auth.models import Role
from tracker.cases import documents
from tracker.cases.models import Attachment, TimelineKind
from tracker.extensions import db
from tracker.unit_of_work import unit_of_work

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 40


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def stored_files(app) -> set[str]:
    folder = Path(app.config["ATTACHMENT_DIR"])
    return set(os.listdir(folder)) if folder.exists() else set()


@pytest.fixture
def officer(login_as):
    return login_as(Role.CONSULAR_OFFICER)


@pytest.fixture
def request_(officer):
    return make_request(office=officer.user.office, officer=officer.user)


def upload(officer, request, content: bytes, name: str):
    return officer.post(f"/consular/requests/{request.reference}/documents",
                        {"file": (io.BytesIO(content), name)})


@pytest.mark.parametrize("content, name, mime, kept_as", [
    (PDF_BYTES, "passport-copy.pdf", "application/pdf", "passport-copy.pdf"),
    (JPEG, "photo.jpg", "image/jpeg", "photo.jpg"),
    (JPEG, "photo.JPEG", "image/jpeg", "photo.JPEG"),
    (PNG, "scan.png", "image/png", "scan.png"),
    (docx_bytes(), "letter.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "letter.docx"),
    # The name does not decide: the content's type is added as the last extension.
    (PNG, "really-an-image.pdf", "image/png", "really-an-image.pdf.png"),
    (PDF_BYTES, "no-extension", "application/pdf", "no-extension.pdf"),
])
def test_accepted_by_content(app, officer, request_, content, name, mime, kept_as):
    response = upload(officer, request_, content, name)
    assert response.status_code == 302
    [attachment] = db.session.scalars(db.select(Attachment).where(
        Attachment.case_id == request_.id)).all()
    assert attachment.content_type == mime and attachment.filename == kept_as
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    path = documents.stored_path(attachment)
    assert path.read_bytes() == content
    # Outside static/, under a random name that says nothing about the file.
    assert path.parent == Path(app.config["ATTACHMENT_DIR"])
    static = Path(app.static_folder).resolve()
    assert static not in path.resolve().parents
    assert attachment.stored_name != name and len(attachment.stored_name) == 32
    int(attachment.stored_name, 16)
    [event] = [e for e in timeline(request_) if e.kind is TimelineKind.DOCUMENT_ADDED]
    assert event.attachment_id == attachment.id
    [row] = audit_rows(request_.reference, "consular_request.document_added")
    assert attachment.sha256 in row.details


@pytest.mark.parametrize("content, name", [
    (b"just some text, not a PDF at all", "report.pdf"),
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 60, "invoice.pdf"),  # a Windows program
    (b"GIF89a" + b"\x00" * 30, "picture.png"),  # an image, but not a kind we keep
    (b"<html><script>alert(1)</script></html>", "page.docx"),
    (b"", "empty.pdf"),
])
def test_refused_by_content_with_a_message_next_to_the_field(app, officer, request_, content,
                                                             name):
    files = stored_files(app)
    response = upload(officer, request_, content, name)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="file-error-1"' in html
    assert "not a PDF, JPEG, PNG or Word (DOCX) document" in html or "empty" in html
    assert count(Attachment, Attachment.case_id == request_.id) == 0
    assert stored_files(app) == files


def test_no_file_chosen(officer, request_):
    response = officer.post(f"/consular/requests/{request_.reference}/documents", {})
    assert response.status_code == 422
    assert "Choose a file to upload" in response.get_data(as_text=True)


def test_too_large_gets_413_with_the_sites_page(app, officer, request_):
    files = stored_files(app)
    big = b"%PDF-1.4\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    response = upload(officer, request_, big, "huge.pdf")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "The file is too large" in html and "<nav" in html
    assert count(Attachment, Attachment.case_id == request_.id) == 0
    assert stored_files(app) == files


def test_a_failed_save_leaves_no_row_and_no_file(app, officer, request_, monkeypatch):
    files = stored_files(app)

    def broken(*args, **kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(documents.audit, "record", broken)
    with pytest.raises(RuntimeError), unit_of_work():
        make_document(request_, officer.user)
    assert count(Attachment, Attachment.case_id == request_.id) == 0
    assert stored_files(app) == files
    assert [e.kind for e in timeline(request_)] == [TimelineKind.OPENED]


def test_download_is_an_audited_attachment(officer, request_):
    attachment = make_document(request_, officer.user, filename="Søknad – pass.pdf")
    response = officer.get(f"/consular/requests/{request_.reference}/documents/{attachment.id}")
    assert response.status_code == 200
    assert response.data == PDF_BYTES
    assert response.headers["Content-Type"].startswith("application/pdf")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''S%C3%B8knad" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    [row] = audit_rows(request_.reference, "consular_request.document_downloaded")
    assert row.actor_id == officer.user.id and str(attachment.id) in row.details


def test_a_file_named_as_another_type_is_shown_and_downloaded_as_what_it_is(officer,
                                                                            request_):
    """x.html whose bytes are a PDF: a browser or desktop must never open it as a web page."""
    response = upload(officer, request_, PDF_BYTES, "x.html")
    assert response.status_code == 302
    [attachment] = db.session.scalars(db.select(Attachment).where(
        Attachment.case_id == request_.id)).all()
    assert attachment.filename == "x.html.pdf"
    case_page = officer.get(f"/consular/requests/{request_.reference}").get_data(as_text=True)
    assert "x.html.pdf" in case_page
    download = officer.get(f"/consular/requests/{request_.reference}/documents/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF_BYTES
    assert download.headers["Content-Type"].startswith("application/pdf")
    assert download.headers["Content-Disposition"] == 'attachment; filename=x.html.pdf'


def test_an_older_document_with_a_misleading_name_downloads_under_its_type(officer, request_):
    attachment = make_document(request_, officer.user, filename="x.pdf")
    attachment.filename = "x.html"  # stored before names were made to match the content
    db.session.commit()
    download = officer.get(f"/consular/requests/{request_.reference}/documents/{attachment.id}")
    assert download.headers["Content-Disposition"] == 'attachment; filename=x.html.pdf'
    assert download.headers["Content-Type"].startswith("application/pdf")


def test_a_document_of_another_request_is_404(officer, request_):
    other = make_request(office=officer.user.office, officer=officer.user)
    attachment = make_document(other, officer.user)
    base = f"/consular/requests/{request_.reference}/documents/{attachment.id}"
    assert officer.get(base).status_code == 404
    assert officer.post(f"{base}/remove", {"reason": "wrong"}).status_code == 404
    assert reload(attachment).removed_at is None
    assert officer.get(f"/consular/requests/{request_.reference}/documents/999999999"
                       ).status_code == 404


def test_removal_needs_a_reason(officer, request_):
    attachment = make_document(request_, officer.user)
    url = f"/consular/requests/{request_.reference}/documents/{attachment.id}/remove"
    response = officer.post(url, {"reason": "   "})
    assert response.status_code == 422  # the removal page again, the message by its field
    page = response.get_data(as_text=True)
    assert "Say why the document is removed" in page and 'id="reason"' in page
    assert reload(attachment).removed_at is None
    assert documents.stored_path(attachment).exists()


def test_removal_is_recorded_and_the_content_is_gone(officer, request_):
    attachment = make_document(request_, officer.user, filename="wrong-person.pdf")
    path = documents.stored_path(attachment)
    url = f"/consular/requests/{request_.reference}/documents/{attachment.id}"
    response = officer.post(f"{url}/remove", {"reason": "Uploaded to the wrong request"})
    assert response.status_code == 302
    removed = reload(attachment)
    assert removed.removed_at is not None and removed.removed_by_id == officer.user.id
    assert removed.removal_reason == "Uploaded to the wrong request"
    assert not path.exists()
    [event] = [e for e in timeline(request_) if e.kind is TimelineKind.DOCUMENT_REMOVED]
    assert (event.comment, event.actor_id) == ("Uploaded to the wrong request",
                                               officer.user.id)
    [row] = audit_rows(request_.reference, "consular_request.document_removed")
    assert row.reason == "Uploaded to the wrong request"
    assert officer.get(url).status_code == 404
    page = officer.get(f"/consular/requests/{request_.reference}").get_data(as_text=True)
    assert "wrong-person.pdf (since removed)" in page
    assert f"/documents/{attachment.id}\"" not in page
    # Removing again changes nothing and says why.
    again = officer.post(f"{url}/remove", {"reason": "Again"})
    assert again.status_code == 422
    assert "removed already" in again.get_data(as_text=True)
    assert len(audit_rows(request_.reference, "consular_request.document_removed")) == 1
