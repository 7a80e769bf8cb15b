"""The liaison case workflow: every (status, step, role) against the rule, through the engine
and through the web."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.conftest import check_every_move, make_user, reload
from tests.police.helpers import audit_rows, count, liaison, open_case, page, timeline
from tracker.auth.models import Role
from tracker.cases import workflow
from tracker.cases.models import TimelineEvent, TimelineKind
from tracker.cases.workflow import TransitionError
from tracker.db import utcnow
from tracker.extensions import db
from tracker.police import services
from tracker.police.categories import Outcome
from tracker.police.workflow import POLICE_WORKFLOW

C, P, M, A = (Role.CONSULAR_OFFICER, Role.POLICE_LIAISON_OFFICER, Role.MANAGER,
              Role.ADMINISTRATOR)
SYSTEM = None
ACTORS = (C, P, M, A, SYSTEM)
STATUSES = ("opened", "active", "awaiting_counterpart", "mla_pending", "suspended", "closed")
OPEN = set(STATUSES) - {"closed"}

# The rule, written out independently of the code: step -> (from, to, who).
# Only liaison officers move a case; the system (a scheduled job) only brings a case that
# awaits the counterpart back to work (its hold date has come), never one a person suspended
# or one waiting for mutual legal assistance.
RULE = {
    "activate": ({"opened"}, "active", {P}),
    "await_counterpart": ({"opened", "active"}, "awaiting_counterpart", {P}),
    "resume": ({"awaiting_counterpart", "mla_pending", "suspended"}, "active", {P}),
    "request_mla": ({"active", "awaiting_counterpart"}, "mla_pending", {P}),
    "suspend": ({"active", "awaiting_counterpart", "mla_pending"}, "suspended", {P}),
    "close": (OPEN, "closed", {P}),
    "reopen": ({"closed"}, "active", {P}),
}
SYSTEM_MAY = {("resume", "awaiting_counterpart")}

PATH = {
    "opened": [],
    "active": ["activate"],
    "awaiting_counterpart": ["activate", "await_counterpart"],
    "mla_pending": ["activate", "request_mla"],
    "suspended": ["activate", "suspend"],
    "closed": ["activate", "close"],
}


def expected_allowed(status: str, step: str, actor) -> bool:
    sources, _, roles = RULE[step]
    if actor is SYSTEM:
        return (step, status) in SYSTEM_MAY
    return status in sources and actor in roles


def details_for(step: str) -> dict:
    return {"await_counterpart": {"waiting_reason": "FIA report on the suspect's travel",
                                  "hold_until": date.today() + timedelta(days=14)},
            "close": {"closing_reason": "arrest"}}.get(step, {})


def _snapshot(case) -> dict:
    names = ("status", "waiting_on", "waiting_reason", "hold_until", "waiting_since",
             "closing_reason", "closed_at", "due_at", "paused_seconds")
    return {n: getattr(case, n) for n in names}


def bring_to(case, officer, status):
    for step in PATH[status]:
        services.move(case, officer, step, comment="setting up", **details_for(step))
    db.session.commit()  # services flush; saved here, as the unit of work would
    assert case.status == status
    return case


def test_the_rule_names_every_step_and_status():
    assert set(RULE) == set(POLICE_WORKFLOW.transitions)
    assert set(STATUSES) == set(POLICE_WORKFLOW.statuses)
    assert POLICE_WORKFLOW.initial == "opened"
    assert POLICE_WORKFLOW.paused == {"awaiting_counterpart"}
    for name, (sources, target, _) in RULE.items():
        move = POLICE_WORKFLOW.transitions[name]
        assert set(move.sources) == sources, name
        assert move.target == target, name


def test_every_status_step_and_role(app):
    """Allowed exactly when the rule says; otherwise refused and nothing is written."""
    actors = {role: make_user(role) for role in (C, P, M, A)}
    actors[SYSTEM] = None
    setup = liaison()
    wrong, checked = [], 0
    for status in STATUSES:
        case = bring_to(open_case(setup), setup, status)
        found, tried = check_every_move(
            case, POLICE_WORKFLOW, status, RULE, {role: actors[role] for role in ACTORS},
            expected_allowed, details_for, _snapshot)
        wrong += found
        checked += tried
    assert not wrong, wrong
    assert checked == len(STATUSES) * len(RULE) * len(ACTORS)


@pytest.mark.parametrize("status", sorted(OPEN))
def test_a_refused_close_leaves_the_case_as_it_was(app, status):
    """Closing without an outcome is refused before anything changes (waiting reason too)."""
    officer = liaison()
    case = bring_to(open_case(officer), officer, status)
    before = _snapshot(case)
    for outcome in (None, "", "solved", "ARREST"):
        with pytest.raises(TransitionError) as refused:
            workflow.transition(case, "close", officer, closing_reason=outcome)
        assert refused.value.field == "closing_reason"
        assert _snapshot(case) == before
    db.session.rollback()
    assert reload(case).status == status


# --- awaiting the counterpart: clock, reason, hold date ----------------------------------------


def test_awaiting_the_counterpart_needs_a_reason_and_pauses_the_clock(app):
    officer = liaison()
    case = bring_to(open_case(officer), officer, "active")
    for reason in (None, "", "   \n "):
        with pytest.raises(TransitionError) as refused:
            services.move(case, officer, "await_counterpart", waiting_reason=reason)
        assert refused.value.field == "waiting_reason"
        db.session.rollback()
        assert reload(case).status == "active"
    case = reload(case)
    hold = date.today() + timedelta(days=10)
    services.move(case, officer, "await_counterpart", waiting_reason="  Punjab police report ",
                  hold_until=hold)
    case = reload(case)
    assert case.status == "awaiting_counterpart"
    assert case.waiting_reason == "Punjab police report"
    assert case.hold_until == hold
    assert case.waiting_since is not None
    # The clock stood still for two hours: leaving the pause adds them.
    case.waiting_since = utcnow() - timedelta(hours=2)
    case.due_at = utcnow() + timedelta(days=1)
    db.session.commit()
    due = reload(case).due_at
    services.move(case, officer, "resume")
    case = reload(case)
    assert case.status == "active"
    assert case.waiting_since is None and case.waiting_reason is None
    assert case.hold_until is None
    assert 7190 <= case.paused_seconds <= 7300
    assert timedelta(hours=2) - timedelta(seconds=5) <= case.due_at - due <= timedelta(
        hours=2, seconds=60)


def test_the_hold_date_is_optional(app):
    officer = liaison()
    case = open_case(officer)
    services.move(case, officer, "await_counterpart", waiting_reason="Letter rogatory reply")
    case = reload(case)
    assert case.status == "awaiting_counterpart" and case.hold_until is None


def test_leaving_the_wait_for_mla_clears_the_waiting_reason(app):
    officer = liaison()
    case = bring_to(open_case(officer), officer, "awaiting_counterpart")
    services.move(case, officer, "request_mla")
    case = reload(case)
    assert case.status == "mla_pending"
    assert case.waiting_reason is None and case.waiting_since is None


def test_suspend_needs_a_comment(app):
    officer = liaison()
    case = bring_to(open_case(officer), officer, "active")
    for comment in (None, "", "   "):
        with pytest.raises(TransitionError) as refused:
            services.move(case, officer, "suspend", comment=comment)
        assert refused.value.field == "comment"
        db.session.rollback()
    services.move(reload(case), officer, "suspend", comment="Suspect died; awaiting papers")
    case = reload(case)
    assert case.status == "suspended"
    assert timeline(case)[-1].comment == "Suspect died; awaiting papers"
    assert audit_rows(case.reference, "liaison_case.suspend")[0].reason == (
        "Suspect died; awaiting papers")


@pytest.mark.parametrize("outcome", list(Outcome))
def test_every_outcome_closes_a_case(app, outcome):
    officer = liaison()
    case = bring_to(open_case(officer, category="child_abduction"), officer, "active")
    services.move(case, officer, "close", closing_reason=outcome.value)
    case = reload(case)
    assert case.status == "closed"
    assert case.closing_reason == outcome.value
    assert case.closed_at is not None
    row = audit_rows(case.reference, "liaison_case.close")[0]
    assert json.loads(row.details)["closing_reason"] == outcome.value


def test_the_outcomes_are_the_domains():
    assert {o.label for o in Outcome} == {
        "Arrest", "Extradition", "Conviction", "Child returned under the Hague convention",
        "Court decision against return", "Parents' agreement", "Voluntary return",
        "Transferred", "No further action"}


def test_reopen_needs_a_reason_and_clears_the_outcome(app):
    officer = liaison()
    case = bring_to(open_case(officer), officer, "closed")
    with pytest.raises(TransitionError) as refused:
        services.move(case, officer, "reopen", comment="  ")
    assert refused.value.field == "comment"
    db.session.rollback()
    services.move(reload(case), officer, "reopen", comment="New information from Kripos")
    case = reload(case)
    assert case.status == "active"
    assert case.closing_reason is None and case.closed_at is None
    reopen = [e for e in timeline(case) if e.transition == "reopen"]
    assert reopen[0].comment == "New information from Kripos"
    assert reopen[0].from_status == "closed" and reopen[0].to_status == "active"


def test_only_the_engine_sets_a_status(app):
    case = open_case()
    with pytest.raises(workflow.StatusChangeRefused):
        case.status = "closed"


# --- the hold date passing ---------------------------------------------------------------------


def test_a_case_whose_hold_date_has_come_returns_to_work(app):
    officer = liaison()
    due = open_case(officer)
    services.move(due, officer, "await_counterpart", waiting_reason="Court date",
                  hold_until=date.today() - timedelta(days=1),
                  at=utcnow() - timedelta(days=3))  # put on hold three days ago
    later = open_case(officer)
    services.move(later, officer, "await_counterpart", waiting_reason="Court date",
                  hold_until=date.today() + timedelta(days=30))
    no_date = open_case(officer)
    services.move(no_date, officer, "await_counterpart", waiting_reason="Anything")
    woken = services.wake_held_cases()
    assert due.reference in woken
    assert later.reference not in woken and no_date.reference not in woken
    assert reload(due).status == "active"
    assert reload(later).status == "awaiting_counterpart"
    assert reload(no_date).status == "awaiting_counterpart"
    row = [e for e in timeline(due) if e.transition == "resume"][0]
    assert row.actor_id is None and "Hold date" in row.comment
    assert due.reference not in services.wake_held_cases()  # idempotent


# --- through the web ---------------------------------------------------------------------------


@pytest.fixture
def officer(login_as):
    return login_as(P)


def test_one_click_steps_through_the_web(officer):
    case = open_case(officer.user)
    base = f"/police/cases/{case.reference}/steps"
    response = officer.post(f"{base}/activate")
    assert response.status_code == 302
    assert reload(case).status == "active"
    response = officer.post(f"{base}/request_mla")
    assert response.status_code == 302 and reload(case).status == "mla_pending"
    response = officer.post(f"{base}/resume")
    assert response.status_code == 302 and reload(case).status == "active"


def test_a_step_that_is_not_possible_now_is_refused(officer):
    case = open_case(officer.user)
    events = count(TimelineEvent, TimelineEvent.case_id == case.id)
    response = officer.post(f"/police/cases/{case.reference}/steps/reopen",
                            {"comment": "Trying anyway"})
    assert response.status_code == 409
    assert "Not possible while" in page(response)
    assert reload(case).status == "opened"
    assert count(TimelineEvent, TimelineEvent.case_id == case.id) == events
    assert officer.get(f"/police/cases/{case.reference}/steps/no_such_step").status_code == 404


def test_await_the_counterpart_through_the_web(officer):
    case = open_case(officer.user)
    url = f"/police/cases/{case.reference}/steps/await_counterpart"
    response = officer.post(url, {"waiting_reason": "", "comment": ""})
    assert response.status_code == 422
    assert reload(case).status == "opened"
    hold = date.today() + timedelta(days=7)
    response = officer.post(url, {"waiting_reason": "Translation of the FIR",
                                  "hold_until": hold.isoformat()})
    assert response.status_code == 302
    case = reload(case)
    assert case.status == "awaiting_counterpart" and case.hold_until == hold
    detail = page(officer.get(f"/police/cases/{case.reference}"))
    assert "Awaiting the counterpart: Translation of the FIR" in detail


def test_close_and_reopen_through_the_web(officer):
    case = open_case(officer.user)
    url = f"/police/cases/{case.reference}/steps/close"
    # Closing is confirmed on its page: the post names the version it was opened on.
    assert officer.post(url, {"closing_reason": "returned_hague"}).status_code == 409
    assert officer.post(url, {"closing_reason": "solved",
                              "version": case.version}).status_code == 422
    assert reload(case).status == "opened"
    response = officer.post(url, {"closing_reason": "returned_hague",
                                  "version": reload(case).version})
    assert response.status_code == 302
    case = reload(case)
    assert case.status == "closed" and case.closing_reason == "returned_hague"
    reopen = f"/police/cases/{case.reference}/steps/reopen"
    assert officer.post(reopen, {"comment": ""}).status_code == 422
    assert reload(case).status == "closed"
    assert officer.post(reopen, {"comment": "The child was taken again"}).status_code == 302
    assert reload(case).status == "active"


def test_suspend_through_the_web_needs_a_comment(officer):
    case = open_case(officer.user)
    services.move(case, officer.user, "activate")
    url = f"/police/cases/{case.reference}/steps/suspend"
    response = officer.post(url, {"comment": ""})
    assert response.status_code == 422
    assert "Say why" in page(response)
    assert reload(case).status == "active"
    assert officer.post(url, {"comment": "Waiting for the trial abroad"}).status_code == 302
    assert reload(case).status == "suspended"


@pytest.mark.parametrize("name, fields", [
    ("await_counterpart", ("waiting_reason", "hold_until")),
    ("close", ("closing_reason",)),
])
def test_the_step_page_asks_for_what_the_step_needs(officer, name, fields):
    """The officer must be able to type the waiting reason and pick the outcome."""
    case = open_case(officer.user)
    html = page(officer.get(f"/police/cases/{case.reference}/steps/{name}"))
    for field in fields:
        assert f'name="{field}"' in html, field
    if name == "close":
        for outcome in Outcome:
            assert f'value="{outcome.value}"' in html


def test_the_step_page_shows_why_a_step_was_refused(officer):
    """A refusal's message is on the page, not on a field the page does not show."""
    case = open_case(officer.user)
    response = officer.post(f"/police/cases/{case.reference}/steps/await_counterpart",
                            {"waiting_reason": ""})
    assert response.status_code == 422
    assert "Say what the case is waiting for." in page(response)


