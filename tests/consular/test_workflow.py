"""The consular workflow: every (status, step, role) against the rule, and the approval rule."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import (audit_rows, check_every_move, make_office, make_request, make_user,
                            reload)
from tracker.auth.models import Role
from tracker.cases import workflow
from tracker.cases.models import TimelineEvent
from tracker.cases.workflow import TransitionError
from tracker.consular import services
from tracker.consular.workflow import CONSULAR_WORKFLOW
from tracker.extensions import db

C, P, M, A = (Role.CONSULAR_OFFICER, Role.POLICE_LIAISON_OFFICER, Role.MANAGER,
              Role.ADMINISTRATOR)
SYSTEM = None
ACTORS = (C, P, M, A, SYSTEM)
WORKERS = {C, M}
OPEN = {"new", "in_progress", "waiting", "pending_approval"}
STATUSES = ("new", "in_progress", "waiting", "pending_approval", "resolved", "closed",
            "cancelled")

# The rule as the issue states it, written out independently of the code:
# step -> (from which statuses, to which status, who may take it).
RULE = {
    "start": ({"new"}, "in_progress", WORKERS),
    "wait": ({"new", "in_progress"}, "waiting", WORKERS),
    "resume": ({"waiting"}, "in_progress", WORKERS | {SYSTEM}),
    "resolve": ({"in_progress"}, "resolved", WORKERS),
    "request_approval": ({"in_progress"}, "pending_approval", WORKERS),
    "approve": ({"pending_approval"}, "resolved", {M}),
    "send_back": ({"pending_approval"}, "in_progress", {M}),
    "close": ({"resolved"}, "closed", WORKERS),
    "reopen": ({"resolved", "closed"}, "in_progress", WORKERS),
    "cancel": (OPEN, "cancelled", WORKERS),
}
SENSITIVE = {"death", "arrest", "report_of_concern"}


def guards_pass(step: str, category: str) -> bool:
    """Resolving a death, arrest or report of concern needs approval; nothing else can ask."""
    if step == "resolve":
        return category not in SENSITIVE
    if step == "request_approval":
        return category in SENSITIVE
    return True  # approve: the manager in the table is never the one who asked


def expected_allowed(status: str, step: str, actor, category: str) -> bool:
    sources, _, roles = RULE[step]
    return status in sources and actor in roles and guards_pass(step, category)


CLOSING = {"passport": "issued", "death": "repatriated", "arrest": "released",
           "report_of_concern": "person_safe"}


def details_for(step: str, category: str) -> dict:
    """Everything a step could ask for, filled in correctly."""
    return {
        "wait": {"waiting_on": "applicant", "waiting_reason": "Birth certificate",
                 "hold_until": date(2030, 1, 1)},
        "resolve": {"closing_reason": CLOSING[category]},
        "request_approval": {"closing_reason": CLOSING[category]},
        "cancel": {"cancel_reason": "duplicate"},
    }.get(step, {})


def path_to(status: str, category: str) -> list[str] | None:
    """The steps that bring a new request to `status`; None if the category never gets there."""
    sensitive = category in SENSITIVE
    resolved = ["start", "request_approval", "approve"] if sensitive else ["start", "resolve"]
    return {
        "new": [],
        "in_progress": ["start"],
        "waiting": ["start", "wait"],
        "pending_approval": ["start", "request_approval"] if sensitive else None,
        "resolved": resolved,
        "closed": resolved + ["close"],
        "cancelled": ["cancel"],
    }[status]


def _snapshot(case) -> dict:
    names = ("status", "waiting_on", "waiting_reason", "hold_until", "waiting_since",
             "closing_reason", "approval_requested_by_id", "resolved_at", "closed_at",
             "due_at", "paused_seconds")
    return {n: getattr(case, n) for n in names}


def test_the_rule_table_names_every_step_and_status():
    assert set(RULE) == set(CONSULAR_WORKFLOW.transitions)
    assert set(STATUSES) == set(CONSULAR_WORKFLOW.statuses)
    assert CONSULAR_WORKFLOW.initial == "new"
    for name, (sources, target, _) in RULE.items():
        move = CONSULAR_WORKFLOW.transitions[name]
        assert set(move.sources) == sources, name
        assert move.target == target, name


@pytest.mark.parametrize("category", ["passport", "death"])
def test_every_status_step_and_role(app, category):
    """Allowed exactly when the rule says; otherwise refused and nothing is written."""
    office = make_office()
    actors = {C: make_user(C, office=office), P: make_user(P, office=office),
              M: make_user(M, office=office), A: make_user(A, office=office), SYSTEM: None}
    setup_officer = make_user(C, office=office)
    wrong = []
    checked = 0
    for status in STATUSES:
        steps = path_to(status, category)
        if steps is None:
            continue
        sub = {"passport": "renewal", "death": "repatriation"}[category]
        case = make_request(office=office, officer=setup_officer, category=f"{category}:{sub}")
        for step in steps:
            who = actors[M] if step == "approve" else setup_officer
            services.move(case, who, step, comment="setting up", **details_for(step, category))
        assert case.status == status
        found, tried = check_every_move(
            case, CONSULAR_WORKFLOW, status, RULE, {role: actors[role] for role in ACTORS},
            lambda status, step, role: expected_allowed(status, step, role, category),
            lambda step: details_for(step, category), _snapshot)
        wrong += found
        checked += tried
    assert not wrong, wrong
    assert checked == len(RULE) * len(ACTORS) * (7 if category == "death" else 6)


# --- the approval rule ----------------------------------------------------------------------


@pytest.fixture
def death(app):
    office = make_office()
    officer = make_user(C, office=office)
    case = make_request(office=office, officer=officer, category="death:repatriation")
    services.move(case, officer, "start")
    return case, officer


def test_a_death_cannot_be_resolved_without_approval(death):
    case, officer = death
    with pytest.raises(TransitionError, match="manager must approve"):
        services.move(case, officer, "resolve", closing_reason="repatriated")
    assert reload(case).status == "in_progress"


@pytest.mark.parametrize("category", ["death:notification", "arrest:arrest",
                                      "report_of_concern:forced_marriage"])
def test_sensitive_categories_go_through_a_manager(app, category):
    office = make_office()
    officer = make_user(C, office=office)
    first, second = make_user(M, office=office), make_user(M, office=office)
    case = make_request(office=office, officer=officer, category=category)
    services.move(case, officer, "start")
    reason = next(iter(case.category.info.closing_reasons))
    services.move(case, officer, "request_approval", closing_reason=reason)
    case = reload(case)
    assert case.status == "pending_approval"
    assert case.approval_requested_by_id == officer.id
    assert case.closing_reason == reason
    services.move(case, first, "send_back", comment="Ask the family first")
    case = reload(case)
    assert case.status == "in_progress" and case.closing_reason is None
    assert case.approval_requested_by_id is None
    services.move(case, officer, "request_approval", closing_reason=reason)
    services.move(case, second, "approve")
    case = reload(case)
    assert case.status == "resolved" and case.resolved_at is not None
    assert case.closing_reason == reason
    approvals = audit_rows(case.reference, "consular_request.approve")
    assert [a.actor_id for a in approvals] == [second.id]


def test_sending_back_needs_a_comment(death):
    case, officer = death
    services.move(case, officer, "request_approval", closing_reason="repatriated")
    manager = make_user(M)
    with pytest.raises(TransitionError) as refused:
        services.move(case, manager, "send_back", comment="   ")
    assert refused.value.field == "comment"
    assert reload(case).status == "pending_approval"


def test_a_manager_who_asked_cannot_approve_their_own(death):
    case, _ = death
    asking = make_user(M, office=case.office)
    services.move(case, asking, "request_approval", closing_reason="buried_locally")
    with pytest.raises(TransitionError, match="Another manager"):
        services.move(case, asking, "approve")
    assert "approve" not in [t.name for t in CONSULAR_WORKFLOW.available(case, asking)]
    assert reload(case).status == "pending_approval"
    assert audit_rows(case.reference, "consular_request.approve") == []
    other = make_user(M)
    services.move(case, other, "approve")
    assert reload(case).status == "resolved"


def test_an_officer_cannot_approve(death):
    case, officer = death
    services.move(case, officer, "request_approval", closing_reason="repatriated")
    colleague = make_user(C, office=case.office)
    with pytest.raises(TransitionError):
        services.move(case, colleague, "approve")
    assert reload(case).status == "pending_approval"


def test_non_sensitive_requests_resolve_directly_and_cannot_ask(app):
    officer = make_user(C)
    case = make_request(officer=officer)
    services.move(case, officer, "start")
    with pytest.raises(TransitionError, match="without approval"):
        services.move(case, officer, "request_approval", closing_reason="issued")
    services.move(case, officer, "resolve", closing_reason="issued")
    case = reload(case)
    assert case.status == "resolved" and case.closing_reason == "issued"
    assert case.closing_reason_label == "Passport issued"


def test_the_outcome_must_come_from_the_categorys_list(app):
    officer = make_user(C)
    case = make_request(officer=officer)
    services.move(case, officer, "start")
    for wrong in (None, "", "repatriated", "ISSUED"):
        with pytest.raises(TransitionError) as refused:
            services.move(case, officer, "resolve", closing_reason=wrong)
        assert refused.value.field == "closing_reason"
    case = reload(case)
    assert case.status == "in_progress" and case.closing_reason is None


def test_reopening_needs_a_reason_and_clears_the_outcome(app):
    officer = make_user(C)
    case = make_request(officer=officer)
    services.move(case, officer, "start")
    services.move(case, officer, "resolve", closing_reason="issued")
    services.move(case, officer, "close")
    with pytest.raises(TransitionError) as refused:
        services.move(case, officer, "reopen", comment="")
    assert refused.value.field == "comment"
    assert reload(case).status == "closed"
    services.move(case, officer, "reopen", comment="The passport had a misprint")
    case = reload(case)
    assert case.status == "in_progress"
    assert case.closing_reason is None and case.resolved_at is None and case.closed_at is None
    last = db.session.scalars(select(TimelineEvent).where(TimelineEvent.case_id == case.id)
                              .order_by(TimelineEvent.id.desc())).first()
    assert (last.transition, last.comment) == ("reopen", "The passport had a misprint")


def test_waiting_needs_on_whom_and_why(app):
    officer = make_user(C)
    case = make_request(officer=officer)
    services.move(case, officer, "start")
    for details, field in (({"waiting_on": "the moon", "waiting_reason": "x"}, "waiting_on"),
                           ({"waiting_on": "applicant", "waiting_reason": "  "},
                            "waiting_reason")):
        with pytest.raises(TransitionError) as refused:
            services.move(case, officer, "wait", **details)
        assert refused.value.field == field
    for waiting_on in ("applicant", "host_authorities", "other_agency"):
        case = reload(case)
        services.move(case, officer, "wait", waiting_on=waiting_on,
                      waiting_reason="Police report from Lahore")
        case = reload(case)
        assert (case.status, case.waiting_on, case.hold_until) == ("waiting", waiting_on, None)
        services.move(case, officer, "resume")
        case = reload(case)
        assert case.waiting_on is None and case.waiting_reason is None


@pytest.mark.parametrize("status_path", [[], ["start"], ["start", "wait"]])
@pytest.mark.parametrize("reason", ["duplicate", "withdrawn"])
def test_cancel_from_any_open_status(app, status_path, reason):
    officer = make_user(C)
    case = make_request(officer=officer)
    for step in status_path:
        services.move(case, officer, step, **details_for(step, "passport"))
    services.move(case, officer, "cancel", cancel_reason=reason)
    case = reload(case)
    assert case.status == "cancelled" and case.closing_reason == reason


def test_a_refused_step_leaves_the_request_as_it_was(app):
    """A detail missing in a step changes nothing on the request, not even in memory."""
    officer = make_user(C)
    case = make_request(officer=officer)
    services.move(case, officer, "wait", waiting_on="applicant",
                  waiting_reason="Documents", hold_until=date(2030, 5, 1))
    before = _snapshot(case)
    with pytest.raises(TransitionError):
        workflow.transition(case, "cancel", officer, cancel_reason="bored")
    assert _snapshot(case) == before
    assert not db.session.dirty
    # Whatever the caller commits next keeps the hold as it was.
    db.session.commit()
    assert _snapshot(reload(case)) == before


def test_the_system_may_only_resume(app):
    officer = make_user(C)
    case = make_request(officer=officer)
    for step in ("start", "cancel", "wait"):
        with pytest.raises(TransitionError, match="Only an officer"):
            workflow.transition(case, step, None, **details_for(step, "passport"))
    assert reload(case).status == "new"


def test_step_pages_over_http(app, login_as):
    """An officer asks for approval on the page, a manager confirms the approval."""
    officer = login_as(C)
    case = make_request(office=officer.user.office, officer=officer.user,
                        category="arrest:detention")
    url = f"/consular/requests/{case.reference}/steps"
    assert officer.post(f"{url}/start").status_code == 302
    page = officer.get(f"{url}/resolve")
    assert page.status_code == 409  # the rule says a manager must approve
    assert "manager must approve" in page.get_data(as_text=True)
    missing = officer.post(f"{url}/request_approval", {"closing_reason": "nonsense"})
    assert missing.status_code == 422
    assert "Choose how the request ended" in missing.get_data(as_text=True)
    assert officer.post(f"{url}/request_approval",
                        {"closing_reason": "released"}).status_code == 302
    assert reload(case).status == "pending_approval"
    assert officer.post(f"{url}/approve").status_code == 409
    manager = login_as(M)
    queue = manager.get("/consular/").get_data(as_text=True)
    assert case.reference in queue.split('id="q-approvals"')[1].split("</section>")[0]
    assert manager.post(f"{url}/approve",
                        {"version": reload(case).version}).status_code == 302
    case = reload(case)
    assert case.status == "resolved"
    page = manager.get(f"/consular/requests/{case.reference}").get_data(as_text=True)
    assert "Approve the resolution" in page and "Released" in page
