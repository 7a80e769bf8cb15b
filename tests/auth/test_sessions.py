"""Server-side sessions: ended on the server means a saved cookie no longer works."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import DEFAULT_PASSWORD, csrf_token, login, make_user, reload
from tracker.auth import services
from tracker.auth.models import Role, UserSession
from tracker.db import utcnow
from tracker.extensions import db


def _cookie(client):
    return client.get_cookie("session").value


def _replay(app, cookie_value):
    """A different browser presenting a copy of the saved cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie_value)
    return thief.get("/")


def _is_signed_in(response) -> bool:
    return response.status_code == 200 and "Good to see you" in response.get_data(as_text=True)


@pytest.fixture
def signed_in(app):
    user = make_user(Role.CONSULAR_OFFICER)
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client, user


def test_saved_cookie_works_while_the_session_is_open(app, signed_in):
    client, _ = signed_in
    assert _is_signed_in(_replay(app, _cookie(client)))


def test_logout_ends_the_session_on_the_server(app, signed_in):
    client, user = signed_in
    saved = _cookie(client)
    token = csrf_token(client)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    replayed = _replay(app, saved)
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert row.ended_at is not None and row.end_reason == "signed out"


def test_logout_is_a_post_only(signed_in):
    client, _ = signed_in
    assert client.get("/logout").status_code == 405


@pytest.mark.parametrize("how", ["end sessions", "password", "role", "deactivate"])
def test_administrator_actions_end_sessions(app, signed_in, how):
    client, user = signed_in
    user = reload(user)  # signing in touched it (last sign-in time, version)
    saved = _cookie(client)
    if how == "end sessions":
        services.end_sessions(user)
    elif how == "password":
        services.set_password(user, "a brand new passphrase here")
    elif how == "role":
        services.update_user(user, display_name=user.display_name, role=Role.MANAGER,
                             office=user.office, active=True, version=user.version)
    else:
        services.update_user(user, display_name=user.display_name, role=user.role,
                             office=user.office, active=False, version=user.version)
    assert not _is_signed_in(client.get("/"))
    assert not _is_signed_in(_replay(app, saved))


def test_ended_session_says_so_on_the_sign_in_page(signed_in):
    client, user = signed_in
    services.end_sessions(user)
    response = client.get("/", follow_redirects=True)
    assert "Your session has ended" in response.get_data(as_text=True)


def test_own_password_change_keeps_this_session_and_ends_the_others(app, signed_in):
    client, user = signed_in
    other_browser = app.test_client()
    login(other_browser, user.email)
    token = csrf_token(client)
    response = client.post("/account/password", data={
        "csrf_token": token, "current_password": DEFAULT_PASSWORD,
        "new_password": "lanterns over the margalla hills", "confirm":
            "lanterns over the margalla hills"})
    assert response.status_code == 302
    assert _is_signed_in(client.get("/"))
    assert not _is_signed_in(other_browser.get("/"))


def test_idle_timeout(app, signed_in):
    client, user = signed_in
    db.session.execute(update(UserSession).where(UserSession.user_id == user.id)
                       .values(last_seen_at=utcnow() - timedelta(minutes=16)))
    db.session.commit()
    assert not _is_signed_in(client.get("/"))
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    db.session.refresh(row)
    assert row.end_reason == "idle timeout"


def test_activity_keeps_the_session_alive(app, signed_in):
    client, user = signed_in
    db.session.execute(update(UserSession).where(UserSession.user_id == user.id)
                       .values(last_seen_at=utcnow() - timedelta(minutes=14)))
    db.session.commit()
    assert _is_signed_in(client.get("/"))
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    db.session.refresh(row)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_absolute_timeout_even_when_active(app, signed_in):
    client, user = signed_in
    db.session.execute(update(UserSession).where(UserSession.user_id == user.id)
                       .values(created_at=utcnow() - timedelta(hours=8, minutes=1),
                               last_seen_at=utcnow()))
    db.session.commit()
    assert not _is_signed_in(client.get("/"))


def test_timeouts_are_configurable(app):
    from tracker.config import Settings

    config = Settings.from_env({"SESSION_IDLE_MINUTES": "5", "SESSION_ABSOLUTE_HOURS": "2"}
                               ).flask_config()
    assert config["SESSION_IDLE_MINUTES"] == 5 and config["SESSION_ABSOLUTE_HOURS"] == 2


def test_cookie_flags(signed_in):
    client, _ = signed_in
    cookie = client.get_cookie("session")
    assert cookie.http_only
    assert cookie.same_site == "Strict"


def test_production_cookie_is_secure_with_host_prefix():
    from tracker.config import Settings

    config = Settings(tracker_env="production", secret_key="k" * 40,
                      database_url="postgresql+psycopg://db/tracker").flask_config()
    assert config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Strict"


def test_only_a_hash_of_the_token_is_stored(signed_in):
    client, user = signed_in
    with client.session_transaction() as s:
        token = s["sid"]
    stored = db.session.scalars(select(UserSession.id)).all()
    assert token not in stored and len(stored[0]) == 64
