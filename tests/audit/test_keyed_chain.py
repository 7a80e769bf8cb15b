"""The audit chain is keyed: a row added by someone with only database access does not verify."""
from __future__ import annotations

import hashlib
import json

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import make_user, sibling_database
from tracker import create_app
from tracker.audit import service as audit
from tracker.audit.sealing import seal_pending
from tracker.audit.models import GENESIS_HASH, AuditEvent
from tracker.auth.models import Role
from tracker.config import ROOT, ConfigError, Settings, make_test_config, parse_audit_keys
from tracker.db import utcnow
from tracker.extensions import db

OLD_SECRET = b"the-old-audit-key-" + b"o" * 32
NEW_SECRET = b"the-new-audit-key-" + b"n" * 32


def _events(n=3):
    user = make_user(Role.ADMINISTRATOR)
    for i in range(n):
        audit.record("test.event", object_type="thing", object_id=i, actor=user,
                     details={"n": i})
    db.session.commit()
    seal_pending()


def _plain_sha256(row: dict) -> str:
    """The digest as the code before keys computed it: anyone who read the source can."""
    payload = [row["prev_hash"], row["at"].isoformat(timespec="microseconds"), row["actor_id"],
               row["actor_email"], row["actor_role"], row["action"], row["object_type"],
               row["object_id"], row["reason"], row["address"], row["details"]]
    encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _chain_as_before_keys() -> bool:
    """`verify_chain` as it was before keys: every link and every plain SHA-256 matches."""
    expected = GENESIS_HASH
    for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        row = {c: getattr(e, c) for c in ("prev_hash", "at", "actor_id", "actor_email",
                                          "actor_role", "action", "object_type", "object_id",
                                          "reason", "address", "details")}
        if e.prev_hash != expected or _plain_sha256(row) != e.hash:
            return False
        expected = e.hash
    return True


def _insert_as_insider(key_id: str | None = None, **overrides) -> int:
    """Append a row with a correct link and plain SHA-256, as the application's database
    role can: INSERT only, no audit key."""
    last = db.session.scalars(select(AuditEvent).order_by(
        AuditEvent.chain_position.desc())).first()
    row = {"at": utcnow(), "actor_id": None, "actor_email": "it@embassy.example",
           "actor_role": "administrator", "action": "user.role_changed", "object_type": "user",
           "object_id": "1", "reason": None, "address": "127.0.0.1",
           "details": '{"role": {"from": "consular_officer", "to": "administrator"}}',
           "prev_hash": last.hash if last else GENESIS_HASH,
           "chain_position": last.chain_position + 1 if last else 1, **overrides}
    row["hash"] = overrides.get("hash") or _plain_sha256(row)
    db.session.execute(text(
        "INSERT INTO audit_events (at, actor_id, actor_email, actor_role, action, object_type,"
        " object_id, reason, address, details, prev_hash, hash, key_id, chain_position)"
        " VALUES (:at, :actor_id, :actor_email, :actor_role, :action, :object_type,"
        " :object_id, :reason, :address, :details, :prev_hash, :hash, :key_id,"
        " :chain_position)"), {**row, "key_id": key_id})
    db.session.commit()
    db.session.expire_all()
    return db.session.scalar(select(AuditEvent.id).where(AuditEvent.hash == row["hash"]))


def test_new_rows_carry_the_current_key_id_and_an_hmac(app):
    _events(2)
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert {r.key_id for r in rows} == {"test"}
    assert not _chain_as_before_keys()  # the digests are no plain SHA-256 any more
    check = audit.verify_chain()
    assert check.whole and check.rows == len(rows) and check.last_hash == rows[-1].hash


@pytest.mark.parametrize("key_id, problem", [
    (None, "unsigned row after the chain was keyed"),
    ("test", "wrong digest"),
    ("k2", "unknown key id 'k2'"),
])
def test_a_row_appended_with_the_plain_hash_is_refused(app, context_app, key_id, problem):
    _events(2)
    forged = _insert_as_insider(key_id)
    if key_id is None:
        # Before keys this row was a perfectly good link: the old check would have passed it.
        audit_rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert audit_rows[-1].id == forged and audit_rows[-1].prev_hash == audit_rows[-2].hash
        assert audit_rows[-1].hash == audit.plain_digest(audit_rows[-1])
    check = audit.verify_chain()
    assert check.broken_at == forged and problem in check.problem
    result = context_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"audit chain broken at row {forged}: {problem}" in result.output


def test_a_digest_that_is_not_even_hexadecimal_is_reported_not_a_crash(app, context_app):
    _events(1)
    forged = _insert_as_insider("test", hash="ü" * 64)
    check = audit.verify_chain()
    assert check.broken_at == forged and "wrong digest" in check.problem


