"""Fixtures: one migrated database per run, each test inside a transaction that is rolled back.

Set TEST_DATABASE_URL=postgresql+psycopg://... to run the suite on PostgreSQL; otherwise a
SQLite file in a temporary folder is used.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pytest
from flask import g, session
from flask_migrate import upgrade
from flask_wtf.csrf import generate_csrf
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker

from tracker import create_app
from tracker.auth.models import Office, OfficeKind, Role, User
from tracker.auth.passwords import hash_password
from tracker.cases import scope
from tracker.config import make_test_config
from tracker.extensions import db, limiter

DEFAULT_PASSWORD = "a quiet harbour at dawn"

# Tests that call services directly, outside any request, read everything, as a job would in
# an `unscoped` block. Requests (the test client, the browser) always read as their signed-in
# account; tests/test_scope.py checks that code outside requests otherwise reads nothing.
scope.set_outside_requests(scope.EVERYTHING)
CSRF_INPUT = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def reset_database(url: str) -> None:
    """Leave an empty database behind (PostgreSQL: empty public schema)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and os.path.exists(parsed.database):
            os.remove(parsed.database)
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def sibling_database(url: str, suffix: str, tmp_dir) -> str:
    """Another empty database of the same kind, for tests that need a whole one to themselves."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_dir / (suffix + '.sqlite3')}"
    name = f"{parsed.database}_{suffix}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    sibling = parsed.set(database=name).render_as_string(hide_password=False)
    reset_database(sibling)
    return sibling


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """This run's database; under pytest-xdist each worker has its own.

    SQLite: a file in the worker's own temporary folder. PostgreSQL: TEST_DATABASE_URL's
    database with the worker's name appended (tracker_test_gw0, ...), created if missing.
    """
    db_dir = tmp_path_factory.mktemp("db")
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{db_dir / 'tracker-test.sqlite3'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return sibling_database(url, worker, db_dir) if worker else url


@pytest.fixture(scope="session")
def app(database_url):
    """The application on a database made by the migrations, as production's is."""
    reset_database(database_url)
    application = create_app(make_test_config(database_url))
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def context_app(app):
    """A twin of `app` whose context the tests run in.

    Flask reuses an active app context of the *same* application for test-client requests,
    which would share `g` (the signed-in user, the CSRF token) between clients. With the
    test's context on a twin, every request gets a fresh context of its own, as in production.
    """
    return create_app(dict(app.config))


@pytest.fixture(autouse=True)
def db_session(request, app, context_app):
    """Run each test in a transaction that is rolled back; commits become savepoints."""
    if request.node.get_closest_marker("browser") or request.node.get_closest_marker(
            "own_database"):
        yield None
        return
    with context_app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        # A plain Session: Flask-SQLAlchemy's own would pick each app's engine, not this
        # connection, and the twin apps have an engine each.
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id)
        limiter.reset()
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


# --- factories ------------------------------------------------------------------------------


_counter = iter(range(1, 10**9))


def make_office(code: str | None = None, **fields) -> Office:
    n = next(_counter)
    code = code or "".join(chr(65 + (n // 26**i) % 26) for i in (2, 1, 0))
    office = Office(code=code, name=fields.pop("name", f"Office {code} {n}"),
                    kind=fields.pop("kind", OfficeKind.EMBASSY),
                    time_zone=fields.pop("time_zone", "Asia/Karachi"), **fields)
    db.session.add(office)
    db.session.flush()
    return office


def make_user(role: Role = Role.CONSULAR_OFFICER, *, office: Office | None = None,
              password: str = DEFAULT_PASSWORD, **fields) -> User:
    n = next(_counter)
    user = User(email=fields.pop("email", f"officer{n}@tracker.example"),
                display_name=fields.pop("display_name", f"Officer {n}"), role=role,
                office=office or make_office(),
                password_hash=fields.pop("password_hash", None) or hash_password(password),
                **fields)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def office(app):
    return make_office()


@pytest.fixture
def user_factory(app):
    return make_user


# --- signing in -----------------------------------------------------------------------------


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def csrf_token(client) -> str:
    """A valid CSRF token for the client's session, made as a form would make it, without
    fetching a page (the session keeps the raw token; a new one is stored there if it has none).
    """
    with client.session_transaction() as saved, client.application.test_request_context():
        session.update(saved)
        g.pop("csrf_token", None)  # generate_csrf caches its token in the context
        token = generate_csrf()
        saved["csrf_token"] = session["csrf_token"]
    return token


def login(client, email: str, password: str = DEFAULT_PASSWORD):
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_token(client)})


@dataclass
class SignedIn:
    """A client signed in as a user; its POSTs carry a valid CSRF token."""

    client: object
    user: User

    def csrf(self) -> str:
        return csrf_token(self.client)

    def post(self, url: str, data: dict | None = None, **kwargs):
        return self.client.post(url, data={"csrf_token": self.csrf(), **(data or {})}, **kwargs)

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)


@pytest.fixture
def login_as(app):
    """login_as(Role.MANAGER) -> a SignedIn with its own client and a new account."""

    def sign_in(role: Role, **user_fields) -> SignedIn:
        user = make_user(role, **user_fields)
        client = app.test_client()
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return SignedIn(client, user)

    return sign_in


def reload(record):
    """The record as the database has it now (requests commit through their own sessions)."""
    db.session.expire_all()
    return db.session.get(type(record), record.id)


def make_person(name: str = "Kari Testesen", compartment: str = "consular", **fields):
    from tracker.people import services as people
    from tracker.people.models import Compartment

    person = people.create_person(Compartment(compartment),
                                  people.PersonInput(full_name=name, **fields), None)
    db.session.commit()
    return person


