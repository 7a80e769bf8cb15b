"""Eight officers at once, on PostgreSQL with real commits: no number twice, no lost update.

These tests run on a sibling database of their own (`tests.conftest.sibling_database`), made
by the migrations, because the per-test rollback cannot show what two transactions do.
"""
from __future__ import annotations

import random
import string
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from tests.conftest import DEFAULT_PASSWORD, csrf_token, login, sibling_database
from tracker import create_app
from tracker.audit.models import AuditEvent
from tracker.auth.models import Office, OfficeKind, Role, User
from tracker.auth.passwords import hash_password
from tracker.cases import scope
from tracker.cases.models import TimelineEvent, TimelineKind
from tracker.config import make_test_config
from tracker.consular import services
from tracker.consular.models import ConsularRequest
from tracker.extensions import db, limiter
from tracker.people import services as people
from tracker.people.models import Compartment, Person
from tracker.unit_of_work import unit_of_work

pytestmark = pytest.mark.own_database
THREADS = 8


@pytest.fixture(scope="module")
def pg_app(database_url, tmp_path_factory):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL only: SQLite lets one writer in at a time anyway")
    url = sibling_database(database_url, "consular_concurrency", tmp_path_factory.mktemp("c"))
    application = create_app(make_test_config(url))
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _seed(pg_app, persons: int = 0):
    """A new office with one officer (and some persons), committed for real."""
    with pg_app.app_context():
        code = "".join(random.choices(string.ascii_uppercase, k=3))
        while db.session.scalar(select(Office).where(Office.code == code)):
            code = "".join(random.choices(string.ascii_uppercase, k=3))
        office = Office(code=code, name=f"Concurrency {code}", kind=OfficeKind.EMBASSY,
                        time_zone="Asia/Karachi")
        officer = User(email=f"concurrency-{code.lower()}@tracker.example",
                       display_name=f"Officer {code}", role=Role.CONSULAR_OFFICER,
                       office=office, password_hash=hash_password(DEFAULT_PASSWORD))
        db.session.add_all([office, officer])
        db.session.flush()
        person_ids = []
        for n in range(persons):
            person = people.create_person(Compartment.CONSULAR,
                                          people.PersonInput(full_name=f"Kari Test {n}"),
                                          officer)
            person_ids.append(person.id)
        db.session.commit()
        ids = office.id, officer.id, officer.email, code, person_ids
        db.session.remove()
        return ids


def _run_together(work):
    barrier = threading.Barrier(THREADS)

    def start(i):
        # A new thread starts with no reader: read as the suite's direct calls do.
        scope.set_outside_requests(scope.EVERYTHING)
        barrier.wait(timeout=30)
        return work(i)

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(start, range(THREADS)))


def _numbers(references, code):
    numbers = []
    for reference in references:
        prefix, year, number = reference.split("-")
        assert prefix == code and len(number) == 5
        numbers.append(int(number))
    return sorted(numbers)


def test_eight_requests_at_once_get_eight_consecutive_numbers(pg_app):
    office_id, officer_id, _, code, person_ids = _seed(pg_app, persons=THREADS)

    def work(i):
        with pg_app.app_context():
            try:
                officer = db.session.get(User, officer_id)
                office = db.session.get(Office, office_id)
                person = db.session.get(Person, person_ids[i])
                with unit_of_work():
                    request = services.create_request(officer, office, services.RequestInput(
                        category="passport", subcategory="renewal", priority="routine",
                        channel="phone", summary=f"At once {i}"), [person])
                return request.reference
            finally:
                db.session.remove()

    references = _run_together(work)
    assert len(set(references)) == THREADS
    assert _numbers(references, code) == list(range(1, THREADS + 1))


def _signed_in(pg_app, email):
    client = pg_app.test_client()
    assert login(client, email).status_code == 302
    return client, csrf_token(client)


