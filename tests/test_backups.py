"""Backups restore: the round trip on the suite's database kind, and every way a bad archive or a
wrong target is refused."""
from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
import sqlite3
import tarfile
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine

from tests.conftest import make_document, sibling_database
from tracker import backups, create_app
from tracker.auth.models import Role, User
from tracker.config import engine_options, make_test_config
from tracker.consular.models import ConsularRequest
from tracker.demo import load_demo
from tracker.extensions import db
from tracker.unit_of_work import unit_of_work

pytestmark = pytest.mark.own_database
CONTENT = b"%PDF-1.4\n% a scanned passport page, invented\n1 0 obj <<>> endobj\n%%EOF\n"


@pytest.fixture
def source_app(database_url, tmp_path):
    """A migrated database with the demo data, its audit rows and one uploaded document."""
    app = create_app(make_test_config(sibling_database(database_url, "backup_source", tmp_path)))
    with app.app_context():
        upgrade()
        with unit_of_work():
            load_demo()
        request = db.session.scalars(db.select(ConsularRequest).limit(1)).one()
        officer = db.session.scalars(db.select(User).where(
            User.role == Role.CONSULAR_OFFICER, User.office_id == request.office_id)).first()
        app.extensions["document"] = make_document(request, officer, CONTENT, "passport.pdf")
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def target_url(database_url, tmp_path):
    return sibling_database(database_url, "backup_target", tmp_path)


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def _archive(result) -> Path:
    assert result.exit_code == 0, result.output
    return Path(re.search(r"wrote (\S+)", result.output).group(1))


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return backups._counts(conn)
    finally:
        engine.dispose()


def _audit_verify(app, url: str):
    """`flask audit verify` on the database at url, as the operator runs it after a restore."""
    restored = create_app(dict(app.config, SQLALCHEMY_DATABASE_URI=url,
                               SQLALCHEMY_ENGINE_OPTIONS=engine_options(url)))
    try:
        return _cli(restored, "audit", "verify")
    finally:
        with restored.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_round_trip_restores_every_row_and_document(source_app, target_url, tmp_path,
                                                    encrypted, monkeypatch):
    if encrypted:
        monkeypatch.setitem(source_app.config, "BACKUP_KEY", secrets.token_bytes(32))
    archive = _archive(_cli(source_app, "backup", "create", "--output", str(tmp_path / "out")))
    assert archive.name.endswith(".tar.gz.enc" if encrypted else ".tar.gz")
    assert (archive.read_bytes()[:len(backups.MAGIC)] == backups.MAGIC) is encrypted

    verified = _cli(source_app, "backup", "verify", str(archive))
    assert verified.exit_code == 0, verified.output
    assert "audit chain whole" in verified.output

    documents = tmp_path / "restored-documents"
    restored = _cli(source_app, "backup", "restore", str(archive), "--database-url", target_url,
                    "--attachment-dir", str(documents))
    assert restored.exit_code == 0, restored.output
    source_url = source_app.config["SQLALCHEMY_DATABASE_URI"]
    assert _counts(target_url) == _counts(source_url)
    assert _counts(target_url)["consular_requests"] > 0
    stored_name = source_app.extensions["document"].stored_name
    assert (documents / stored_name).read_bytes() == CONTENT
    assert _counts(target_url)["audit_events"] > 0
    audit_verified = _audit_verify(source_app, target_url)
    assert audit_verified.exit_code == 0, audit_verified.output
    assert "audit chain whole" in audit_verified.output


def _rewrite(archive: Path, change) -> Path:
    """A copy of a plain archive with `change(name, bytes) -> bytes` applied to its members
    (None leaves the member out)."""
    forged = archive.with_name("forged.tar.gz")
    with tarfile.open(archive, "r:gz") as source, tarfile.open(forged, "w:gz") as out:
        for member in source.getmembers():
            body = change(member.name, source.extractfile(member).read())
            if body is not None:
                member.size = len(body)
                out.addfile(member, io.BytesIO(body))
    return forged


def test_a_changed_document_fails_verify(source_app, tmp_path):
    archive = _archive(_cli(source_app, "backup", "create", "--output", str(tmp_path)))
    forged = _rewrite(archive, lambda name, body: body.replace(b"passport", b"PASSPORT")
                      if name.startswith("attachments/") else body)
    result = _cli(source_app, "backup", "verify", str(forged))
    assert result.exit_code == 1
    assert "checksum differs: attachments/" in result.output


def test_counts_that_differ_from_the_manifest_fail_verify(source_app, tmp_path):
    archive = _archive(_cli(source_app, "backup", "create", "--output", str(tmp_path)))

    def more_requests(name, body):
        if name != backups.MANIFEST:
            return body
        manifest = json.loads(body)
        manifest["row_counts"]["consular_requests"] += 1
        return json.dumps(manifest).encode()

    result = _cli(source_app, "backup", "verify", str(_rewrite(archive, more_requests)))
    assert result.exit_code == 1
    assert "table consular_requests" in result.output