@pytest.mark.parametrize("role", [C, M, A])
def test_other_roles_cannot_see_the_steps(login_as, role):
    case = open_case()
    other = login_as(role)
    for name in RULE:
        url = f"/police/cases/{case.reference}/steps/{name}"
        assert other.get(url).status_code == 404
        assert other.post(url, {"comment": "x", **details_for(name)}).status_code == 404
    assert reload(case).status == "opened"
    assert audit_rows(case.reference, "liaison_case.activate") == []


def test_the_steps_offered_on_the_case_page(officer):
    case = open_case(officer.user)
    html = page(officer.get(f"/police/cases/{case.reference}"))
    for step in ("activate", "await_counterpart", "close"):
        assert f"/steps/{step}" in html
    assert "/steps/reopen" not in html and "/steps/resume" not in html
    assert TimelineKind.OPENED == timeline(case)[0].kind


@pytest.mark.parametrize("outcome", list(Outcome))
def test_the_outcome_is_shown_as_chosen(officer, outcome):
    case = open_case(officer.user, category="child_abduction")
    services.move(case, officer.user, "close", closing_reason=outcome.value)
    html = page(officer.get(f"/police/cases/{case.reference}"))
    assert f"<dt>Outcome</dt><dd>{outcome.label}</dd>".replace("'", "&#39;") in html
    text = page(officer.get(f"/police/cases/{case.reference}/export"))
    assert f"Closed ({outcome.label})" in text
