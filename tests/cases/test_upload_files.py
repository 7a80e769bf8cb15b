"""Uploads leave nothing behind: a temporary name until the row commits, the sweep for what a
killed worker left, and a full disk answered with a message instead of a 500."""
from __future__ import annotations

import errno
import html
import io
import logging
import os
import time
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import event
from werkzeug.datastructures import FileStorage

from tests.conftest import (
    PDF_BYTES,
    csrf_token,
    login,
    make_document,
    make_liaison_case,
    make_request,
    make_user,
    reload,
    sibling_database,
)
from tests.consular.helpers import audit_rows, count
from tests.police.helpers import P, exchange_form, field_error, page, row_counts
from tracker import create_app
from tracker.auth.models import Role
from tracker.cases import documents, scope
from tracker.cases.models import Attachment
from tracker.config import make_test_config
from tracker.extensions import db
from tracker.files import DISK_FULL_MESSAGE
from tracker.police.models import Exchange
from tracker.unit_of_work import unit_of_work

HOUR = 3600


def folder(app) -> Path:
    return Path(app.config["ATTACHMENT_DIR"])


def files(app) -> set[str]:
    """The files in the attachment folder (not its folders: `pending/` holds the uploads kept
    across a failed submit, swept on their own)."""
    path = folder(app)
    return {entry.name for entry in os.scandir(path) if entry.is_file()} if path.exists() \
        else set()


def age(app, name: str, seconds: int) -> None:
    """Make a stored file look `seconds` old."""
    then = time.time() - seconds
    os.utime(folder(app) / name, (then, then))


def attachments_of(case) -> list[Attachment]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Attachment).where(Attachment.case_id == case.id)
                                   .order_by(Attachment.id)))


def pdf(name: str = "letter.pdf", content: bytes = PDF_BYTES) -> FileStorage:
    return FileStorage(io.BytesIO(content), filename=name)


@pytest.fixture
def officer(login_as):
    return login_as(Role.CONSULAR_OFFICER)


@pytest.fixture
def request_(officer):
    return make_request(office=officer.user.office, officer=officer.user)


# --- a temporary name until the row commits -----------------------------------------------------


def test_a_committed_upload_leaves_exactly_its_file(app, officer, request_):
    before = files(app)
    response = officer.post(f"/consular/requests/{request_.reference}/documents",
                            {"file": (io.BytesIO(PDF_BYTES), "letter.pdf")})
    assert response.status_code == 302
    [attachment] = attachments_of(request_)
    assert files(app) - before == {attachment.stored_name}
    assert (folder(app) / attachment.stored_name).read_bytes() == PDF_BYTES


def test_the_file_gets_its_name_at_the_outer_commit_not_at_a_savepoints(app, request_):
    before = files(app)
    with unit_of_work():
        with db.session.begin_nested():
            attachment = documents.add_document(request_, request_.created_by, pdf())
        # The savepoint is saved, the transaction is not: only the temporary file exists.
        assert files(app) - before == {attachment.stored_name + documents.PART}
    assert files(app) - before == {attachment.stored_name}


def test_a_rolled_back_transaction_leaves_no_file(app, request_):
    before = files(app)
    with pytest.raises(RuntimeError), unit_of_work():
        documents.add_document(request_, request_.created_by, pdf())
        assert len(files(app) - before) == 1
        raise RuntimeError("something later in the same unit of work failed")
    assert files(app) == before
    assert count(Attachment, Attachment.case_id == request_.id) == 0


def test_a_rolled_back_savepoint_takes_its_file_and_the_transaction_goes_on(app, request_):
    before = files(app)
    with unit_of_work():
        savepoint = db.session.begin_nested()
        documents.add_document(request_, request_.created_by, pdf())
        savepoint.rollback()
        kept = documents.add_document(request_, request_.created_by, pdf("kept.pdf"))
    assert files(app) - before == {kept.stored_name}
    assert [a.filename for a in attachments_of(request_)] == ["kept.pdf"]


def test_a_failing_move_after_the_commit_is_logged(app, request_, monkeypatch, caplog):
    def broken(part, final):
        raise PermissionError(errno.EACCES, "Permission denied", str(final))

    monkeypatch.setattr(documents, "move_into_place", broken)
    with caplog.at_level(logging.ERROR, logger="tracker"):
        with unit_of_work():
            attachment = documents.add_document(request_, request_.created_by, pdf())
    # The row is saved (the commit happened); what failed afterwards is not silent.
    assert reload(attachment) is not None
    assert any("after commit failed" in r.getMessage() and r.exc_info for r in caplog.records)


# --- interrupted uploads and the sweep ----------------------------------------------------------


