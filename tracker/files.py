"""Files written so that a crash or a full disk never leaves half a file under the real name.

A file is written under a temporary name in its own folder, flushed to the disk (fsync), and
only then renamed into place (os.replace, atomic within one file system); the folder is
flushed too, so that the rename survives a power cut.
"""
from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
from pathlib import Path

from flask_babel import lazy_gettext as _l

# The errors a write gives when there is no room left: the disk, or the account's quota.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
# PostgreSQL's "disk_full" (53100); the rest of class 53 is memory and connections.
DISK_FULL_SQLSTATES = frozenset({"53100"})
DISK_FULL_MESSAGE = _l("The server's disk is full: the file was not saved. Tell the system "
                       "administrator.")


def is_disk_full(error: BaseException) -> bool:
    """True when the disk (or the quota) is full: said by the operating system (an OSError),
    or by the database (SQLite's SQLITE_FULL, PostgreSQL's disk_full, inside SQLAlchemy's
    error)."""
    if isinstance(error, OSError):
        return error.errno in DISK_FULL_ERRNOS
    driver = getattr(error, "orig", None)
    return (getattr(driver, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
            or getattr(driver, "sqlstate", None) in DISK_FULL_SQLSTATES)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename, a new name) to the disk."""
    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def move_into_place(temporary: Path, final: Path) -> None:
    """Rename a fully written temporary file to its real name, durably."""
    os.replace(temporary, final)
    sync_folder(final.parent)


def write_atomically(path: Path, body: bytes) -> None:
    """Write `body` to `path`: whole, or not at all (a temporary file beside it is renamed)."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp makes the file readable by its owner only; give it the usual mode.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        move_into_place(Path(temporary), path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
