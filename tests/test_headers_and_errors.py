"""Security headers on every answer, error pages in the layout, 503 while the database is away."""
from __future__ import annotations

import pytest
from flask_migrate import upgrade

from tracker import create_app
from tracker.auth.models import Role
from tracker.config import make_test_config
from tracker.web import CONTENT_SECURITY_POLICY

EXPECTED_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def _assert_security_headers(response, *, page=True):
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    if page:
        assert response.headers["Cache-Control"] == "no-store"


def test_policy_is_the_agreed_one():
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP


@pytest.mark.parametrize("url", ["/login", "/healthz", "/no-such-page"])
def test_headers_for_strangers(client, url):
    _assert_security_headers(client.get(url))


def test_headers_behind_sign_in_and_on_error_pages(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    for url, status in (("/", 200), ("/account", 200), ("/admin/users", 403),
                        ("/nothing-here", 404)):
        response = officer.get(url)
        assert response.status_code == status
        _assert_security_headers(response)
    _assert_security_headers(officer.client.get("/logout"))  # 405


def test_static_files_may_be_cached_but_carry_the_headers(client):
    response = client.get("/static/css/tracker.css")
    assert response.status_code == 200
    _assert_security_headers(response, page=False)
    assert response.headers.get("Cache-Control") != "no-store"


def test_hsts_only_in_production(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    strict = create_app({**make_test_config(app.config["SQLALCHEMY_DATABASE_URI"]), "HSTS": True})
    assert strict.test_client().get("/login").headers["Strict-Transport-Security"].startswith(
        "max-age=")


@pytest.mark.parametrize("status, title", [
    (403, "You do not have access to this page"),
    (404, "Page not found"),
    (405, "That is not possible here"),
])
def test_error_pages_use_the_layout(login_as, status, title):
    officer = login_as(Role.POLICE_LIAISON_OFFICER)
    url = {403: "/admin/offices", 404: "/nope", 405: "/logout"}[status]
    response = officer.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert title in html and 'class="site-header"' in html and "Skip to main content" in html


def test_too_large_a_request_is_413(client):
    response = client.post("/login", data={"email": "x" * (21 * 1024 * 1024)})
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)


def test_unexpected_error_is_a_plain_500(app):
    broken = create_app(make_test_config(app.config["SQLALCHEMY_DATABASE_URI"]))
    broken.config["PROPAGATE_EXCEPTIONS"] = False

    def explode():
        raise RuntimeError("secret internals: /etc/passwd")

    explode.is_public = True
    broken.add_url_rule("/healthz/explode", "main.explode", explode)
    from tracker.auth import permissions

    original = permissions.PUBLIC_ENDPOINTS
    permissions.PUBLIC_ENDPOINTS = original | {"main.explode"}
    try:
        response = broken.test_client().get("/healthz/explode")
    finally:
        permissions.PUBLIC_ENDPOINTS = original
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in html and "secret internals" not in html
    assert "Traceback" not in html
    _assert_security_headers(response)


@pytest.mark.own_database
def test_database_down_gives_503_and_recovers(tmp_path):
    """A real outage: the database file's folder is missing, then comes back."""
    folder = tmp_path / "gone"
    app = create_app(make_test_config(f"sqlite:///{folder / 'tracker.sqlite3'}"))
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["database"] == "unreachable"
    _assert_security_headers(health)
    # A page that needs the database (signed-in cookie present) also answers 503.
    with client.session_transaction() as s:
        s["_user_id"], s["sid"] = "1", "token"
    page = client.get("/")
    assert page.status_code == 503
    assert "The tracker is unavailable" in page.get_data(as_text=True)
    _assert_security_headers(page)
    folder.mkdir()
    # It answers again, but an empty database is not one the tracker can serve from.
    back = client.get("/healthz")
    assert back.status_code == 503 and back.get_json()["database"] == "not migrated"
    with app.app_context():
        upgrade()
    assert client.get("/healthz").status_code == 200


def test_healthz_when_the_database_answers(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
