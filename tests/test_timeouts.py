"""Every wait has a bound: a request that runs out of time gets the busy page (503, Retry-After)
well before gunicorn's worker timeout, with its transaction rolled back, and /healthz answers
within 2 seconds whatever the database does.

These tests commit for real on a sibling database of their own, and hold locks from a second
connection, as another worker or a stuck job would.
"""
from __future__ import annotations

import socket
import sqlite3
import time
from contextlib import contextmanager

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from tests.conftest import DEFAULT_PASSWORD, csrf_token, login, sibling_database
from tracker import create_app
from tracker.auth.models import Office, OfficeKind, Role, User, UserSession
from tracker.auth.passwords import hash_password
from tracker.config import ConfigError, Settings, make_test_config
from tracker.extensions import db, limiter

pytestmark = pytest.mark.own_database

BUSY = "The tracker is busy"
SLACK = 1.5  # seconds on top of a bound: a shared 2-core machine is slow at times


@pytest.fixture(scope="module")
def prepared(database_url, tmp_path_factory):
    """A migrated database of this module's own, with one office and one officer."""
    url = sibling_database(database_url, "timeouts", tmp_path_factory.mktemp("timeouts"))
    app = create_app(make_test_config(url))
    with app.app_context():
        upgrade()
        office = Office(code="TMO", name="Timeouts office", kind=OfficeKind.EMBASSY,
                        time_zone="Asia/Karachi")
        officer = User(email="timeouts@tracker.example", display_name="Officer Timeout",
                       role=Role.CONSULAR_OFFICER, office=office,
                       password_hash=hash_password(DEFAULT_PASSWORD))
        db.session.add_all([office, officer])
        db.session.commit()
        officer_id = officer.id
        db.session.remove()
        db.engine.dispose()
    return url, officer_id


@pytest.fixture
def timed_app(prepared):
    """timed_app(db_statement_timeout=1.0, ...): the application with some bounds changed."""
    url, _ = prepared
    made = []

    def make(**settings):
        app = create_app(make_test_config(url, **settings))
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def own_limiter_storage():
    """Each create_app points the one rate limiter at its app's storage: the tests that make an
    app with a Redis put the suite's storage back afterwards."""
    saved = {name: dict(value) if isinstance(value, dict) else value
             for name, value in vars(limiter).items()}
    yield
    limiter.__dict__.update(saved)


def _postgresql(prepared) -> bool:
    return make_url(prepared[0]).get_backend_name() == "postgresql"


@pytest.fixture
def on_postgresql(prepared):
    if not _postgresql(prepared):
        pytest.skip("PostgreSQL only: the fault needs its locks and timeouts")


@pytest.fixture
def on_sqlite(prepared):
    if _postgresql(prepared):
        pytest.skip("SQLite only")


@contextmanager
def holding(url: str, *statements: str, **params):
    """Another connection runs `statements` in a transaction and keeps it open meanwhile."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            for statement in statements:
                connection.execute(text(statement), params)
            yield
            transaction.rollback()
    finally:
        engine.dispose()


def _signed_in(app):
    client = app.test_client()
    response = login(client, "timeouts@tracker.example")
    assert response.status_code == 302
    return client


@contextmanager
def silent_port():
    """A local port that takes connections and never answers: a hung peer, a partition."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        yield silent.getsockname()[1]
    finally:
        silent.close()


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def _assert_busy_page(response):
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert BUSY in html and "try again" in html
    assert "Traceback" not in html and "QueryCanceled" not in html
    assert int(response.headers["Retry-After"]) > 0


def _sessions_of(app, officer_id) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(UserSession)
                                  .where(UserSession.user_id == officer_id))
        db.session.remove()
        return count


# --- PostgreSQL ------------------------------------------------------------------------------


