"""The audit log: append-only, hash-chained, verified by `flask audit verify`."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import make_user
from tracker.audit import service as audit
from tracker.audit.sealing import seal_pending
from tracker.audit.models import GENESIS_HASH, AuditEvent
from tracker.auth.models import Role
from tracker.extensions import db


def _events(n=3):
    user = make_user(Role.ADMINISTRATOR)
    for i in range(n):
        audit.record("test.event", object_type="thing", object_id=i, actor=user,
                     details={"n": i, "text": "æøå ۱۲۳"})
    db.session.commit()
    seal_pending()
    return user


def _tamper(sql: str, **params):
    """Change a row behind the application's back, as a database administrator could."""
    bind = db.session.connection()
    dialect = bind.dialect.name
    if dialect == "postgresql":
        bind.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    else:
        bind.execute(text("DROP TRIGGER audit_events_seal_once"))
        bind.execute(text("DROP TRIGGER audit_events_no_delete"))
    bind.execute(text(sql), params)
    if dialect == "postgresql":
        bind.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))


def test_rows_chain_onto_each_other(app):
    _events()
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert rows[0].prev_hash in (GENESIS_HASH, *[r.hash for r in rows])
    for before, after in zip(rows, rows[1:]):
        assert after.prev_hash == before.hash
    assert audit.verify_chain().whole


def test_record_keeps_who_what_when_and_where(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    target = make_user()
    admin.post(f"/admin/users/{target.id}/end-sessions")
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "user.sessions_ended"))
    assert event.actor_id == admin.user.id and event.actor_email == admin.user.email
    assert event.actor_role == "administrator"
    assert event.object_type == "user" and event.object_id == str(target.id)
    assert event.address == "127.0.0.1"
    assert event.at.tzinfo is not None


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET action = 'x'",
                                       "DELETE FROM audit_events"])
def test_database_refuses_to_change_or_delete_rows(app, statement):
    _events(1)
    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(text(statement))


def test_verify_finds_a_changed_row(app):
    _events(3)
    victim = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id.desc())).all()[1]
    _tamper("UPDATE audit_events SET details = '{}' WHERE id = :id", id=victim)
    db.session.expire_all()
    check = audit.verify_chain()
    assert check.broken_at == victim and "changed" in check.problem


def test_verify_finds_a_removed_row(app):
    _events(3)
    ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    _tamper("DELETE FROM audit_events WHERE id = :id", id=ids[-2])
    db.session.expire_all()
    assert audit.verify_chain().broken_at == ids[-1]


def test_cli_exit_status(app, context_app):
    _events(2)
    runner = context_app.test_cli_runner()
    whole = runner.invoke(args=["audit", "verify"])
    assert whole.exit_code == 0 and "audit chain whole" in whole.output
    last = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id.desc())).first()
    _tamper("UPDATE audit_events SET action = 'forged' WHERE id = :id", id=last)
    db.session.expire_all()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1 and f"broken at row {last}" in broken.output


def test_security_events_are_recorded(app, login_as):
    from tests.conftest import login

    user = make_user()
    client = app.test_client()
    login(client, user.email, "a wrong password guess")
    login(client, user.email)
    actions = set(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.actor_id == user.id)))
    assert {"login.failed", "login.succeeded"} <= actions


def test_administrators_page_and_filter_the_log(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    for i in range(60):
        audit.record("test.bulk", object_type="user", object_id=i, actor=admin.user)
    db.session.commit()
    first = admin.get("/admin/audit/?action=test.bulk")
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and html.count("<code>test.bulk</code>") == 50
    assert "Older events" in html
    before = html.split("before=")[1].split("&")[0].split('"')[0]
    second = admin.get(f"/admin/audit/?action=test.bulk&before={before}")
    assert second.get_data(as_text=True).count("<code>test.bulk</code>") == 10
    assert "login.succeeded" not in html
    by_actor = admin.get(f"/admin/audit/?actor={admin.user.email}&action=login").get_data(
        as_text=True)
    assert "login.succeeded" in by_actor


def test_bad_filter_is_a_400_with_the_message_by_the_field(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    response = admin.get("/admin/audit/?date_from=yesterday")
    assert response.status_code == 400
    assert "Enter the date as day, month and year, for example 2026-03-27." in response.get_data(
        as_text=True)


def test_no_route_edits_or_deletes_audit_rows(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("audit."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}