def test_eight_officers_logging_new_persons_at_once(pg_app):
    """Through the page: each request with a new person (a person row, then a number)."""
    _, _, email, code, _ = _seed(pg_app)
    with pg_app.app_context():
        limiter.reset()
    clients = [_signed_in(pg_app, email) for _ in range(THREADS)]

    def work(i):
        client, token = clients[i]
        response = client.post("/consular/requests/new", data={
            "csrf_token": token, "kind": "passport:renewal", "priority": "routine",
            "channel": "phone", "summary": f"New person {i}", "assigned_to": "0",
            "full_name": f"Ingrid Samtidig {i} {code}"})
        return response.status_code, response.headers.get("Location", "")

    answers = _run_together(work)
    assert [status for status, _ in answers] == [302] * THREADS, answers
    references = [location.rstrip("/").rsplit("/", 1)[-1] for _, location in answers]
    assert _numbers(references, code) == list(range(1, THREADS + 1))
    with pg_app.app_context():
        persons = db.session.scalar(select(func.count()).select_from(Person)
                                    .where(Person.full_name.like(f"Ingrid Samtidig % {code}")))
        db.session.remove()
    assert persons == THREADS


def test_eight_saves_of_the_same_version_one_wins(pg_app):
    office_id, officer_id, email, code, person_ids = _seed(pg_app, persons=1)
    with pg_app.app_context():
        officer = db.session.get(User, officer_id)
        with unit_of_work():
            request = services.create_request(
                officer, db.session.get(Office, office_id), services.RequestInput(
                    category="passport", subcategory="renewal", priority="routine",
                    channel="phone", summary="Original summary"),
                [db.session.get(Person, person_ids[0])])
        reference, version = request.reference, request.version
        limiter.reset()
        db.session.remove()
    clients = [_signed_in(pg_app, email) for _ in range(THREADS)]

    def work(i):
        client, token = clients[i]
        response = client.post(f"/consular/requests/{reference}/edit", data={
            "csrf_token": token, "version": str(version), "subcategory": "renewal",
            "priority": "urgent", "summary": f"Edited by officer {i}", "description": ""})
        return response.status_code

    statuses = _run_together(work)
    assert sorted(statuses) == [302] + [409] * (THREADS - 1), statuses
    winner = statuses.index(302)
    with pg_app.app_context():
        saved = db.session.scalar(select(ConsularRequest)
                                  .where(ConsularRequest.reference == reference))
        assert saved.summary == f"Edited by officer {winner}"
        assert saved.version == version + 1
        edits = db.session.scalar(select(func.count()).select_from(TimelineEvent).where(
            TimelineEvent.case_id == saved.id, TimelineEvent.kind == TimelineKind.EDITED))
        audits = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_id == reference, AuditEvent.action == "consular_request.edited"))
        db.session.remove()
    assert (edits, audits) == (1, 1)


def test_known_and_new_persons_logged_at_once(pg_app):
    """Half the officers log for a person already known, half for a new one, all at once."""
    _, _, email, code, person_ids = _seed(pg_app, persons=THREADS // 2)
    with pg_app.app_context():
        limiter.reset()
    clients = [_signed_in(pg_app, email) for _ in range(THREADS)]

    def work(i):
        client, token = clients[i]
        data = {"csrf_token": token, "kind": "passport:renewal", "priority": "routine",
                "channel": "phone", "summary": f"Mixed {i}", "assigned_to": "0"}
        if i % 2:
            data["person_id"] = str(person_ids[i // 2])
        else:
            data["full_name"] = f"Ola Samtidig {i} {code}"
        response = client.post("/consular/requests/new", data=data)
        return response.status_code, response.headers.get("Location", "")

    for _ in range(3):
        answers = _run_together(work)
        assert [status for status, _ in answers] == [302] * THREADS, answers
    references = [location.rstrip("/").rsplit("/", 1)[-1] for _, location in answers]
    assert len(set(references)) == THREADS


def test_a_page_after_a_quiet_minute_still_opens(pg_app):
    """Loading the account touches its session's last-seen time (a commit of its own): the
    reader's scope must not set that off inside another statement (it once closed the
    request's connection under it: a 500 after every idle minute)."""
    from datetime import timedelta

    from sqlalchemy import update

    from tracker.auth.models import UserSession
    from tracker.db import utcnow

    _, officer_id, email, _, _ = _seed(pg_app)
    with pg_app.app_context():
        limiter.reset()
    client, _ = _signed_in(pg_app, email)
    for _ in range(3):
        with pg_app.app_context():
            db.session.execute(update(UserSession).where(UserSession.user_id == officer_id)
                               .values(last_seen_at=utcnow() - timedelta(minutes=2)))
            db.session.commit()
            db.session.remove()
        assert client.get("/consular/requests/").status_code == 200
        assert client.get("/consular/search?q=Kari").status_code == 200
