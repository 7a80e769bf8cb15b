"""Backups: one consistent archive of the database and the attachments, checked by restoring it.

An archive is a tar.gz holding `manifest.json` (application version, schema revision, when,
row counts per table, the SHA-256 of every other member), the database (`database.pgdump`,
pg_dump's custom format, or `database.sqlite3`, a copy made with SQLite's online backup API)
and `attachments/<stored name>`. With TRACKER_BACKUP_KEY set (required in production) the
tar.gz is encrypted with AES-256-GCM: MAGIC, a 12-byte nonce, the ciphertext, the 16-byte tag.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from flask import current_app
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, URL, make_url
from sqlalchemy.exc import ArgumentError

MAGIC = b"TRACKER-BACKUP-AES256GCM-1\n"
NONCE_BYTES, TAG_BYTES, CHUNK = 12, 16, 1024 * 1024
MANIFEST = "manifest.json"
PG_DUMP, SQLITE_COPY, ATTACHMENTS = "database.pgdump", "database.sqlite3", "attachments/"


class BackupError(RuntimeError):
    """A backup cannot be made, read, checked or restored; the message says why."""


def parse_key(raw: str) -> bytes:
    """TRACKER_BACKUP_KEY: 32 bytes, base64-encoded (`openssl rand -base64 32`)."""
    try:
        key = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ValueError("TRACKER_BACKUP_KEY must be 32 random bytes in base64 "
                         "(make one with: openssl rand -base64 32)")
    return key


def _key() -> bytes | None:
    key = current_app.config.get("BACKUP_KEY")
    if key is None and current_app.config.get("TRACKER_ENV") == "production":
        raise BackupError("TRACKER_BACKUP_KEY must be set in production: backups are encrypted")
    return key


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- the database -----------------------------------------------------------------------------


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq address for the client tools, and the environment with the password (kept off
    the command line, where `ps` shows it) and the compartment setting row security needs."""
    env = dict(os.environ, PGOPTIONS="-c tracker.compartment=all")
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    address = url.set(drivername="postgresql", password=None)
    return address.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not on PATH: install the PostgreSQL client tools "
                          "(the same major version as the server, or newer)")
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _client_major(tool: str) -> int:
    try:
        out = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout
    except FileNotFoundError:
        raise BackupError(f"{tool} is not on PATH: install the PostgreSQL client tools "
                          "(the same major version as the server, or newer)")
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    if not found:
        raise BackupError(f"cannot tell {tool}'s version from {out.strip()!r}")
    return int(found.group(1))


def _check_client(tool: str, conn: Connection) -> None:
    server = int(conn.scalar(text("SHOW server_version_num"))) // 10000
    client = _client_major(tool)
    if client < server:
        raise BackupError(f"{tool} is version {client}, older than the server's {server}: "
                          f"install the PostgreSQL {server} client tools")


