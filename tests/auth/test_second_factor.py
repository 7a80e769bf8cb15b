"""TOTP: enrolment with a QR code and a typed key, each code accepted once, required in production."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD, csrf_from, login, make_user, reload
from tracker import create_app
from tracker.audit.models import AuditEvent
from tracker.auth.models import AccountChangeProposal, Role
from tracker.config import make_test_config
from tracker.extensions import db


def _enrol(client):
    page = client.get("/account/second-factor")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in html  # the QR code, allowed by the CSP (img-src data:)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    response = client.post("/account/second-factor", data={
        "csrf_token": csrf_from(html), "code": pyotp.TOTP(secret).now()})
    return secret, response


def _next_code(secret):
    return pyotp.TOTP(secret).at(time.time() + 30)


def _second_step(client, code):
    page = client.get("/login/second-factor")
    return client.post("/login/second-factor", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "code": code})


@pytest.fixture
def enrolled(app):
    user = make_user(Role.CONSULAR_OFFICER)
    client = app.test_client()
    login(client, user.email)
    secret, response = _enrol(client)
    assert response.status_code == 302
    return user, secret


def test_enrolment_stores_the_secret_and_is_audited(enrolled):
    user, secret = enrolled
    assert reload(user).totp_secret == secret
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "second_factor.enrolled", AuditEvent.actor_id == user.id))


def test_a_wrong_code_does_not_enrol(app):
    user = make_user()
    client = app.test_client()
    login(client, user.email)
    page = client.get("/account/second-factor").get_data(as_text=True)
    response = client.post("/account/second-factor", data={"csrf_token": csrf_from(page),
                                                           "code": "000000"})
    assert response.status_code == 422
    assert "This code does not match" in response.get_data(as_text=True)
    assert reload(user).totp_secret is None


def test_sign_in_asks_for_the_code_and_accepts_it_once(app, enrolled):
    user, secret = enrolled
    client = app.test_client()
    first = login(client, user.email)
    assert first.headers["Location"] == "/login/second-factor"
    # Not signed in yet: the home page still sends to sign-in.
    assert client.get("/").status_code == 302
    code = _next_code(secret)  # the current one was spent on enrolment
    assert _second_step(client, code).status_code == 302
    assert client.get("/").status_code == 200

    # The same code again, from another browser that knows the password: refused.
    other = app.test_client()
    login(other, user.email)
    replay = _second_step(other, code)
    assert replay.status_code == 401
    assert "used already" in replay.get_data(as_text=True)


def test_wrong_codes_count_towards_the_lock(app, enrolled):
    user, _ = enrolled
    client = app.test_client()
    login(client, user.email)
    for _ in range(5):
        _second_step(client, "123456")
    assert login(app.test_client(), user.email).status_code == 429


def test_the_password_step_alone_expires(app, enrolled):
    user, secret = enrolled
    client = app.test_client()
    login(client, user.email)
    with client.session_transaction() as s:
        pending = s["pending_second_factor"]
        s["pending_second_factor"] = {**pending, "at": pending["at"] - 600}
    response = client.get("/login/second-factor")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_administrator_resets_a_lost_authenticator(login_as, enrolled):
    user, _ = enrolled
    admin, approver = login_as(Role.ADMINISTRATOR), login_as(Role.ADMINISTRATOR)
    assert admin.post(f"/admin/users/{user.id}/reset-second-factor").status_code == 302
    assert reload(user).totp_secret is not None  # proposed only: a second administrator approves
    proposal = db.session.scalar(select(AccountChangeProposal)
                                 .where(AccountChangeProposal.target_id == user.id))
    assert approver.post(f"/admin/approvals/{proposal.id}/approve",
                         {"version": str(proposal.version)}).status_code == 302
    assert reload(user).totp_secret is None


def test_second_factor_is_required_in_production(app):
    """With TOTP_REQUIRED (TRACKER_ENV=production), an account without it may only enrol."""
    strict = create_app({**make_test_config(app.config["SQLALCHEMY_DATABASE_URI"]),
                         "TOTP_REQUIRED": True})
    user = make_user()
    client = strict.test_client()
    assert login(client, user.email).status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"] == "/account/second-factor"
    assert client.get("/account").headers["Location"] == "/account/second-factor"
    _, response = _enrol(client)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_production_settings_require_the_second_factor():
    from tracker.config import Settings

    settings = Settings(tracker_env="production", secret_key="k" * 40,
                        database_url="postgresql+psycopg://db/tracker")
    assert settings.flask_config()["TOTP_REQUIRED"] is True
    assert Settings().flask_config()["TOTP_REQUIRED"] is False


def test_password_is_still_checked_before_the_code(app, enrolled):
    user, _ = enrolled
    response = login(app.test_client(), user.email, "wrong password guess!!")
    assert response.status_code == 401
    assert DEFAULT_PASSWORD  # the right one is only used by the fixture
