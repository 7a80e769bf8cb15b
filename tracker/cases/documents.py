"""Documents on a case: type checked from the content, stored outside static/ with a checksum."""
from __future__ import annotations

import hashlib
import logging
import os
import secrets
import time
import unicodedata
from pathlib import Path

import filetype
from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from flask_babel import gettext as _

from tracker.notifications.models import NotificationKind
from tracker.notifications.service import notify
from tracker.audit import service as audit
from tracker.auth.models import User
from tracker.cases.models import Attachment, Case, TimelineEvent, TimelineKind
from tracker.db import utcnow
from tracker.cases import scope
from tracker.extensions import db
from tracker.domain import FieldError
from tracker.files import DISK_FULL_MESSAGE, is_disk_full, move_into_place
from tracker.unit_of_work import after_commit, after_rollback

# What the content must be, whatever the file is called.
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (DOCX)",
}
# The extensions each type is known by; the first is added when a name lacks all of them.
EXTENSIONS = {
    "application/pdf": ("pdf",),
    "image/jpeg": ("jpg", "jpeg", "jpe"),
    "image/png": ("png",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
}
CHUNK = 1024 * 1024
PART = ".part"  # an upload being written; moved to its real name once its row is saved
PREVIEWS = "previews"  # the folder of thumbnails, beside the documents


class DocumentError(FieldError):
    """A document cannot be stored or removed; by default the message goes by the file field."""

    def __init__(self, message: str, field: str | None = "file", *, status: int | None = None):
        super().__init__(message, field, status=status)


def storage_dir() -> Path:
    path = Path(current_app.config["ATTACHMENT_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_path(attachment: Attachment) -> Path:
    return storage_dir() / attachment.stored_name


def preview_path(attachment: Attachment) -> Path:
    """Where the document's thumbnail is kept once made (tracker/cases/previews.py)."""
    return storage_dir() / PREVIEWS / f"{attachment.stored_name}.png"


def _display_name(name: str | None) -> str:
    """The uploaded file's name, kept for display and download only (never a path)."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if ch.isprintable()).strip(" .")
    return name[:200] or "document"


def named_as_its_type(name: str, content_type: str) -> str:
    """The name ending in an extension of the content's type: x.html holding a PDF is x.html.pdf.

    Appended rather than replaced, so nothing the officer typed is lost (dots in names are
    not always extensions) and a mislabelled file stays recognisable; whatever opens the
    downloaded file goes by the last extension, which is now the true one.
    """
    known = EXTENSIONS.get(content_type)
    stem, dot, extension = name.rpartition(".")
    if not known or (dot and stem and extension.lower() in known):
        return name
    return f"{name}.{known[0]}"


def add_document(case: Case, uploader: User, upload: FileStorage) -> Attachment:
    """Check, store and record one uploaded document."""
    if upload is None or not upload.filename:
        raise DocumentError(_("Choose a file to upload."))
    head = upload.stream.read(8192)
    upload.stream.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise DocumentError(_("This file is not a PDF, JPEG, PNG or Word (DOCX) document."))
    stored_name = secrets.token_hex(16)
    final = storage_dir() / stored_name
    # Written under a temporary name and moved into place only once the row is saved: a
    # worker killed mid-write leaves a .part file that the sweep removes, never a file
    # under a real name.
    part = final.with_name(stored_name + PART)
    try:
        digest, size = _write(upload.stream, part)
        if size == 0:
            raise DocumentError(_("The file is empty."))
        attachment = Attachment(case_id=case.id, filename=named_as_its_type(_display_name(upload.filename), kind.mime),
                                stored_name=stored_name, content_type=kind.mime, size=size,
                                sha256=digest, uploaded_by=uploader)
        db.session.add(attachment)
        # Nothing half-saved: the file goes if the unit of work around this rolls back.
        after_rollback(lambda: part.unlink(missing_ok=True))
        after_commit(lambda: move_into_place(part, final))
        db.session.flush()
        db.session.add(TimelineEvent(case_id=case.id, actor=uploader,
                                     kind=TimelineKind.DOCUMENT_ADDED,
                                     attachment_id=attachment.id, at=attachment.uploaded_at))
        audit.record(f"{case.kind}.document_added", object_type=str(case.kind),
                     object_id=case.reference, actor=uploader,
                     details={"document": attachment.id, "type": kind.mime, "size": size,
                              "sha256": attachment.sha256})
        db.session.flush()
        notify(NotificationKind.DOCUMENT_ADDED, [case.assigned_to], case, actor=uploader)
    except BaseException:
        part.unlink(missing_ok=True)  # no file without its record
        raise
    return attachment


def _write(stream, part: Path) -> tuple[str, int]:
    """Copy the upload to `part`, on the disk before this returns; (sha256, size)."""
    digest, size = hashlib.sha256(), 0
    try:
        with open(part, "xb") as out:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except OSError as error:
        if is_disk_full(error):
            current_app.logger.error("upload refused: the attachment folder's disk is full")
            raise DocumentError(DISK_FULL_MESSAGE, status=507) from error
        raise
    return digest.hexdigest(), size


def remove_document(case: Case, attachment: Attachment, actor: User, reason: str) -> None:
    """Remove a document's content; its record, who removed it and why stay on the timeline."""
    reason = (reason or "").strip()
    if not reason:
        raise DocumentError(_("Say why the document is removed."), "reason")
    if attachment.removed_at is not None:
        raise DocumentError(_("This document was removed already."), None)
    attachment.removed_at = utcnow()
    attachment.removed_by_id = actor.id
    attachment.removal_reason = reason[:2000]
    db.session.add(TimelineEvent(case_id=case.id, actor=actor, kind=TimelineKind.DOCUMENT_REMOVED,
                                 attachment_id=attachment.id, comment=attachment.removal_reason))
    audit.record(f"{case.kind}.document_removed", object_type=str(case.kind),
                 object_id=case.reference, actor=actor, reason=attachment.removal_reason,
                 details={"document": attachment.id, "sha256": attachment.sha256})
    db.session.flush()
    path, thumbnail = stored_path(attachment), preview_path(attachment)

    def forget() -> None:  # the content (and its thumbnail) go once that is saved
        path.unlink(missing_ok=True)
        thumbnail.unlink(missing_ok=True)
        thumbnail.with_suffix(".none").unlink(missing_ok=True)

    after_commit(forget)


def record_download(case: Case, attachment: Attachment, reader: User) -> None:
    audit.record(f"{case.kind}.document_downloaded", object_type=str(case.kind),
                 object_id=case.reference, actor=reader, details={"document": attachment.id})


def record_preview(case: Case, attachment: Attachment, reader: User) -> None:
    audit.record(f"{case.kind}.document_previewed", object_type=str(case.kind),
                 object_id=case.reference, actor=reader, details={"document": attachment.id})


def sweep(older_than_seconds: int = 3600, *, dry_run: bool = False) -> list[str]:
    """Remove the files in the attachment folder that no document names, older than the limit.

    What it finds: the .part files of uploads whose worker died mid-write, the content of
    removed documents whose deletion failed, and their thumbnails (`previews/`). A younger file may be an upload still being
    written, or one whose row is about to commit: it stays. Returns the names removed (or,
    with `dry_run`, that would be); the log gets the names, never the content.
    """
    folder = storage_dir()
    with scope.unscoped("the sweep compares every stored file with every document"):
        kept = set(db.session.scalars(
            select(Attachment.stored_name).where(Attachment.removed_at.is_(None))))
    limit = time.time() - older_than_seconds
    removed = []

    def stale(entry, named: str) -> bool:
        return (named not in kept and entry.is_file(follow_symlinks=False)
                and entry.stat(follow_symlinks=False).st_mtime <= limit)

    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if stale(entry, entry.name):
            removed.append(entry.name)
    # A thumbnail, or the mark that none can be made, is named after its document.
    previews = folder / PREVIEWS
    if previews.is_dir():
        for entry in sorted(os.scandir(previews), key=lambda e: e.name):
            if stale(entry, entry.name.rsplit(".", 1)[0]):
                removed.append(f"{PREVIEWS}/{entry.name}")
    if not dry_run:
        for name in removed:
            (folder / name).unlink(missing_ok=True)
    if removed:
        # A warning: each one is an upload whose worker died, or a deletion that failed.
        current_app.logger.log(logging.INFO if dry_run else logging.WARNING,
                               "document sweep %s %d file(s) no document names: %s",
                               "would remove" if dry_run else "removed", len(removed),
                               ", ".join(removed))
    return removed
