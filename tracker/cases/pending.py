"""Uploads that survive a failed submit: kept server-side for the officer who chose them.

A form with a file field (an exchange with its document, a case's document) may be refused
for a reason that has nothing to do with the file: a required field left empty. The file is
kept as a pending upload under the attachments folder, in a folder of the officer's own
(`pending/<user id>/`), the form carries its token in a hidden field and shows "Already
attached: NAME"; the next successful submit uses it, and it is removed. A file the form refuses
for itself (not a PDF, empty) is not kept. Pending uploads older than a day are removed by
`sweep()` (`flask cases sweep-uploads`, daily).
"""
from __future__ import annotations

import re
import secrets
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Iterator

from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, HiddenField
from flask_babel import lazy_gettext as _l

from tracker.auth.models import User
from tracker.cases.documents import CHUNK, storage_dir
from tracker.forms import TrackerForm

MAX_AGE = timedelta(days=1)
TOKEN = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class PendingUpload:
    token: str
    filename: str
    path: Path

    @contextmanager
    def opened(self) -> Iterator[FileStorage]:
        """The kept file as an upload, for the service that stores documents."""
        with open(self.path, "rb") as stream:
            yield FileStorage(stream=stream, filename=self.filename)


class PendingUploadFields(TrackerForm):
    """The fields a form with a file needs to keep it across a failed submit."""

    pending_upload = HiddenField()
    remove_pending = BooleanField(_l("Remove it"))

    pending: PendingUpload | None = None  # set by `attached`, shown by the template


def _folder(user: User) -> Path:
    return storage_dir() / "pending" / str(int(user.id))


def keep(user: User, upload: FileStorage) -> PendingUpload:
    """Keep an uploaded file for `user` (its content as sent; checked when it is used)."""
    folder = _folder(user)
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    path = folder / token
    upload.stream.seek(0)
    with open(path, "xb") as out:
        shutil.copyfileobj(upload.stream, out, CHUNK)
    upload.stream.seek(0)
    filename = (upload.filename or "document").replace("\n", " ")[:200]
    (folder / f"{token}.name").write_text(filename, encoding="utf-8")
    return PendingUpload(token, filename, path)


def find(user: User, token: str | None) -> PendingUpload | None:
    """The user's own pending upload with this token, or None (another's token finds nothing)."""
    if not token or not TOKEN.match(token):
        return None
    path = _folder(user) / token
    name = path.with_name(f"{token}.name")
    if not path.is_file() or not name.is_file():
        return None
    return PendingUpload(token, name.read_text(encoding="utf-8"), path)


def discard(pending: PendingUpload) -> None:
    pending.path.unlink(missing_ok=True)
    pending.path.with_name(f"{pending.token}.name").unlink(missing_ok=True)


def sweep(max_age: timedelta = MAX_AGE, now: float | None = None, dry_run: bool = False
          ) -> int:
    """Remove pending uploads older than `max_age` (with `dry_run`, only count them); how many
    were (or would be) removed."""
    root = storage_dir() / "pending"
    if not root.is_dir():
        return 0
    limit = (now if now is not None else time.time()) - max_age.total_seconds()
    removed = 0
    for path in root.glob("*/*"):
        if TOKEN.match(path.name) and path.stat().st_mtime < limit:
            if not dry_run:
                discard(PendingUpload(path.name, "", path))
            removed += 1
    return removed


@contextmanager
def attached(form: PendingUploadFields, file_field: str, user: User
             ) -> Iterator[FileStorage | None]:
    """The file this submit carries: one chosen now, or the one kept from a failed submit.

    Around the whole handling of the submit. Afterwards: the form has no errors, so the file
    was saved with the record and the pending copy goes; the file itself was refused, so it
    goes too; anything else wrong, so it stays, shown as "Already attached".
    """
    upload = form[file_field].data
    pending = find(user, form.pending_upload.data)
    if isinstance(upload, FileStorage) and upload.filename:
        if pending is not None:
            discard(pending)  # a new choice replaces the kept file
        pending = keep(user, upload)
    elif pending is not None and form.remove_pending.data:
        discard(pending)
        pending = None
    form.remove_pending.data = False
    if pending is None:
        form.pending_upload.data = ""
        yield None
        return
    with pending.opened() as document:
        yield document
    if form[file_field].errors or not (form.errors or form.form_errors):
        discard(pending)
        form.pending_upload.data = ""
        return
    form.pending, form.pending_upload.data = pending, pending.token