def _counts(conn: Connection) -> dict[str, int]:
    """Rows per table, every compartment's."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT set_config('tracker.compartment', 'all', true)"))
    quote = conn.dialect.identifier_preparer.quote
    return {table: int(conn.scalar(text(f"SELECT count(*) FROM {quote(table)}")))
            for table in sorted(inspect(conn).get_table_names())}


def _revision(counts: dict[str, int], conn: Connection) -> str | None:
    if "alembic_version" not in counts:
        return None
    return conn.scalar(text("SELECT version_num FROM alembic_version"))


def _dump_database(url: URL, into: Path) -> tuple[str, dict[str, int], str | None]:
    """Copy the database into the folder; its member name, row counts and schema revision, all
    of one moment."""
    if _is_sqlite(url):
        target = into / SQLITE_COPY
        if not url.database or not Path(url.database).is_file():
            raise BackupError(f"no SQLite database at {url.database}")
        source = sqlite3.connect(f"file:{quote(url.database)}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()
        engine = create_engine(f"sqlite:///{target}")
        with engine.connect() as conn:
            counts = _counts(conn)
            revision = _revision(counts, conn)
        engine.dispose()
        return SQLITE_COPY, counts, revision
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            _check_client("pg_dump", conn)
            conn.rollback()
            # pg_dump reads the snapshot this transaction counts in: counts and dump agree.
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
            counts = _counts(conn)
            revision = _revision(counts, conn)
            address, env = _libpq(url)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  "--enable-row-security", f"--snapshot={snapshot}",
                  f"--file={into / PG_DUMP}", f"--dbname={address}"], env)
            conn.rollback()
    finally:
        engine.dispose()
    return PG_DUMP, counts, revision


def _is_empty(url: URL) -> bool:
    if _is_sqlite(url):
        if not url.database or not Path(url.database).exists():
            return True
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return not inspect(conn).get_table_names()
    finally:
        engine.dispose()


def _load_database(member: Path, url: URL) -> None:
    """Restore a database copy into the (empty) database at url."""
    if member.name == SQLITE_COPY:
        if not _is_sqlite(url):
            raise BackupError("the archive holds a SQLite database: restore it into a sqlite:// "
                              "address")
        target = Path(url.database)
        target.parent.mkdir(parents=True, exist_ok=True)
        source, copy = sqlite3.connect(member), sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()
        return
    if _is_sqlite(url):
        raise BackupError("the archive holds a PostgreSQL dump: restore it into a "
                          "postgresql:// address")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            _check_client("pg_restore", conn)
    finally:
        engine.dispose()
    address, env = _libpq(url)
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
          "--single-transaction", f"--dbname={address}", str(member)], env)


# --- archives ---------------------------------------------------------------------------------


def _encrypt(plain: Path, target: Path, key: bytes) -> None:
    nonce = secrets.token_bytes(NONCE_BYTES)
    encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(MAGIC)
    with open(plain, "rb") as source, open(target, "wb") as out:
        out.write(MAGIC + nonce)
        for chunk in iter(lambda: source.read(CHUNK), b""):
            out.write(encryptor.update(chunk))
        out.write(encryptor.finalize() + encryptor.tag)


def _decrypt(archive: Path, target: Path, key: bytes | None) -> None:
    size = archive.stat().st_size
    with open(archive, "rb") as source:
        if source.read(len(MAGIC)) != MAGIC:
            raise BackupError(f"{archive} is not an encrypted tracker backup")
        if key is None:
            raise BackupError("the archive is encrypted: set TRACKER_BACKUP_KEY to the key it "
                              "was made with")
        nonce = source.read(NONCE_BYTES)
        remaining = size - len(MAGIC) - NONCE_BYTES - TAG_BYTES
        if remaining < 0:
            raise BackupError(f"{archive} is cut short")
        source.seek(size - TAG_BYTES)
        tag = source.read(TAG_BYTES)
        source.seek(len(MAGIC) + NONCE_BYTES)
        decryptor = Cipher(algorithms.AES(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(MAGIC)
        with open(target, "wb") as out:
            while remaining:
                chunk = source.read(min(CHUNK, remaining))
                remaining -= len(chunk)
                out.write(decryptor.update(chunk))
            try:
                out.write(decryptor.finalize())
            except Exception:  # cryptography's InvalidTag: nothing said of which byte
                raise BackupError(f"{archive} fails authentication: it was changed, is damaged, "
                                  "or was encrypted with another key")


@dataclass
class Created:
    path: Path
    manifest: dict
    encrypted: bool


def _version() -> str:
    try:
        return metadata.version("tracker")
    except metadata.PackageNotFoundError:
        return "unknown"


def create(output_dir: Path) -> Created:
    """Make one archive of the app's database and attachment folder in output_dir."""
    key = _key()
    output_dir.mkdir(parents=True, exist_ok=True)
    if not os.access(output_dir, os.W_OK):
        raise BackupError(f"cannot write to {output_dir}")
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    attachments = Path(current_app.config["ATTACHMENT_DIR"])
    created_at = datetime.now(timezone.utc)
    name = f"tracker-backup-{created_at:%Y%m%dT%H%M%SZ}.tar.gz" + (".enc" if key else "")
    with tempfile.TemporaryDirectory(prefix="tracker-backup-", dir=output_dir) as work:
        work = Path(work)
        database, counts, revision = _dump_database(url, work)
        members = {database: work / database}
        if attachments.is_dir():
            for path in sorted(attachments.iterdir()):
                # Only finished files: uploads in progress carry a temporary name.
                if path.is_file() and not path.name.startswith("."):
                    members[ATTACHMENTS + path.name] = path
        manifest = {
            "format": 1,
            "app_version": _version(),
            "alembic_revision": revision,
            "created_at": created_at.isoformat(timespec="seconds"),
            "database": "sqlite" if _is_sqlite(url) else "postgresql",
            "row_counts": counts,
            "sha256": {member: _sha256(path) for member, path in members.items()},
        }
        plain = work / "archive.tar.gz"
        with tarfile.open(plain, "w:gz", compresslevel=6) as tar:
            body = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(created_at.timestamp()), 0o600
            tar.addfile(info, io.BytesIO(body))
            for member, path in members.items():
                tar.add(path, arcname=member, recursive=False)
        target = output_dir / name
        for again in range(2, 100):  # two backups within a second keep both
            if not target.exists():
                break
            target = output_dir / name.replace(".tar.gz", f"-{again}.tar.gz")
        if key:
            _encrypt(plain, target, key)
        else:
            shutil.move(plain, target)
        target.chmod(0o600)
    return Created(target, manifest, key is not None)


