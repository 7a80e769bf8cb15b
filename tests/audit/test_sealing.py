"""Audit rows are written unsealed, without a lock, and sealed into the keyed chain later."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError

from tests.audit.test_audit import _tamper
from tests.conftest import make_request, make_user, sibling_database
from tracker import create_app
from tracker.audit import service as audit
from tracker.audit.models import AuditEvent
from tracker.audit.sealing import check_unsealed, seal_pending
from tracker.auth.models import Role
from tracker.config import make_test_config
from tracker.db import utcnow
from tracker.extensions import db


def _write(n: int, action: str = "test.event") -> list[int]:
    user = make_user(Role.ADMINISTRATOR)
    ids = [audit.record(action, object_type="thing", object_id=i, actor=user,
                        details={"n": i, "text": "æøå ۱۲۳"}).id for i in range(n)]
    db.session.commit()
    return ids


def _rows(ids) -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.id.in_(ids))
                              .order_by(AuditEvent.id)).all()


def _postgresql_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: no lock to wait on, no late commit")


def test_rows_are_written_unsealed_and_verify_once_sealed(app):
    ids = _write(3)
    for row in _rows(ids):
        assert (row.chain_position, row.prev_hash, row.hash) == (None, None, None)
        assert row.key_id == "test" and row.content_mac
    assert check_unsealed(timedelta(minutes=60)).rows >= 3

    run = seal_pending()

    assert run.sealed >= 3 and not run.refused
    rows = _rows(ids)
    for before, after in zip(rows, rows[1:]):
        assert after.chain_position == before.chain_position + 1
        assert after.prev_hash == before.hash
    check = audit.verify_chain()
    assert check.whole and check.last_hash == rows[-1].hash
    assert check_unsealed(timedelta(minutes=60)).rows == 0
    assert seal_pending().sealed == 0  # nothing twice


def test_a_changed_sealed_row_fails_verify(app):
    ids = _write(3)
    seal_pending()
    _tamper("UPDATE audit_events SET reason = 'nothing to see' WHERE id = :id", id=ids[1])
    db.session.expire_all()
    check = audit.verify_chain()
    assert check.broken_at == ids[1] and "wrong digest" in check.problem


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET details = '{}' WHERE id = :id",
    # Sealing it while changing its content, as an insider with the application's role might.
    "UPDATE audit_events SET chain_position = 999999, prev_hash = 'x', hash = 'y', "
    "action = 'forged' WHERE id = :id",
    "UPDATE audit_events SET chain_position = 999999, prev_hash = 'x', hash = 'y', "
    "key_id = NULL WHERE id = :id",
    "DELETE FROM audit_events WHERE id = :id",
])
def test_the_database_refuses_to_change_an_unsealed_row(app, statement):
    [row_id] = _write(1)
    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(text(statement), {"id": row_id})


def test_a_sealed_row_cannot_be_sealed_again(app):
    [row_id] = _write(1)
    seal_pending()
    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(text("UPDATE audit_events SET hash = 'y', prev_hash = 'x' "
                                    "WHERE id = :id"), {"id": row_id})


def test_an_old_unsealed_row_fails_verify_until_sealed(app, context_app, monkeypatch):
    monkeypatch.setattr(audit, "utcnow", lambda: utcnow() - timedelta(minutes=90))
    [row_id] = _write(1)
    monkeypatch.undo()
    runner = context_app.test_cli_runner()

    stale = runner.invoke(args=["audit", "verify", "--no-seal"])
    assert stale.exit_code == 1 and "older than 60 minutes are not sealed" in stale.output
    assert runner.invoke(args=["audit", "verify", "--no-seal", "--stale-minutes",
                               "120"]).exit_code == 0

    sealed = runner.invoke(args=["audit", "verify"])
    assert sealed.exit_code == 0 and "audit chain whole" in sealed.output
    assert _rows([row_id])[0].chain_position is not None


def test_a_row_added_without_the_key_is_never_sealed(app, context_app):
    _write(1)
    db.session.execute(text(
        "INSERT INTO audit_events (at, action, object_type, object_id, key_id, content_mac)"
        " VALUES (:at, 'user.role_changed', 'user', '1', 'test', :mac)"),
        {"at": utcnow(), "mac": "0" * 64})
    db.session.commit()
    forged = db.session.scalar(select(func.max(AuditEvent.id)))
    runner = context_app.test_cli_runner()

    sealing = runner.invoke(args=["audit", "seal"])
    assert sealing.exit_code == 1 and f"audit row {forged} not sealed" in sealing.output
    assert _rows([forged])[0].chain_position is None
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 1
    assert f"unsealed audit row {forged}: content does not match its MAC" in verify.output


def test_a_request_page_opens_while_another_connection_holds_the_chain_lock(app, login_as):
    _postgresql_only(app)
    officer = login_as(Role.CONSULAR_OFFICER)
    request = make_request(officer=officer.user)
    # Were the read to wait for the lock, this makes it fail after 3 s instead of hanging.
    db.session.execute(text("SET lock_timeout = '3s'"))
    other = create_engine(db.engine.url.render_as_string(hide_password=False))
    with other.connect() as holder:
        holder.execute(text("SET lock_timeout = '3s'"))
        holder.execute(text(f"SELECT pg_advisory_lock({audit.CHAIN_LOCK})"))
        started = time.monotonic()
        response = officer.get(f"/consular/requests/{request.reference}")
        took = time.monotonic() - started
        holder.execute(text(f"SELECT pg_advisory_unlock({audit.CHAIN_LOCK})"))
    other.dispose()
    assert response.status_code == 200 and took < 2
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(
        AuditEvent.action == "consular_request.viewed",
        AuditEvent.object_id == request.reference)) == 1


def test_sealing_that_cannot_get_the_lock_says_so_and_keeps_the_rows(app, context_app):
    _postgresql_only(app)
    [row_id] = _write(1)
    db.session.execute(text("SET lock_timeout = '200ms'"))
    other = create_engine(db.engine.url.render_as_string(hide_password=False))
    with other.connect() as holder:
        holder.execute(text(f"SELECT pg_advisory_lock({audit.CHAIN_LOCK})"))
        result = context_app.test_cli_runner().invoke(args=["audit", "seal"])
        holder.execute(text(f"SELECT pg_advisory_unlock({audit.CHAIN_LOCK})"))
    other.dispose()
    assert result.exit_code == 1 and "lock is held elsewhere" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert _rows([row_id])[0].chain_position is None
    assert seal_pending().sealed >= 1


@pytest.fixture
def own_app(database_url, tmp_path):
    """An application on a database of its own: these tests commit from several connections."""
    url = sibling_database(database_url, "sealing", tmp_path)
    application = create_app(make_test_config(url))
    with application.app_context():
        upgrade()
        yield application
        db.session.remove()
        db.engine.dispose()


def _writer(app, n: int, action: str, started: threading.Barrier, errors: list):
    with app.app_context():
        try:
            started.wait()
            for i in range(n):
                audit.record(action, object_type="thing", object_id=i)
                db.session.commit()
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            db.session.remove()


@pytest.mark.own_database
def test_a_row_that_commits_after_a_later_one_is_sealed_is_not_skipped(own_app):
    _postgresql_only(own_app)
    slow_id = audit.record("test.slow").id  # the id is taken now; the transaction stays open
    fast = threading.Thread(target=_writer, args=(own_app, 1, "test.fast", threading.Barrier(1),
                                                  []))
    fast.start()
    fast.join()
    sealer = threading.Thread(target=_seal_in, args=(own_app,))
    sealer.start()  # while the slow row is still invisible to it
    sealer.join()
    db.session.commit()

    fast_row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "test.fast"))
    assert fast_row.id > slow_id and fast_row.chain_position is not None
    assert db.session.get(AuditEvent, slow_id).chain_position is None
    seal_pending()
    db.session.expire_all()
    slow_row = db.session.get(AuditEvent, slow_id)
    assert slow_row.chain_position == fast_row.chain_position + 1
    assert slow_row.prev_hash == fast_row.hash
    assert audit.verify_chain().whole


def _seal_in(app):
    with app.app_context():
        seal_pending()
        db.session.remove()


@pytest.mark.own_database
def test_two_writers_and_a_sealer_lose_no_row(own_app):
    _postgresql_only(own_app)
    per_writer, errors = 150, []
    started = threading.Barrier(2)
    writers = [threading.Thread(target=_writer, args=(own_app, per_writer, f"test.w{w}",
                                                      started, errors)) for w in (1, 2)]
    for w in writers:
        w.start()
    while any(w.is_alive() for w in writers):
        _seal_in(own_app)
    for w in writers:
        w.join()
    assert not errors
    _seal_in(own_app)
    with own_app.app_context():
        rows = db.session.execute(select(AuditEvent.action, AuditEvent.chain_position)
                                  .where(AuditEvent.action.like("test.w%"))).all()
        assert len(rows) == 2 * per_writer
        assert all(position is not None for _, position in rows)
        check = audit.verify_chain()
        assert check.whole and check.rows >= 2 * per_writer
        positions = db.session.scalars(select(AuditEvent.chain_position)
                                       .order_by(AuditEvent.chain_position)).all()
        assert positions == list(range(1, len(positions) + 1))
        assert check_unsealed(timedelta(minutes=60)).rows == 0


@pytest.mark.own_database
def test_the_downgrade_refuses_unsealed_rows_and_keeps_sealed_ones(own_app):
    from flask_migrate import downgrade

    audit.record("test.before_downgrade")
    db.session.commit()
    db.session.remove()
    with pytest.raises(SystemExit):
        downgrade(revision="0011")
    db.session.remove()
    seal_pending()
    db.session.remove()
    downgrade(revision="0011")
    # As the code before sealing reads it: every row chained onto the one before by id.
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT prev_hash, hash FROM audit_events ORDER BY id")).all()
    assert rows and all(after.prev_hash == before.hash for before, after in zip(rows, rows[1:]))
    upgrade()
    assert audit.verify_chain().whole