class FailingStream(io.BytesIO):
    """An upload whose body stops arriving after the first chunk."""

    def __init__(self, content: bytes, failure):
        super().__init__(content)
        self.failure = failure
        self.reads = 0

    def read(self, size=-1):
        self.reads += 1
        if self.reads > 2:  # the type check's read, then the first chunk
            self.failure()
        return super().read(size)


def test_an_upload_that_fails_mid_write_leaves_no_file(app, request_):
    before = files(app)

    def lost():
        raise ConnectionResetError("the client went away")

    body = PDF_BYTES + b"0" * (2 * documents.CHUNK)
    with pytest.raises(ConnectionResetError), unit_of_work():
        documents.add_document(request_, request_.created_by,
                               FileStorage(FailingStream(body, lost), filename="big.pdf"))
    assert files(app) == before
    assert count(Attachment, Attachment.case_id == request_.id) == 0


def test_an_upload_whose_worker_is_killed_mid_write_leaves_nothing_after_the_sweep(app, request_):
    """A killed worker runs no clean-up: its .part file stays until the sweep."""
    before = files(app)
    body = PDF_BYTES + b"0" * (2 * documents.CHUNK)
    child = os.fork()
    if child == 0:  # the worker: killed in the middle of writing the file
        try:
            documents.add_document(request_, request_.created_by, FileStorage(
                FailingStream(body, lambda: os._exit(9)), filename="big.pdf"))
        finally:
            os._exit(1)  # never reached when the kill came mid-write
    _, status = os.waitpid(child, 0)
    assert os.WEXITSTATUS(status) == 9
    [left] = files(app) - before
    assert left.endswith(documents.PART)

    assert documents.sweep(older_than_seconds=HOUR) == []  # young: may still be written
    age(app, left, 2 * HOUR)
    assert documents.sweep(older_than_seconds=HOUR) == [left]
    assert files(app) == before


def test_the_sweep_keeps_young_files_and_the_files_documents_name(app, request_, caplog):
    kept = make_document(request_, request_.created_by)
    make_liaison_case()  # police documents are kept too (below)
    stray, young, part = "0" * 32, "1" * 32, "2" * 32 + documents.PART
    for name in (stray, young, part):
        (folder(app) / name).write_bytes(b"left behind")
    for name in (kept.stored_name, stray, part):
        age(app, name, 2 * HOUR)

    assert documents.sweep(HOUR, dry_run=True) == [stray, part]
    assert {stray, part} <= files(app)
    with caplog.at_level(logging.INFO, logger="tracker"):
        assert documents.sweep(HOUR) == [stray, part]
    assert kept.stored_name in files(app) and young in files(app)
    assert not {stray, part} & files(app)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert stray in logged and "left behind" not in logged  # names only, never content


def test_the_sweep_keeps_police_documents_when_the_job_reads_nothing_by_itself(app):
    """The command runs outside a request, where the scope (and PostgreSQL's row-level
    security) shows nothing: the sweep must still see every document's row."""
    case, _, _ = make_liaison_case()
    attachment = make_document(case, case.created_by)
    age(app, attachment.stored_name, 2 * HOUR)
    scope.set_outside_requests(None)
    try:
        db.session.commit()  # a new transaction, begun as a cron job's would be
        removed = documents.sweep(HOUR)
    finally:
        scope.set_outside_requests(scope.EVERYTHING)
    assert attachment.stored_name not in removed
    assert attachment.stored_name in files(app)


def test_the_sweep_command(app, request_):
    stray = "3" * 32
    (folder(app) / stray).write_bytes(b"left behind")
    age(app, stray, 2 * HOUR)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["documents", "sweep", "--dry-run"])
    assert dry.exit_code == 0 and "would remove" in dry.output and stray in dry.output
    assert stray in files(app)
    young = runner.invoke(args=["documents", "sweep", "--older-than", str(3 * HOUR)])
    assert young.exit_code == 0 and stray not in young.output and stray in files(app)
    done = runner.invoke(args=["documents", "sweep"])
    assert done.exit_code == 0 and stray in done.output
    assert stray not in files(app)


# --- a full disk --------------------------------------------------------------------------------