def test_each_connection_gets_the_bounds_for_its_kind_of_work(on_postgresql, timed_app):
    app = timed_app(db_statement_timeout=7, db_command_statement_timeout=600,
                    db_lock_timeout=2.5, db_idle_in_transaction_timeout=45)

    def shown():
        values = {name: db.session.scalar(text(f"SHOW {name}")) for name in (
            "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "jit")}
        db.session.remove()
        return values

    with app.test_request_context("/"):
        in_request = shown()
    with app.app_context():  # as a CLI command runs
        in_command = shown()
    assert in_request == {"statement_timeout": "7s", "lock_timeout": "2500ms",
                          "idle_in_transaction_session_timeout": "45s", "jit": "off"}
    assert in_command["statement_timeout"] == "10min"
    assert in_command["lock_timeout"] == "2500ms" and in_command["jit"] == "off"


def test_a_statement_past_its_timeout_gives_the_busy_page(on_postgresql, prepared, timed_app):
    url, _ = prepared
    app = timed_app(db_statement_timeout=1.0, db_lock_timeout=20)
    client = _signed_in(app)
    with holding(url, "LOCK TABLE users, user_sessions IN ACCESS EXCLUSIVE MODE"):
        response, took = _timed(lambda: client.get("/"))
    _assert_busy_page(response)
    assert took < 1.0 + SLACK  # the statement timeout, not the lock timeout, ended it
    # Rolled back and given back to the pool in working order: the next request is served.
    assert client.get("/").status_code == 200


def test_a_row_lock_gives_the_busy_page_within_lock_timeout(on_postgresql, prepared, timed_app,
                                                            caplog):
    url, officer_id = prepared
    app = timed_app(db_lock_timeout=0.5, db_statement_timeout=20)
    client = app.test_client()
    before = _sessions_of(app, officer_id)
    with holding(url, "SELECT id FROM users WHERE id = :id FOR UPDATE", id=officer_id):
        response, took = _timed(lambda: client.post("/login", data={
            "email": "timeouts@tracker.example", "password": DEFAULT_PASSWORD,
            "csrf_token": csrf_token(client)}))
    _assert_busy_page(response)
    assert took < 0.5 + SLACK
    # Nothing half-saved: the sign-in's new session row went with the rollback.
    assert _sessions_of(app, officer_id) == before
    assert login(client, "timeouts@tracker.example").status_code == 302
    # The operator's log says what timed out, without the statement's values.
    assert "database timed out: LockNotAvailable" in caplog.text
    assert "[parameters" not in caplog.text and "timeouts@tracker.example" not in caplog.text


def test_healthz_answers_within_two_seconds_while_the_database_is_blocked(
        on_postgresql, prepared, timed_app):
    url, _ = prepared
    client = timed_app().test_client()  # the default HEALTHZ_TIMEOUT
    assert client.get("/healthz").status_code == 200
    with holding(url, "LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE"):
        response, took = _timed(lambda: client.get("/healthz"))
        again, took_again = _timed(lambda: client.get("/healthz"))
    assert took < 2.0 and took_again < 2.0
    assert response.status_code == 503 and again.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "timeout"}
    deadline = time.monotonic() + 5
    while client.get("/healthz").status_code != 200:
        assert time.monotonic() < deadline, "/healthz did not recover after the lock went"
        time.sleep(0.1)


# --- both databases --------------------------------------------------------------------------


def test_every_pooled_connection_in_use_gives_the_busy_page(prepared, timed_app):
    url, _ = prepared
    config = make_test_config(url, db_pool_timeout=0.3)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {**config["SQLALCHEMY_ENGINE_OPTIONS"],
                                           "pool_size": 1, "max_overflow": 0}
    app = create_app(config)
    try:
        client = _signed_in(app)
        with app.app_context():
            with db.engine.connect():  # the pool's only connection, held by someone else
                response, took = _timed(lambda: client.get("/"))
        _assert_busy_page(response)
        assert took < 0.3 + SLACK
        assert client.get("/").status_code == 200
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_healthz_is_ok_with_nothing_blocked(prepared, timed_app):
    response = timed_app().test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_names_an_unreachable_redis_without_taking_the_workers_out(
        prepared, timed_app, own_limiter_storage):
    # Nothing listens on port 9 (discard) here: the connection is refused at once. Sign-in
    # limits then count in each worker's memory: the tracker still serves, degraded.
    app = timed_app(ratelimit_storage_uri="redis://127.0.0.1:9/0")
    response, took = _timed(lambda: app.test_client().get("/healthz"))
    assert took < 2.0
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded", "database": "ok",
                                   "redis": "unreachable"}