@contextmanager
def _opened(archive: Path) -> Iterator[tuple[dict, Path]]:
    """Decrypt if need be, unpack into a temporary folder and check every member's checksum:
    the manifest and the folder."""
    if not archive.is_file():
        raise BackupError(f"no archive at {archive}")
    with tempfile.TemporaryDirectory(prefix="tracker-restore-") as work:
        work = Path(work)
        with open(archive, "rb") as head:
            encrypted = head.read(len(MAGIC)) == MAGIC
        plain = archive
        if encrypted:
            plain = work / "archive.tar.gz"
            _decrypt(archive, plain, current_app.config.get("BACKUP_KEY"))
        unpacked = work / "unpacked"
        try:
            with tarfile.open(plain, "r:gz") as tar:
                tar.extractall(unpacked, filter="data")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{archive} cannot be read as a tar.gz: {exc}")
        try:
            manifest = json.loads((unpacked / MANIFEST).read_text())
            checksums = manifest["sha256"]
        except (OSError, ValueError, KeyError) as exc:
            raise BackupError(f"{archive} has no readable manifest: {exc}")
        found = {p.relative_to(unpacked).as_posix() for p in unpacked.rglob("*") if p.is_file()}
        problems = [f"missing: {m}" for m in sorted(set(checksums) - found)]
        problems += [f"not in the manifest: {m}" for m in sorted(found - set(checksums) -
                                                                  {MANIFEST})]
        problems += [f"checksum differs: {m}" for m in sorted(set(checksums) & found)
                     if _sha256(unpacked / m) != checksums[m]]
        if problems:
            raise BackupError("the archive does not match its manifest: " + "; ".join(problems))
        yield manifest, unpacked


def _database_member(unpacked: Path) -> Path:
    for name in (PG_DUMP, SQLITE_COPY):
        if (unpacked / name).is_file():
            return unpacked / name
    raise BackupError("the archive holds no database")


def restore(archive: Path, database_url: str, attachment_dir: Path) -> dict:
    """Restore into an empty database and an empty attachment folder; the manifest."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise BackupError(f"--database-url: {database_url!r} is not a database address "
                          "(postgresql+psycopg://user@host/name or sqlite:////path/file)")
    if not _is_empty(url):
        raise BackupError("the target database is not empty: restore only into a new, empty "
                          "database (nothing was changed)")
    if attachment_dir.is_dir() and any(attachment_dir.iterdir()):
        raise BackupError(f"the attachment folder {attachment_dir} is not empty: restore only "
                          "into an empty one (nothing was changed)")
    with _opened(archive) as (manifest, unpacked):
        _load_database(_database_member(unpacked), url)
        attachment_dir.mkdir(parents=True, exist_ok=True)
        source = unpacked / ATTACHMENTS
        if source.is_dir():
            for path in source.iterdir():
                shutil.copy2(path, attachment_dir / path.name)
    return manifest


@dataclass
class Verification:
    manifest: dict
    rows: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def good(self) -> bool:
        return not self.differences


def _audit_verify() -> bool:
    """Run `flask audit verify` on the current app (the scratch copy): the operator's own check,
    its report printed as usual. Whether it passed."""
    from tracker.cli import verify_command

    try:
        verify_command.main(args=[], prog_name="flask audit verify", standalone_mode=False)
    except SystemExit as exc:
        return not exc.code
    return True


@contextmanager
def _scratch_database(kind: str, work: Path) -> Iterator[str]:
    """An empty database for the check, removed afterwards: a SQLite file, or a PostgreSQL
    database next to the app's (its role needs CREATEDB)."""
    if kind == "sqlite":
        yield f"sqlite:///{work / 'scratch.sqlite3'}"
        return
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if _is_sqlite(url):
        raise BackupError("a PostgreSQL archive is checked on PostgreSQL: run verify with "
                          "DATABASE_URL set to the PostgreSQL server")
    name = f"tracker_verify_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def verify(archive: Path) -> Verification:
    """Check the archive end to end: checksums, a restore into a scratch database, the row
    counts against the manifest, the documents the rows name, and `flask audit verify` there."""
    from tracker import create_app
    from tracker.config import engine_options
    from tracker.extensions import db

    with _opened(archive) as (manifest, unpacked), \
            tempfile.TemporaryDirectory(prefix="tracker-verify-") as work, \
            _scratch_database(manifest.get("database", "sqlite"), Path(work)) as scratch:
        _load_database(_database_member(unpacked), make_url(scratch))
        check = Verification(manifest)
        engine = create_engine(scratch)
        try:
            with engine.connect() as conn:
                counts = _counts(conn)
                kept = set(conn.scalars(text(
                    "SELECT stored_name FROM attachments WHERE removed_at IS NULL"))) \
                    if "attachments" in counts else set()
        finally:
            engine.dispose()
        archived = {p.name for p in (unpacked / ATTACHMENTS).glob("*")}
        missing = sorted(kept - archived)
        if missing:
            check.differences.append(
                f"{len(missing)} document(s) the database names are not in the archive "
                f"(removed while it was made? make another): {', '.join(missing[:5])}")
        expected = manifest.get("row_counts", {})
        for table in sorted(set(expected) | set(counts)):
            if expected.get(table) != counts.get(table):
                check.differences.append(f"table {table}: manifest {expected.get(table)} "
                                         f"rows, restored {counts.get(table)}")
        check.rows = sum(counts.values())
        if "audit_events" not in counts:
            check.differences.append("no audit log in the restored database")
            return check
        config = dict(current_app.config, SQLALCHEMY_DATABASE_URI=scratch,
                      SQLALCHEMY_ENGINE_OPTIONS=engine_options(scratch))
        scratch_app = create_app(config)
        with scratch_app.app_context():
            try:
                whole = _audit_verify()
            finally:
                db.session.remove()
                db.engine.dispose()
        if not whole:
            check.differences.append("`flask audit verify` fails on the restored copy (above)")
        return check