def fill_the_disk(monkeypatch, code: int = errno.ENOSPC) -> None:
    """The attachment folder's disk fills up after the first bytes of a file are written."""
    real_open = open

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def write(self, data):
            self.handle.write(data[:10])
            raise OSError(code, os.strerror(code))

        def __getattr__(self, name):
            return getattr(self.handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    monkeypatch.setattr(documents, "open", lambda *a, **k: FullDisk(real_open(*a, **k)),
                        raising=False)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_gives_the_form_back_with_the_message_and_saves_nothing(
        app, officer, request_, monkeypatch, code):
    before = files(app)
    fill_the_disk(monkeypatch, code)
    response = officer.post(f"/consular/requests/{request_.reference}/documents",
                            {"file": (io.BytesIO(PDF_BYTES), "letter.pdf")})
    assert response.status_code == 507
    body = response.get_data(as_text=True)
    error = body[body.index('id="file-error-1"'):][:400]
    assert "disk is full" in error and "Tell the system administrator" in error
    assert count(Attachment, Attachment.case_id == request_.id) == 0
    assert audit_rows(request_.reference, "consular_request.document_added") == []
    assert files(app) == before


def test_a_full_disk_under_an_exchange_saves_neither(app, login_as, monkeypatch):
    officer = login_as(P)
    case, _, _ = make_liaison_case(officer.user)
    before, stored = row_counts(), files(app)
    fill_the_disk(monkeypatch)
    data = exchange_form(summary="Comes with a scan")
    data["document"] = (io.BytesIO(PDF_BYTES), "scan.pdf")
    response = officer.post(f"/police/cases/{case.reference}/exchanges", data,
                            content_type="multipart/form-data")
    assert response.status_code == 507
    assert [html.unescape(e) for e in field_error(page(response), "document")] == \
        [DISK_FULL_MESSAGE]
    assert row_counts() == before and files(app) == stored
    assert count(Exchange, Exchange.case_id == case.id) == 0


@pytest.mark.own_database
def test_a_full_database_disk_is_named_as_such(database_url, tmp_path):
    """SQLite's "database or disk is full" is a 507 saying so, not "cannot be reached".

    A database of its own: SQLite ends the whole transaction at a full disk, which the
    suite's per-test transaction would not survive. Its page limit stands in for the disk.
    """
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's page limit stands in for a full disk")
    own = create_app(make_test_config(sibling_database(database_url, "full_disk", tmp_path)))
    with own.app_context():
        upgrade()
        user = make_user(Role.CONSULAR_OFFICER)
        email, reference = user.email, make_request(office=user.office, officer=user).reference
        db.session.remove()
        db.engine.dispose()  # every connection from here on is made with the limit

        @event.listens_for(db.engine, "connect")
        def no_room_left(dbapi_connection, _record):
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    client = own.test_client()
    assert login(client, email).status_code == 302
    response = client.post(f"/consular/requests/{reference}/notes",
                           data={"text": "A long note. " * 1500,
                                 "csrf_token": csrf_token(client)})
    assert response.status_code == 507
    body = response.get_data(as_text=True)
    assert "disk is full" in body and "cannot be reached" not in body
    with own.app_context():
        db.engine.dispose()


def test_a_full_disk_anywhere_else_is_a_507_page_not_a_500(officer, request_, monkeypatch):
    """E.g. the temporary folder filling while a large upload is received."""
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(documents, "add_document", full)
    response = officer.post(f"/consular/requests/{request_.reference}/documents",
                            {"file": (io.BytesIO(PDF_BYTES), "letter.pdf")})
    assert response.status_code == 507
    assert "disk is full" in response.get_data(as_text=True)


def test_postgresql_says_disk_full_too():
    import psycopg
    from sqlalchemy.exc import OperationalError

    from tracker.files import is_disk_full

    full = OperationalError("INSERT ...", {}, psycopg.errors.DiskFull("could not extend file"))
    gone = OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused"))
    assert is_disk_full(full) and not is_disk_full(gone)


def test_the_sweep_removes_thumbnails_of_documents_that_are_gone(app, request_):
    """A thumbnail (or the "no preview" marker) whose document was removed, or whose removal
    failed half-way, is a copy of a page of it: the sweep removes it; a kept document's stays."""
    kept = make_document(request_, request_.created_by)
    previews = folder(app) / documents.PREVIEWS
    previews.mkdir(parents=True, exist_ok=True)
    names = {"kept": f"{kept.stored_name}.png", "gone": f"{'4' * 32}.png",
             "gone_marker": f"{'5' * 32}.none", "young": f"{'6' * 32}.png"}
    for name in names.values():
        (previews / name).write_bytes(b"a page")
    for key in ("kept", "gone", "gone_marker"):
        age(app, f"{documents.PREVIEWS}/{names[key]}", 2 * HOUR)
    expected = [f"{documents.PREVIEWS}/{names['gone']}",
                f"{documents.PREVIEWS}/{names['gone_marker']}"]
    assert documents.sweep(HOUR, dry_run=True) == expected
    assert documents.sweep(HOUR) == expected
    assert {e.name for e in os.scandir(previews)} == {names["kept"], names["young"]}