def test_healthz_names_a_silent_redis(
        prepared, timed_app, own_limiter_storage):
    with silent_port() as port:
        app = timed_app(ratelimit_storage_uri=f"redis://127.0.0.1:{port}/0",
                        healthz_timeout=0.5)
        response, took = _timed(lambda: app.test_client().get("/healthz"))
    assert took < 2.0
    assert response.get_json()["redis"] == "timeout"


def test_a_database_that_never_answers_is_bounded_by_the_connect_timeout():
    """A network partition: the server's port takes the connection and then says nothing."""
    with silent_port() as port:
        _a_database_that_never_answers(port)


def _a_database_that_never_answers(port: int) -> None:
    url = f"postgresql+psycopg://tracker:tracker@127.0.0.1:{port}/tracker"
    app = create_app(make_test_config(url, db_connect_timeout=2))
    try:
        client = app.test_client()
        health, took = _timed(lambda: client.get("/healthz"))
        assert took < 2.0
        assert health.status_code == 503 and health.get_json()["database"] == "timeout"
        with client.session_transaction() as saved:  # a signed-in officer's next page
            saved["_user_id"], saved["sid"] = "1", "token"
        page, took = _timed(lambda: client.get("/"))
        assert page.status_code == 503 and "The tracker is unavailable" in page.get_data(
            as_text=True)
        assert took < 2 + SLACK
    finally:
        with app.app_context():
            db.engine.dispose()


def test_a_silent_redis_does_not_hold_a_sign_in(
        prepared, timed_app, own_limiter_storage):
    """The rate limiter's Redis takes the connection and then says nothing."""
    with silent_port() as port:
        app = timed_app(ratelimit_storage_uri=f"redis://127.0.0.1:{port}/0",
                        redis_timeout=0.3)
        client = app.test_client()
        response, took = _timed(lambda: client.post("/login", data={
            "email": "timeouts@tracker.example", "password": "not the password at all",
            "csrf_token": csrf_token(client)}))
    assert response.status_code == 401  # the sign-in was judged, counted in memory meanwhile
    assert took < 0.3 * 4 + SLACK


# --- SQLite ----------------------------------------------------------------------------------


def test_sqlite_busy_timeout_gives_the_busy_page(on_sqlite, prepared, timed_app):
    url, _ = prepared
    app = timed_app(sqlite_busy_timeout=0.5)
    client = _signed_in(app)
    writer = sqlite3.connect(make_url(url).database, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        response, took = _timed(lambda: client.get("/"))
        # Reading needs no write lock: the health check still says the database answers.
        health = client.get("/healthz")
    finally:
        writer.rollback()
        writer.close()
    _assert_busy_page(response)
    assert took < 0.5 + SLACK
    assert health.status_code == 200
    assert client.get("/").status_code == 200


def test_sqlite_connections_get_the_busy_timeout(on_sqlite, timed_app):
    app = timed_app(sqlite_busy_timeout=2.5)
    with app.app_context():
        assert db.session.scalar(text("PRAGMA busy_timeout")) == 2500
        db.session.remove()


# --- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["DB_STATEMENT_TIMEOUT", "DB_LOCK_TIMEOUT", "DB_POOL_TIMEOUT",
                                  "HEALTHZ_TIMEOUT", "SQLITE_BUSY_TIMEOUT"])
@pytest.mark.parametrize("value", ["-1", "0", "ten seconds", "nan", "inf"])
def test_a_timeout_must_be_a_positive_number_of_seconds(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_a_bad_timeout_stops_the_start(monkeypatch):
    monkeypatch.setenv("DB_STATEMENT_TIMEOUT", "-5")
    with pytest.raises(ConfigError, match="DB_STATEMENT_TIMEOUT must be a number of seconds"):
        create_app()


def test_timeouts_are_read_as_seconds():
    settings = Settings.from_env({"DB_STATEMENT_TIMEOUT": "2.5", "HEALTHZ_TIMEOUT": "1"})
    assert settings.db_statement_timeout == 2.5 and settings.healthz_timeout == 1.0
    defaults = Settings.from_env({})
    # Requests stop well before gunicorn's worker timeout (30 s); commands may run longer.
    assert defaults.db_statement_timeout < 30 <= defaults.db_command_statement_timeout
    assert defaults.healthz_timeout < 2