def test_a_flipped_byte_in_an_encrypted_archive_fails_verify(source_app, tmp_path,
                                                            monkeypatch):
    monkeypatch.setitem(source_app.config, "BACKUP_KEY", secrets.token_bytes(32))
    archive = _archive(_cli(source_app, "backup", "create", "--output", str(tmp_path)))
    body = bytearray(archive.read_bytes())
    body[len(body) // 2] ^= 0x01
    archive.write_bytes(bytes(body))
    result = _cli(source_app, "backup", "verify", str(archive))
    assert result.exit_code == 1
    assert "fails authentication" in result.output


def test_an_encrypted_archive_needs_its_key(source_app, tmp_path, monkeypatch):
    monkeypatch.setitem(source_app.config, "BACKUP_KEY", secrets.token_bytes(32))
    archive = _archive(_cli(source_app, "backup", "create", "--output", str(tmp_path)))
    monkeypatch.setitem(source_app.config, "BACKUP_KEY", secrets.token_bytes(32))
    result = _cli(source_app, "backup", "verify", str(archive))
    assert result.exit_code == 1 and "another key" in result.output


def test_restore_into_a_database_with_tables_is_refused(source_app, tmp_path):
    archive = _archive(_cli(source_app, "backup", "create", "--output", str(tmp_path)))
    source_url = source_app.config["SQLALCHEMY_DATABASE_URI"]
    before = _counts(source_url)
    result = _cli(source_app, "backup", "restore", str(archive), "--database-url", source_url,
                  "--attachment-dir", str(tmp_path / "documents"))
    assert result.exit_code != 0
    assert "not empty" in result.output
    assert _counts(source_url) == before
    assert not (tmp_path / "documents").exists()


def test_restore_into_a_folder_with_documents_is_refused(source_app, target_url, tmp_path):
    archive = _archive(_cli(source_app, "backup", "create", "--output", str(tmp_path)))
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "someone-elses.pdf").write_bytes(b"%PDF-1.4")
    result = _cli(source_app, "backup", "restore", str(archive), "--database-url", target_url,
                  "--attachment-dir", str(documents))
    assert result.exit_code != 0 and "not empty" in result.output
    assert _counts(target_url) == {}


def test_production_without_a_key_makes_no_archive(source_app, tmp_path, monkeypatch):
    monkeypatch.setitem(source_app.config, "TRACKER_ENV", "production")
    monkeypatch.setitem(source_app.config, "BACKUP_KEY", None)
    result = _cli(source_app, "backup", "create", "--output", str(tmp_path / "out"))
    assert result.exit_code != 0
    assert "TRACKER_BACKUP_KEY must be set in production" in result.output
    assert not (tmp_path / "out").exists()


def test_a_missing_pg_dump_is_named(source_app, tmp_path, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pg_dump is for PostgreSQL")
    monkeypatch.setenv("PATH", str(tmp_path))
    result = _cli(source_app, "backup", "create", "--output", str(tmp_path / "out"))
    assert result.exit_code != 0 and "pg_dump is not on PATH" in result.output


def test_pg_dump_older_than_the_server_is_refused(source_app, tmp_path, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pg_dump is for PostgreSQL")
    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    result = _cli(source_app, "backup", "create", "--output", str(tmp_path / "out"))
    assert result.exit_code != 0 and "older than the server" in result.output


def test_the_manifest_says_what_the_archive_holds(source_app, tmp_path):
    archive = _archive(_cli(source_app, "backup", "create", "--output", str(tmp_path)))
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.loads(tar.extractfile(backups.MANIFEST).read())
        names = set(tar.getnames())
    assert manifest["alembic_revision"] and manifest["app_version"] and manifest["created_at"]
    assert manifest["row_counts"]["audit_events"] > 0
    assert set(manifest["sha256"]) == names - {backups.MANIFEST}
    assert f"attachments/{source_app.extensions['document'].stored_name}" in names


@pytest.mark.parametrize("args, message", [
    (["verify", "no-such-archive.tar.gz"], "no archive at"),
    (["restore", "ARCHIVE", "--database-url", "nonsense"], "not a database address"),
])
def test_bad_arguments_get_a_message_not_a_traceback(source_app, tmp_path, args, message):
    archive = _archive(_cli(source_app, "backup", "create", "--output", str(tmp_path)))
    result = _cli(source_app, "backup", *[str(archive) if a == "ARCHIVE" else a for a in args])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_a_document_missing_from_the_archive_fails_verify(source_app, tmp_path):
    archive = _archive(_cli(source_app, "backup", "create", "--output", str(tmp_path)))

    def without_documents(name, body):
        if name.startswith("attachments/"):
            return None
        if name == backups.MANIFEST:
            manifest = json.loads(body)
            manifest["sha256"] = {member: digest for member, digest in manifest["sha256"].items()
                                  if not member.startswith("attachments/")}
            return json.dumps(manifest).encode()
        return body

    result = _cli(source_app, "backup", "verify", str(_rewrite(archive, without_documents)))
    assert result.exit_code == 1
    assert source_app.extensions["document"].stored_name in result.output


def test_a_forged_audit_row_fails_verify_even_with_matching_checksums(source_app, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("edits the SQLite copy inside the archive")
    archive = _archive(_cli(source_app, "backup", "create", "--output", str(tmp_path)))
    copy = tmp_path / "copy.sqlite3"
    with tarfile.open(archive, "r:gz") as tar:
        copy.write_bytes(tar.extractfile(backups.SQLITE_COPY).read())
    forger = sqlite3.connect(copy)
    for (trigger,) in forger.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                     "AND tbl_name = 'audit_events'").fetchall():
        forger.execute(f"DROP TRIGGER {trigger}")
    forger.execute("UPDATE audit_events SET actor_email = 'someone.else@tracker.example' "
                   "WHERE id = (SELECT max(id) FROM audit_events)")
    forger.commit()
    forger.close()
    forged_database = copy.read_bytes()

    def forged(name, body):
        if name == backups.SQLITE_COPY:
            return forged_database
        if name == backups.MANIFEST:
            manifest = json.loads(body)
            manifest["sha256"][backups.SQLITE_COPY] = \
                hashlib.sha256(forged_database).hexdigest()
            return json.dumps(manifest).encode()
        return body

    result = _cli(source_app, "backup", "verify", str(_rewrite(archive, forged)))
    assert result.exit_code == 1
    assert "`flask audit verify` fails on the restored copy" in result.output
