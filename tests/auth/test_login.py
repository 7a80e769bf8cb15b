"""Signing in: one message for every failure, a per-account lock, a per-address limit."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from tests.conftest import DEFAULT_PASSWORD, csrf_from, csrf_token, login, make_user, reload
from tracker.audit.models import AuditEvent
from tracker.auth import views
from tracker.auth.models import FailedLogin, Role, UserSession
from tracker.db import utcnow
from tracker.extensions import db

BAD_CREDENTIALS = str(views.BAD_CREDENTIALS)  # the English text
LOCKED = str(views.LOCKED)


def _actions():
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_sign_in_lands_on_home_and_is_audited(client):
    user = make_user(Role.MANAGER)
    response = login(client, user.email.upper())  # addresses are not case-sensitive
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Good to see you" in client.get("/").get_data(as_text=True)
    assert "login.succeeded" in _actions()
    assert reload(user).last_login_at is not None


def test_unknown_account_and_wrong_password_say_the_same(client):
    user = make_user()
    wrong_password = login(client, user.email, "not the right password at all")
    unknown = login(client, "nobody@tracker.example")
    assert wrong_password.status_code == unknown.status_code == 401
    for response in (wrong_password, unknown):
        assert BAD_CREDENTIALS in response.get_data(as_text=True)
    assert _actions().count("login.failed") == 2


def test_deactivated_account_cannot_sign_in_and_is_not_revealed(client):
    user = make_user(active=False)
    response = login(client, user.email)
    assert response.status_code == 401
    assert BAD_CREDENTIALS in response.get_data(as_text=True)


def test_five_failures_lock_the_account_without_revealing_the_password(client):
    user = make_user()
    for _ in range(5):
        assert login(client, user.email, "wrong password guess!!").status_code == 401
    # Locked: even the right password gets the same "locked" answer.
    locked = login(client, user.email, DEFAULT_PASSWORD)
    assert locked.status_code == 429
    assert LOCKED in locked.get_data(as_text=True)
    wrong = login(client, user.email, "wrong password guess!!")
    assert wrong.status_code == 429 and LOCKED in wrong.get_data(as_text=True)
    assert "login.locked" in _actions()


def test_lock_is_counted_in_the_database_so_every_worker_sees_it(app, client):
    """A second client (another worker, another browser) meets the same lock."""
    user = make_user()
    for _ in range(5):
        login(client, user.email, "wrong password guess!!")
    assert db.session.scalar(select(db.func.count()).select_from(FailedLogin)
                             .where(FailedLogin.email == user.email)) == 5
    other = app.test_client()
    assert login(other, user.email).status_code == 429


def test_lock_lifts_after_a_minute(client):
    user = make_user()
    for _ in range(5):
        login(client, user.email, "wrong password guess!!")
    db.session.execute(update(FailedLogin).values(at=utcnow() - timedelta(seconds=61)))
    db.session.commit()
    assert login(client, user.email).status_code == 302


def test_unknown_accounts_lock_too_so_locking_reveals_nothing(client):
    for _ in range(5):
        login(client, "ghost@tracker.example", "wrong password guess!!")
    assert login(client, "ghost@tracker.example").status_code == 429


def test_per_address_limit(app):
    """Past 60 tries a minute from one address, the sign-in form answers 429."""
    client = app.test_client()
    token = csrf_token(client)
    statuses = [client.post("/login", data={"email": f"x{i}@tracker.example",
                                            "password": "wrong password guess!!",
                                            "csrf_token": token}).status_code
                for i in range(61)]
    assert statuses[:60] == [401] * 60
    assert statuses[60] == 429
    assert "Too many attempts" in client.post("/login", data={"csrf_token": token}).get_data(
        as_text=True)


def test_each_sign_in_starts_a_new_session(app):
    user = make_user()
    first, second = app.test_client(), app.test_client()
    login(first, user.email)
    login(second, user.email)
    sessions = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
    assert len(sessions) == 2 and sessions[0].id != sessions[1].id


def test_session_cookie_is_renewed_at_sign_in(client):
    """Whatever the cookie held before signing in (a planted one, say) is dropped."""
    user = make_user()
    client.get("/login")
    with client.session_transaction() as s:
        s["planted"] = "by someone else"
    login(client, user.email)
    with client.session_transaction() as s:
        assert "planted" not in s and "sid" in s


def test_next_only_goes_to_this_site(client):
    user = make_user()
    page = client.get("/login?next=https://evil.example/")
    response = client.post("/login?next=https://evil.example/", data={
        "email": user.email, "password": DEFAULT_PASSWORD,
        "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.headers["Location"] == "/"


def test_next_returns_to_the_page_asked_for(client):
    user = make_user(Role.ADMINISTRATOR)
    asked = client.get("/admin/users")
    assert asked.status_code == 302 and "next=/admin/users" in asked.headers["Location"]
    page = client.get(asked.headers["Location"])
    response = client.post(asked.headers["Location"], data={
        "email": user.email, "password": DEFAULT_PASSWORD,
        "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.headers["Location"] == "/admin/users"


def test_form_without_csrf_token_is_refused(client):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)