def test_rows_under_an_older_key_verify_after_rotation(app, context_app, monkeypatch):
    monkeypatch.setitem(context_app.config, "AUDIT_KEYS", (("k1", OLD_SECRET),))
    _events(2)
    monkeypatch.setitem(context_app.config, "AUDIT_KEYS",
                        (("k2", NEW_SECRET), ("k1", OLD_SECRET)))
    _events(2)
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [r.key_id for r in rows[-4:]] == ["k1", "k1", "k2", "k2"]
    assert audit.verify_chain().whole
    assert context_app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
    # The old key taken away too early: its rows can no longer be checked, and verify says so.
    monkeypatch.setitem(context_app.config, "AUDIT_KEYS", (("k2", NEW_SECRET),))
    check = audit.verify_chain()
    assert check.broken_at == rows[-4].id and "unknown key id 'k1'" in check.problem
    # A key with the same id but another secret (a guessed or stale one) is no help either.
    monkeypatch.setitem(context_app.config, "AUDIT_KEYS",
                        (("k2", NEW_SECRET), ("k1", b"a-guessed-secret-" + b"g" * 32)))
    assert "wrong digest" in audit.verify_chain().problem


def test_production_refuses_to_start_without_an_audit_key():
    production = {"TRACKER_ENV": "production", "SECRET_KEY": "s" * 48,
                  "DATABASE_URL": "postgresql+psycopg://tracker@db/tracker",
                  "TRACKER_BACKUP_KEY": "QkFDS1VQLUtFWS1GT1ItVEVTVFMtT05MWS0zMi1CWVQ="}
    with pytest.raises(ConfigError, match="TRACKER_AUDIT_KEYS must be set"):
        Settings.from_env(production)
    with pytest.raises(ConfigError, match="development key"):
        Settings.from_env({**production, "TRACKER_AUDIT_KEYS": f"k9:{NEW_SECRET.decode()},"
                           + "old:" + Settings().audit_keys()[0][1].decode()})
    with pytest.raises(ConfigError, match="32 characters"):
        Settings.from_env({**production, "TRACKER_AUDIT_KEYS": "k1:short"})
    settings = Settings.from_env({**production,
                                  "TRACKER_AUDIT_KEYS": f"k2:{NEW_SECRET.decode()}, "
                                                        f"k1:{OLD_SECRET.decode()}"})
    assert settings.flask_config()["AUDIT_KEYS"] == (("k2", NEW_SECRET), ("k1", OLD_SECRET))


@pytest.mark.parametrize("raw", ["no-colon-here" + "x" * 32, "bad id:" + "x" * 32,
                                 "a:" + "x" * 32 + ",a:" + "y" * 32, ",", "k:" + "x" * 31])
def test_a_malformed_key_list_is_refused_without_echoing_the_secret(raw):
    with pytest.raises(ConfigError) as refused:
        parse_audit_keys(raw)
    assert "x" * 31 not in str(refused.value) and "y" * 32 not in str(refused.value)


def test_development_and_tests_have_a_fixed_key():
    assert Settings().flask_config()["AUDIT_KEYS"] == Settings().flask_config()["AUDIT_KEYS"]
    assert make_test_config("sqlite://")["AUDIT_KEYS"][0][0] == "test"


@pytest.mark.own_database
def test_a_migrated_chain_keeps_its_plain_rows_and_refuses_new_ones(database_url, tmp_path):
    """Rows from before keys verify as they are, but only before the first keyed row."""
    url = sibling_database(database_url, "keyed_chain", tmp_path)
    app = create_app(make_test_config(url))
    script = ScriptDirectory(str(ROOT / "migrations"))
    before_keys = script.get_revision("0007").down_revision
    with app.app_context():
        try:
            upgrade(revision=before_keys)
            engine = db.engine
            with engine.begin() as conn:
                prev = GENESIS_HASH
                for n in range(3):
                    row = {"at": utcnow(), "actor_id": n, "actor_email": f"a{n}@x.example",
                           "actor_role": "administrator", "action": "login.succeeded",
                           "object_type": "user", "object_id": str(n), "reason": None,
                           "address": None, "details": None, "prev_hash": prev}
                    row["hash"] = prev = _plain_sha256(row)
                    conn.execute(text(
                        "INSERT INTO audit_events (at, actor_id, actor_email, actor_role, "
                        "action, object_type, object_id, reason, address, details, prev_hash,"
                        " hash) VALUES (:at, :actor_id, :actor_email, :actor_role, :action, "
                        ":object_type, :object_id, :reason, :address, :details, :prev_hash, "
                        ":hash)"), row)
            upgrade()
            assert db.session.scalars(select(AuditEvent.key_id)).all() == [None] * 3
            assert audit.verify_chain().whole and audit.verify_chain().legacy_rows == 3
            audit.record("test.after_keys")
            db.session.commit()
            seal_pending()
            check = audit.verify_chain()
            assert check.whole and check.rows == 4 and check.legacy_rows == 3
            forged = _insert_as_insider(None)
            check = audit.verify_chain()
            assert check.broken_at == forged and "unsigned row" in check.problem
            # The migration kept the table append-only.
            with pytest.raises(DBAPIError, match="append-only"):
                with db.session.begin_nested():
                    db.session.execute(text("DELETE FROM audit_events"))
            db.session.rollback()
        finally:
            db.session.remove()
            db.engine.dispose()