def make_request(*, office=None, officer=None, category: str = "passport:renewal",
                 priority: str = "routine", summary: str = "Passport renewal", subject=None,
                 assigned: bool = True):
    """A consular request logged by an officer of `office` (both made if not given)."""
    from tracker.consular import services as consular

    office = office or (officer.office if officer else make_office())
    officer = officer or make_user(Role.CONSULAR_OFFICER, office=office)
    kind, _, sub = category.partition(":")
    request = consular.create_request(
        officer, office, consular.RequestInput(
            category=kind, subcategory=sub, priority=priority, channel="phone",
            summary=summary, assigned_to_id=officer.id if assigned else None),
        [subject or make_person()])
    db.session.commit()  # services flush; the test's unit of work ends here
    return request


PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def make_document(case, uploader, content: bytes = PDF_BYTES, filename: str = "report.pdf"):
    import io

    from werkzeug.datastructures import FileStorage

    from tracker.cases import documents

    attachment = documents.add_document(case, uploader, FileStorage(io.BytesIO(content),
                                                                    filename=filename))
    db.session.commit()
    return attachment


def image_bytes(format: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    """A small real image (PNG, JPEG) or a one-page PDF, drawn by Pillow."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(out, format=format)
    return out.getvalue()


def make_letter_template(admin=None, *, name: str = "Letter to the family",
                         category: str = "any", language: str = "en",
                         paragraphs: tuple[str, ...] = ("{{ reference }}", "{{ subject_name }}")):
    """A letter template uploaded by an administrator (made with python-docx)."""
    import io

    from werkzeug.datastructures import FileStorage

    from tracker.consular.categories import Category
    from tracker.letters import service as letters
    from tracker.letters.samples import docx_with

    admin = admin or make_user(Role.ADMINISTRATOR)
    template = letters.upload_template(
        admin, name=name, category=category, language=language,
        upload=FileStorage(io.BytesIO(docx_with(*paragraphs)), filename="template.docx"),
        categories={c.value for c in Category})
    db.session.commit()
    return template


def make_liaison_case(officer=None, *, category: str = "child_abduction", country: str = "SE",
                      title: str = "Child taken abroad", link_to=None):
    """A liaison case with one involved person (and a link to a consular request if given)."""
    from tracker.people import services as people
    from tracker.people.models import Compartment
    from tracker.police import services as police

    officer = officer or make_user(Role.POLICE_LIAISON_OFFICER)
    case = police.open_case(officer, police.CaseInput(
        title=title, category=category, country=country,
        requesting_agency="Polismyndigheten/NOA", counterpart="fia"))
    person = people.create_person(Compartment.POLICE,
                                  people.PersonInput(full_name="Liam Testsson"), officer)
    party = police.add_party(case, officer, person, "abducted_child")
    link = police.link_consular(case, officer, link_to.reference) if link_to else None
    db.session.commit()
    return case, party, link


# --- reading back what a test did ----------------------------------------------------------


def count(model, *where) -> int:
    stmt = select(func.count()).select_from(model)
    if where:
        stmt = stmt.where(*where)
    return db.session.scalar(stmt)


def audit_rows(reference, action: str | None = None) -> list:
    """The audit rows about one object, oldest first (read fresh from the database)."""
    from tracker.audit.models import AuditEvent

    db.session.expire_all()
    stmt = select(AuditEvent).where(AuditEvent.object_id == str(reference))
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


def timeline(case) -> list:
    from tracker.cases.models import TimelineEvent

    return list(db.session.scalars(select(TimelineEvent).where(TimelineEvent.case_id == case.id)
                                   .order_by(TimelineEvent.at, TimelineEvent.id)))


def check_every_move(case, flow, status, rule, actors, allowed, details_for,
                     snapshot) -> tuple[list, int]:
    """Try every step of `rule` ({step: (sources, target, roles)}) as every actor ({role:
    user or None}) on a case in `status`, each inside a savepoint rolled back afterwards.
    Returns what went wrong and how many tries were made: a step must succeed exactly when
    `allowed(status, step, role)` says,
    be offered exactly then, write one timeline row and one audit row, and a refused step must
    change nothing."""
    from tracker.audit.models import AuditEvent
    from tracker.cases import workflow
    from tracker.cases.models import TimelineEvent
    from tracker.cases.workflow import TransitionError

    wrong, checked = [], 0
    on_case = TimelineEvent.case_id == case.id
    for step in rule:
        for role, actor in actors.items():
            expected = allowed(status, step, role)
            offered = step in [t.name for t in flow.available(case, actor)]
            before = snapshot(case)
            events, audits = count(TimelineEvent, on_case), count(AuditEvent)
            savepoint = db.session.begin_nested()
            try:
                event = workflow.transition(case, step, actor, comment="a reason given",
                                            **details_for(step))
                db.session.flush()
            except TransitionError:
                got = False
                if (snapshot(case), count(TimelineEvent, on_case), count(AuditEvent)) != (
                        before, events, audits):
                    wrong.append((status, step, role, "refused but something changed"))
            else:
                got = True
                target = rule[step][1]
                if (case.status, event.to_status, event.from_status) != (target, target, status) \
                        or event.actor is not actor:
                    wrong.append((status, step, role, f"went to {case.status}"))
                if (count(TimelineEvent, on_case), count(AuditEvent)) != (events + 1, audits + 1):
                    wrong.append((status, step, role, "not one timeline row and one audit row"))
            finally:
                savepoint.rollback()
            checked += 1
            if got != expected:
                wrong.append((status, step, role, f"expected allowed={expected}, got {got}"))
            if offered != expected:
                wrong.append((status, step, role, f"offered={offered}"))
            case = reload(case)
            if case.status != status:
                wrong.append((status, step, role, "the rollback did not restore the status"))
    return wrong, checked
