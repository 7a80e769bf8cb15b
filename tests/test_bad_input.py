"""Whatever is typed into the forms, the answer is never a 500 and nothing is half-saved."""
from __future__ import annotations

import datetime
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from tests.conftest import csrf_token, make_office, make_user, reload
from tracker.auth.forms import MAX_LENGTH
from tracker.auth.models import FailedLogin, Role, User
from tracker.extensions import db, limiter
from tracker.forms import has_control_characters

NASTY = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50).map(lambda s: s + "\x00"),
    st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "ﷺ", "‮evil", "👮‍♀️" * 40,
                     "Øyvind Ærø Åsen", "محمد چوہدری", "=cmd|' /C calc'!A0", "%00", "\r\n"]),
    st.just("x" * 100_000),
)
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def answered(response, *statuses: int) -> str:
    """The answer is exactly one of `statuses`; a redirect never goes to the sign-in page; a
    refused form (422) says what is wrong; nothing typed is echoed as markup. Returns the page."""
    html = response.get_data(as_text=True)
    said = re.findall(r'class="error"[^>]*>(.*?)</p>|alert-error[^>]*>(.*?)</div>', html)
    assert response.status_code in statuses, (response.status_code, response.request.path[:80],
                                              response.headers.get("Location"), said)
    if response.status_code in (302, 303):
        assert "/login" not in response.headers["Location"], "signed out by bad input"
    if response.status_code == 422:
        assert re.search(r'class="error(-summary)?"|alert-error', html), "refused without saying why"
    assert "<script>alert(1)</script>" not in html
    return html


def nonzero_int(value: str) -> bool:
    """Whether a form's integer field (or `type=int`) reads `value` as a number other than 0."""
    try:
        return int(value) != 0
    except ValueError:
        return False


def _fills(value: str, max_length: int) -> bool:
    """What a required text field accepts: something, not too long, no control characters."""
    return bool(value) and len(value) <= max_length and not has_control_characters(value)


def _date_or_blank(value: str) -> bool:
    if not value.strip():
        return True
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10  # the form reads YYYY-MM-DD only


@FUZZ
@given(email=NASTY, password=NASTY)
def test_login_form(app, email, password):
    limiter.reset()
    db.session.execute(delete(FailedLogin))  # examples repeat addresses: no lockout (429) here
    db.session.commit()
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token})
    # A form that cannot be read is 400; a readable one with no such account is 401.
    readable = _fills(email, 254) and _fills(password, MAX_LENGTH)
    assert response.status_code == (401 if readable else 400), (email, password)
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


@pytest.fixture
def admin(login_as):
    return login_as(Role.ADMINISTRATOR)


@FUZZ
@given(email=NASTY, name=NASTY, role=NASTY, office=NASTY, password=NASTY, active=NASTY)
def test_new_account_form(admin, email, name, role, office, password, active):
    before = db.session.scalar(select(func.count()).select_from(User))
    response = admin.post("/admin/users/new", {"email": email, "display_name": name,
                                               "role": role, "office": office,
                                               "password": password, "active": active})
    # No role or office typed at random is one the form offers: always refused, nothing saved.
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(User)) == before
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


@FUZZ
@given(name=NASTY, role=st.sampled_from([r.value for r in Role]) | NASTY, version=NASTY)
def test_edit_account_form(admin, name, role, version):
    target = make_user(office=make_office())
    response = admin.post(f"/admin/users/{target.id}", {
        "display_name": name, "role": role, "office": str(target.office_id),
        "active": "y", "version": version})
    # A stale version (409) can only be noticed once the rest of the form is valid.
    assert response.status_code in ((409, 422) if role in set(Role) else (422,))
    assert reload(target).display_name == target.display_name


@FUZZ
@given(code=NASTY, name=NASTY, kind=NASTY, zone=NASTY)
def test_office_form(admin, code, name, kind, zone):
    response = admin.post("/admin/offices/new", {"code": code, "name": name, "kind": kind,
                                                 "time_zone": zone})
    assert response.status_code == 422  # no kind typed at random is one the form offers


@FUZZ
@given(query=NASTY, actor=NASTY, date=NASTY)
def test_search_and_filter_pages(admin, query, actor, date):
    assert admin.client.get("/admin/users", query_string={"q": query}).status_code == 200
    readable = (len(actor) <= 254 and len(query) <= 64 and _date_or_blank(date)
                and not any(map(has_control_characters, (actor, query, date))))
    assert admin.client.get("/admin/audit/", query_string={
        "actor": actor, "action": query, "date_from": date, "before": date}
    ).status_code == (200 if readable else 400), (actor, query, date)


@FUZZ
@given(current=NASTY, new=NASTY, code=NASTY)
def test_account_forms(admin, current, new, code):
    # Never the right current password, never a code the (unset) authenticator would show.
    assert admin.post("/account/password", {"current_password": current,
                                            "new_password": new,
                                            "confirm": new}).status_code == 422
    assert admin.post("/account/second-factor", {"code": code}).status_code == 422
