"""Whatever is typed into the forms, the answer is never a 500 and nothing is half-saved."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.conftest import csrf_token, make_office, make_user
from tracker.auth.models import Role, User
from tracker.extensions import db, limiter

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


def _ok(status: int) -> bool:
    return 200 <= status < 500


@FUZZ
@given(email=NASTY, password=NASTY)
def test_login_form(app, email, password):
    limiter.reset()
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token})
    assert _ok(response.status_code)
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
    assert _ok(response.status_code)
    if response.status_code != 302:
        assert db.session.scalar(select(func.count()).select_from(User)) == before
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


@FUZZ
@given(name=NASTY, role=st.sampled_from([r.value for r in Role]) | NASTY, version=NASTY)
def test_edit_account_form(admin, name, role, version):
    target = make_user(office=make_office())
    response = admin.post(f"/admin/users/{target.id}", {
        "display_name": name, "role": role, "office": str(target.office_id),
        "active": "y", "version": version})
    assert _ok(response.status_code)


@FUZZ
@given(code=NASTY, name=NASTY, kind=NASTY, zone=NASTY)
def test_office_form(admin, code, name, kind, zone):
    response = admin.post("/admin/offices/new", {"code": code, "name": name, "kind": kind,
                                                 "time_zone": zone})
    assert _ok(response.status_code)


@FUZZ
@given(query=NASTY, actor=NASTY, date=NASTY)
def test_search_and_filter_pages(admin, query, actor, date):
    assert _ok(admin.client.get("/admin/users", query_string={"q": query}).status_code)
    assert _ok(admin.client.get("/admin/audit/", query_string={
        "actor": actor, "action": query, "date_from": date, "before": date}).status_code)


@FUZZ
@given(current=NASTY, new=NASTY, code=NASTY)
def test_account_forms(admin, current, new, code):
    assert _ok(admin.post("/account/password", {"current_password": current,
                                                "new_password": new,
                                                "confirm": new}).status_code)
    assert _ok(admin.post("/account/second-factor", {"code": code}).status_code)
