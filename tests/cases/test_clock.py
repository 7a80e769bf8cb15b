"""The service-target clock: working days in the office's time zone, paused while waiting."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import make_office, make_person, make_user, reload
from tracker.auth.models import Role
from tracker.cases.clock import add_working_days
from tracker.consular import services
from tracker.consular.categories import Category
from tracker.db import utcnow

KHI = ZoneInfo("Asia/Karachi")
UTC = timezone.utc


def karachi(*args) -> datetime:
    return datetime(*args, tzinfo=KHI)


def end_of(day: tuple[int, int, int]) -> datetime:
    return karachi(*day, 23, 59, 59).astimezone(UTC)


@pytest.mark.parametrize("opened, days, due_day", [
    (karachi(2026, 3, 2, 10, 0), 1, (2026, 3, 3)),      # Monday -> Tuesday
    (karachi(2026, 3, 2, 10, 0), 5, (2026, 3, 9)),      # Monday -> next Monday
    (karachi(2026, 3, 6, 10, 0), 1, (2026, 3, 9)),      # Friday -> Monday
    (karachi(2026, 3, 7, 10, 0), 1, (2026, 3, 9)),      # Saturday -> Monday
    (karachi(2026, 3, 8, 23, 0), 2, (2026, 3, 10)),     # Sunday -> Tuesday
    (karachi(2026, 3, 2, 10, 0), 15, (2026, 3, 23)),    # three weeks
    # Thursday 20:00 UTC is already Friday 01:00 in Karachi: the office's day counts.
    (datetime(2026, 3, 5, 20, 0, tzinfo=UTC), 1, (2026, 3, 9)),
    # Friday 18:30 UTC is Friday 23:30 in Karachi, still Friday.
    (datetime(2026, 3, 6, 18, 30, tzinfo=UTC), 1, (2026, 3, 9)),
])
def test_due_at_is_the_end_of_the_nth_working_day(opened, days, due_day):
    assert add_working_days(opened, days, "Asia/Karachi") == end_of(due_day)


@pytest.fixture
def office(app):
    return make_office(time_zone="Asia/Karachi")


@pytest.fixture
def officer(office):
    return make_user(Role.CONSULAR_OFFICER, office=office)


def _log(officer, category: str, opened_at: datetime):
    kind, _, sub = category.partition(":")
    return services.create_request(officer, officer.office, services.RequestInput(
        category=kind, subcategory=sub, priority="routine", channel="phone",
        summary="Clock test", assigned_to_id=officer.id), [make_person()], opened_at=opened_at)


@pytest.mark.parametrize("category, days", [("passport:renewal", 15), ("death:repatriation", 5),
                                            ("victim_of_crime:theft", 10)])
def test_a_new_request_is_due_after_its_categorys_default_target(officer, category, days):
    opened = datetime(2026, 3, 5, 20, 0, tzinfo=UTC)  # Friday in Karachi
    request = _log(officer, category, opened)
    assert request.due_at == add_working_days(opened, days, "Asia/Karachi")
    assert Category(category.split(":")[0]).info.default_target_days == days


def test_the_service_target_table_overrides_the_default(officer):
    admin = make_user(Role.ADMINISTRATOR)
    services.set_service_target(Category.PASSPORT, 3, admin)
    opened = karachi(2026, 3, 5, 9, 0)  # Thursday
    request = _log(officer, "passport:new", opened)
    assert request.due_at == end_of((2026, 3, 10))  # Fri, Mon, Tue
    assert services.target_days(Category.PASSPORT) == 3
    assert services.target_days(Category.DEATH) == 5


def test_the_clock_pauses_while_waiting(officer):
    opened = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    request = _log(officer, "passport:renewal", opened)
    due = request.due_at
    services.move(request, officer, "start", at=opened + timedelta(hours=1))
    services.move(request, officer, "wait", waiting_on="applicant", waiting_reason="Photo",
                  at=opened + timedelta(hours=2))
    request = reload(request)
    assert request.waiting_since == opened + timedelta(hours=2)
    assert request.due_at == due  # moved on only when the wait ends
    services.move(request, officer, "resume", at=opened + timedelta(days=3, hours=2))
    request = reload(request)
    assert request.due_at == due + timedelta(days=3)
    assert request.paused_seconds == 3 * 86400
    assert request.waiting_since is None
    # A second wait adds to the first.
    services.move(request, officer, "wait", waiting_on="host_authorities",
                  waiting_reason="Court papers", at=opened + timedelta(days=4))
    services.move(request, officer, "resume", at=opened + timedelta(days=4, hours=7))
    request = reload(request)
    assert request.due_at == due + timedelta(days=3, hours=7)
    assert request.paused_seconds == 3 * 86400 + 7 * 3600


def test_cancelling_while_waiting_stops_the_pause(officer):
    opened = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    request = _log(officer, "passport:renewal", opened)
    services.move(request, officer, "wait", waiting_on="applicant", waiting_reason="Photo",
                  at=opened + timedelta(hours=1))
    services.move(request, officer, "cancel", cancel_reason="withdrawn",
                  at=opened + timedelta(hours=11))
    request = reload(request)
    assert request.paused_seconds == 10 * 3600 and request.waiting_since is None


# --- overdue ------------------------------------------------------------------------------


@pytest.fixture
def overdue_set(officer):
    """Requests opened long ago in every state, and one opened now."""
    long_ago = utcnow() - timedelta(days=60)
    made = {}
    made["open"] = _log(officer, "passport:renewal", long_ago)
    services.move(made["open"], officer, "start")
    made["new"] = _log(officer, "passport:new", long_ago)
    made["waiting"] = _log(officer, "passport:renewal", long_ago)
    services.move(made["waiting"], officer, "wait", waiting_on="applicant",
                  waiting_reason="Photo")
    made["resolved"] = _log(officer, "passport:renewal", long_ago)
    services.move(made["resolved"], officer, "start")
    services.move(made["resolved"], officer, "resolve", closing_reason="issued")
    made["cancelled"] = _log(officer, "passport:renewal", long_ago)
    services.move(made["cancelled"], officer, "cancel", cancel_reason="duplicate")
    made["pending"] = _log(officer, "death:documents", long_ago)
    services.move(made["pending"], officer, "start")
    services.move(made["pending"], officer, "request_approval", closing_reason="repatriated")
    made["fresh"] = _log(officer, "passport:renewal", utcnow())
    return made


OVERDUE = {"open", "new", "pending"}


def test_overdue_is_open_not_waiting_and_past_due(officer, overdue_set):
    from tracker.extensions import db

    rows = db.session.scalars(services.request_list(
        officer, services.RequestFilter(overdue=True))).all()
    mine = {r.reference for r in rows}
    for name, request in overdue_set.items():
        assert (request.reference in mine) == (name in OVERDUE), name


def test_overdue_on_the_pages(app, officer, overdue_set):
    from tests.conftest import login

    client = app.test_client()
    login(client, officer.email)
    listed = client.get("/consular/requests/?overdue=y").get_data(as_text=True)
    queue = client.get("/consular/").get_data(as_text=True)
    overdue_queue = queue.split('id="q-overdue"')[1].split("</section>")[0]
    for name, request in overdue_set.items():
        assert (request.reference in listed) == (name in OVERDUE), name
        assert (request.reference in overdue_queue) == (name in OVERDUE), name
    page = client.get(f"/consular/requests/{overdue_set['open'].reference}")
    assert "badge-overdue" in page.get_data(as_text=True)
    page = client.get(f"/consular/requests/{overdue_set['waiting'].reference}")
    html = page.get_data(as_text=True)
    assert "badge-overdue" not in html and "clock paused" in html
