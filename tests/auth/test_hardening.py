"""Fixes from the security review: each test is the reproduction that failed before."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD, csrf_from, login, make_user, reload, sibling_database
from tracker import create_app
from tracker.auth.models import Role, User
from tracker.config import make_test_config
from tracker.extensions import db


def test_sign_in_over_https_without_a_referer(app):
    """Referrer-Policy: no-referrer means no Referer header; sign-in must still work."""
    config = {**make_test_config(app.config["SQLALCHEMY_DATABASE_URI"]),
              "SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_NAME": "__Host-session"}
    secure = create_app(config)
    user = make_user()
    client = secure.test_client()
    page = client.get("/login", base_url="https://tracker.example")
    response = client.post("/login", base_url="https://tracker.example", data={
        "email": user.email, "password": DEFAULT_PASSWORD,
        "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_missing_version_is_a_conflict_not_an_overwrite(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    target = make_user()
    response = admin.post(f"/admin/users/{target.id}", {
        "display_name": "Overwritten", "role": "consular_officer",
        "office": str(target.office_id), "active": "y"})
    assert response.status_code == 409
    assert reload(target).display_name != "Overwritten"


def test_signing_in_does_not_make_an_open_admin_form_stale(app, login_as):
    admin = login_as(Role.ADMINISTRATOR)
    target = make_user()
    opened_version = target.version
    assert login(app.test_client(), target.email).status_code == 302
    response = admin.post(f"/admin/users/{target.id}", {
        "display_name": "Renamed", "role": "consular_officer",
        "office": str(target.office_id), "active": "y", "version": str(opened_version)})
    assert response.status_code == 302


def test_wrong_current_passwords_count_towards_the_lock(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    for _ in range(5):
        response = officer.post("/account/password", {
            "current_password": "a wrong guess at it", "new_password": "x" * 20,
            "confirm": "x" * 20})
        assert response.status_code == 422
    assert login(officer.client.application.test_client(), officer.user.email).status_code == 429


@pytest.mark.parametrize("url", [
    "/admin/users/99999999999999999999", "/admin/users/2147483648",
    "/admin/offices/2147483648",
])
def test_huge_ids_are_404(login_as, url):
    assert login_as(Role.ADMINISTRATOR).get(url).status_code == 404


@pytest.mark.parametrize("query", [
    "before=9223372036854775808", "date_to=9999-12-31", "endpoint=x&action=test",
    "_method=POST&action=test", "before=-5",
])
def test_odd_audit_filters_never_500(login_as, query):
    from tracker.audit import service as audit

    admin = login_as(Role.ADMINISTRATOR)
    for i in range(55):
        audit.record("test.event", actor=admin.user)
    db.session.commit()
    assert admin.get(f"/admin/audit/?{query}").status_code in (200, 400)


def test_next_with_a_line_break_goes_home(client):
    user = make_user()
    page = client.get("/login")
    response = client.post("/login?next=/%0d%0aX-Evil:1", data={
        "email": user.email, "password": DEFAULT_PASSWORD,
        "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_unsatisfiable_range_keeps_its_status(client):
    response = client.get("/static/css/tracker.css", headers={"Range": "bytes=999999-"})
    assert response.status_code == 416


@pytest.mark.own_database
def test_parallel_wrong_passwords_cannot_pass_the_lock(database_url, tmp_path, monkeypatch):
    """Twenty tries at once: at most five passwords are ever checked."""
    if not database_url.startswith("postgresql"):
        pytest.skip("true parallel writers need PostgreSQL")
    from flask_migrate import upgrade

    from tracker.auth import passwords, services

    url = sibling_database(database_url, "lock_race", tmp_path)
    race = create_app(make_test_config(url))
    with race.app_context():
        upgrade()
        from tracker.auth.models import Office, OfficeKind

        office = Office(code="RCE", name="Race", kind=OfficeKind.EMBASSY,
                        time_zone="Asia/Karachi")
        user = User(email="race@tracker.example", display_name="Race", role=Role.MANAGER,
                    office=office, password_hash=passwords.hash_password(DEFAULT_PASSWORD))
        db.session.add(user)
        db.session.commit()
        db.session.remove()
    checked = []
    real_verify = services.verify_password

    def counting_verify(stored, password):
        checked.append(1)
        return real_verify(stored, password)

    monkeypatch.setattr(services, "verify_password", counting_verify)
    barrier = threading.Barrier(20)

    def attempt():
        with race.app_context():
            barrier.wait()
            services.check_credentials("race@tracker.example", "a wrong password here")
            db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with race.app_context():
        db.engine.dispose()
    assert len(checked) <= 5


@pytest.mark.own_database
def test_two_administrators_cannot_demote_each_other_at_once(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("true parallel writers need PostgreSQL")
    from flask_migrate import upgrade

    from tracker.auth import services
    from tracker.auth.models import Office, OfficeKind
    from tracker.unit_of_work import unit_of_work

    url = sibling_database(database_url, "admin_race", tmp_path)
    race = create_app(make_test_config(url))
    with race.app_context():
        upgrade()
        office = Office(code="RCE", name="Race", kind=OfficeKind.EMBASSY,
                        time_zone="Asia/Karachi")
        for n in (1, 2):
            db.session.add(User(email=f"admin{n}@tracker.example", display_name=f"Admin {n}",
                                role=Role.ADMINISTRATOR, office=office, password_hash="x"))
        db.session.commit()
        db.session.remove()
    barrier = threading.Barrier(2)
    outcomes = []

    def demote(email):
        with race.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            barrier.wait()
            try:
                with unit_of_work():
                    services.update_user(user, display_name=user.display_name,
                                         role=Role.MANAGER, office=user.office, active=True,
                                         version=user.version)
                outcomes.append("demoted")
            except services.AccountError:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=demote, args=(f"admin{n}@tracker.example",))
               for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with race.app_context():
        admins = db.session.scalar(select(db.func.count()).select_from(User).where(
            User.role == Role.ADMINISTRATOR, User.active.is_(True)))
        db.session.remove()
        db.engine.dispose()
    assert sorted(outcomes) == ["demoted", "refused"] and admins == 1
