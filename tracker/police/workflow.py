"""The liaison case workflow, as data for the engine in tracker.cases.workflow.

opened -> active -> awaiting counterpart (clock paused, reason, hold-until date) -> active;
mutual legal assistance pending; suspended; closed with an outcome; reopen with a reason.
"""
from __future__ import annotations

from datetime import datetime
from flask_babel import gettext as _, lazy_gettext as _l

from tracker.auth.models import Role, User
from tracker.cases.models import Case, CaseKind
from tracker.cases import workflow as hold
from tracker.cases.workflow import Transition, TransitionError, Workflow, register
from tracker.police.categories import Outcome
from tracker.domain import Problems
from tracker.vocabulary import Labelled


class Status(Labelled):
    OPENED = "opened", _l("Opened")
    ACTIVE = "active", _l("Active")
    AWAITING_COUNTERPART = "awaiting_counterpart", _l("Awaiting counterpart")
    MLA_PENDING = "mla_pending", _l("Mutual legal assistance pending")
    SUSPENDED = "suspended", _l("Suspended")
    CLOSED = "closed", _l("Closed")


OPEN = frozenset(set(Status) - {Status.CLOSED})
LIAISON = frozenset({Role.POLICE_LIAISON_OFFICER})


def _system_only_after_a_hold(case: Case, actor: User | None) -> str | None:
    """The system (the hold date passing) resumes only a case awaiting the counterpart: a
    suspension or a pending request for mutual legal assistance is an officer's decision."""
    if actor is None and case.status != Status.AWAITING_COUNTERPART:
        return _("Only an officer can take this step.")
    return None


POLICE_WORKFLOW = register(Workflow(
    CaseKind.LIAISON_CASE.value, Status, Status.OPENED,
    paused={Status.AWAITING_COUNTERPART}, open_statuses=OPEN,
    transitions=(
        Transition("activate", _l("Start work"), {Status.OPENED}, Status.ACTIVE, LIAISON),
        Transition("await_counterpart", _l("Awaiting the counterpart"),
                   {Status.OPENED, Status.ACTIVE}, Status.AWAITING_COUNTERPART, LIAISON),
        Transition("resume", _l("Resume work"),
                   {Status.AWAITING_COUNTERPART, Status.MLA_PENDING, Status.SUSPENDED},
                   Status.ACTIVE, LIAISON, guards=(_system_only_after_a_hold,), system=True),
        Transition("request_mla", _l("Mutual legal assistance requested"),
                   {Status.ACTIVE, Status.AWAITING_COUNTERPART}, Status.MLA_PENDING,
                   LIAISON),
        Transition("suspend", _l("Suspend"),
                   {Status.ACTIVE, Status.AWAITING_COUNTERPART, Status.MLA_PENDING},
                   Status.SUSPENDED, LIAISON, comment_required=True),
        Transition("close", _l("Close"), OPEN, Status.CLOSED, LIAISON, confirm=True),
        Transition("reopen", _l("Reopen"), {Status.CLOSED}, Status.ACTIVE, LIAISON,
                   comment_required=True),
    ),
))


def _apply_details(case: Case, move: Transition, actor: User | None, details: dict,
                   at: datetime) -> None:
    # 1. Check everything first: a refused move changes nothing on the case.
    reason = outcome = None
    if move.name == "await_counterpart":
        problems = Problems()
        with problems.check():
            reason = hold.waiting_reason(details, _("Say what the case is waiting for."))
        with problems.check():
            hold.hold_date(case, details, at)
        problems.raise_all()
    if move.name == "close":
        try:
            outcome = Outcome(details.get("closing_reason")).value
        except ValueError:
            raise TransitionError(_("Choose the outcome."), "closing_reason")
    # 2. Apply.
    hold.keep_hold(case, move, "await_counterpart", "counterpart", reason, details)
    if outcome is not None:
        case.closing_reason = outcome
        case.closed_at = at
    if move.name == "reopen":
        case.closed_at = case.closing_reason = None


POLICE_WORKFLOW.on_transition.append(_apply_details)


def _describe(case: Case, move: Transition) -> str | None:
    if move.name == "await_counterpart":
        return f"Waiting for: {case.waiting_reason}" + hold.hold_note(case)
    if move.name == "close":
        return f"Outcome: {Outcome(case.closing_reason).label}"
    return None


POLICE_WORKFLOW.describe = _describe


def _consequence(case: Case, move: Transition) -> str | None:
    if move.name == "close":
        return _("The case will be closed with the outcome you choose and its clock stopped; "
                 "reopening it later needs a reason.")
    return None


POLICE_WORKFLOW.consequence = _consequence
