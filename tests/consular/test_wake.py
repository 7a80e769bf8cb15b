"""`flask cases wake`: waiting requests whose hold date has come go back to work."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import make_office, make_request, make_user, reload
from tests.consular.helpers import audit_rows, timeline
from tracker.auth.models import Role
from tracker.cases.models import TimelineKind
from tracker.consular import services
from tracker.db import utcnow

UTC = timezone.utc
# 20:00 UTC on 10 March is already 01:00 on 11 March in Karachi.
NOW = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)
WAITED_FROM = datetime(2026, 3, 8, 6, 0, tzinfo=UTC)


@pytest.fixture
def officer(app):
    return make_user(Role.CONSULAR_OFFICER, office=make_office(time_zone="Asia/Karachi"))


def _waiting(officer, hold_until: date | None, at: datetime = WAITED_FROM):
    request = make_request(officer=officer)
    services.move(request, officer, "wait", waiting_on="host_authorities",
                  waiting_reason="Court date", hold_until=hold_until, at=at)
    return request


def test_wakes_requests_whose_hold_date_has_come_in_the_office_time_zone(officer):
    past = _waiting(officer, date(2026, 3, 9))
    today_in_karachi = _waiting(officer, date(2026, 3, 11))
    tomorrow = _waiting(officer, date(2026, 3, 12))
    no_date = _waiting(officer, None)
    woken = services.wake_held_requests(NOW)
    assert sorted(woken) == sorted([past.reference, today_in_karachi.reference])
    assert reload(past).status == "in_progress"
    assert reload(today_in_karachi).status == "in_progress"
    assert reload(tomorrow).status == "waiting"
    assert reload(no_date).status == "waiting"
    assert reload(past).hold_until is None and reload(past).waiting_on is None


def test_an_office_behind_utc_waits_for_its_own_day(app):
    """In a zone behind UTC, the UTC date comes first: the office's day decides."""
    officer = make_user(Role.CONSULAR_OFFICER, office=make_office(time_zone="America/New_York"))
    request = _waiting(officer, date(2026, 3, 11))
    # 02:00 UTC on 11 March is still 10 March in New York.
    assert services.wake_held_requests(datetime(2026, 3, 11, 2, 0, tzinfo=UTC)) == []
    assert services.wake_held_requests(datetime(2026, 3, 11, 5, 0, tzinfo=UTC)) == [
        request.reference]


def test_running_twice_changes_nothing_the_second_time(officer):
    request = _waiting(officer, date(2026, 3, 9))
    assert services.wake_held_requests(NOW) == [request.reference]
    events = len(timeline(request))
    audits = len(audit_rows(request.reference))
    assert services.wake_held_requests(NOW) == []
    assert services.wake_held_requests(NOW + timedelta(hours=1)) == []
    assert len(timeline(request)) == events
    assert len(audit_rows(request.reference)) == audits


def test_the_system_did_it_and_the_clock_counts_the_wait(officer):
    request = _waiting(officer, date(2026, 3, 9))
    due = reload(request).due_at
    services.wake_held_requests(NOW)
    request = reload(request)
    [event] = [e for e in timeline(request) if e.transition == "resume"]
    assert (event.kind, event.actor_id, event.transition) == (TimelineKind.STATUS, None,
                                                              "resume")
    assert event.at == NOW
    assert "Hold date" in event.comment
    audit = audit_rows(request.reference, "consular_request.resume")
    assert len(audit) == 1 and audit[0].actor_id is None and audit[0].actor_email is None
    assert request.paused_seconds == int((NOW - WAITED_FROM).total_seconds())
    assert request.due_at == due + (NOW - WAITED_FROM)


def test_the_page_names_the_tracker_as_the_actor(app, login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    request = _waiting(officer.user, date(2026, 3, 9))
    services.wake_held_requests(NOW)
    page = officer.get(f"/consular/requests/{request.reference}").get_data(as_text=True)
    timeline_html = page.split('id="timeline"')[1].split("</section>")[0]
    resumed = timeline_html.split("Resume work")[0].rsplit('<div class="timeline-meta">', 1)[1]
    assert "The tracker" in resumed and officer.user.display_name not in resumed


def test_the_cli_command(context_app, officer):
    today = utcnow().astimezone(ZoneInfo("Asia/Karachi")).date()
    waited = utcnow() - timedelta(days=3)
    due = _waiting(officer, today - timedelta(days=1), at=waited)
    held = _waiting(officer, today + timedelta(days=2), at=waited)
    runner = context_app.test_cli_runner()
    result = runner.invoke(args=["cases", "wake"])
    assert result.exit_code == 0, result.output
    assert "1 request(s) back in progress" in result.output
    assert due.reference in result.output and held.reference not in result.output
    assert reload(due).status == "in_progress"
    assert reload(held).status == "waiting"
    again = runner.invoke(args=["cases", "wake"])
    assert again.exit_code == 0 and "0 request(s)" in again.output
    assert [a.actor_id for a in audit_rows(due.reference, "consular_request.resume")] == [None]
