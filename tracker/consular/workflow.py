"""The consular request workflow, as data for the engine in tracker.cases.workflow.

new -> in progress -> waiting (clock paused) -> in progress -> resolved -> closed;
resolving a death, arrest or report of concern goes through a manager's approval;
reopen from resolved or closed; cancel from any open status.
"""
from __future__ import annotations

from datetime import datetime
from flask_babel import gettext as _, lazy_gettext as _l

from tracker.auth.models import Role, User
from tracker.cases.models import Case, CaseKind
from tracker.cases import workflow as hold
from tracker.cases.workflow import Transition, TransitionError, Workflow, register
from tracker.consular.categories import CancelReason, WaitingOn
from tracker.domain import Problems
from tracker.notifications import service as notifications
from tracker.notifications.models import NotificationKind
from tracker.vocabulary import Labelled


class Status(Labelled):
    NEW = "new", _l("New")
    IN_PROGRESS = "in_progress", _l("In progress")
    WAITING = "waiting", _l("Waiting")
    PENDING_APPROVAL = "pending_approval", _l("Pending approval")
    RESOLVED = "resolved", _l("Resolved")
    CLOSED = "closed", _l("Closed")
    CANCELLED = "cancelled", _l("Cancelled")


OPEN = frozenset({Status.NEW, Status.IN_PROGRESS, Status.WAITING, Status.PENDING_APPROVAL})
WORKERS = frozenset({Role.CONSULAR_OFFICER, Role.MANAGER})
MANAGERS = frozenset({Role.MANAGER})


def _needs_approval(case: Case, actor: User | None) -> str | None:
    if not case.category.info.needs_approval:
        return _("This category is resolved without approval.")
    return None


def _resolves_without_approval(case: Case, actor: User | None) -> str | None:
    if case.category.info.needs_approval:
        return _("%(category)s: a manager must approve the resolution.",
                 category=case.category.label)
    return None


def _not_the_requester(case: Case, actor: User | None) -> str | None:
    """Four eyes: the manager who approves is not the one who asked for the approval."""
    if actor is not None and actor.id == case.approval_requested_by_id:
        return _("Another manager must approve: you asked for this approval yourself.")
    return None


CONSULAR_WORKFLOW = register(Workflow(
    CaseKind.CONSULAR_REQUEST.value, Status, Status.NEW,
    paused={Status.WAITING}, open_statuses=OPEN,
    transitions=(
        Transition("start", _l("Start work"), {Status.NEW}, Status.IN_PROGRESS, WORKERS),
        Transition("wait", _l("Put on hold (waiting)"), {Status.NEW, Status.IN_PROGRESS},
                   Status.WAITING, WORKERS),
        Transition("resume", _l("Resume work"), {Status.WAITING}, Status.IN_PROGRESS,
                   WORKERS, system=True),
        Transition("resolve", _l("Resolve"), {Status.IN_PROGRESS}, Status.RESOLVED, WORKERS,
                   guards=(_resolves_without_approval,)),
        Transition("request_approval", _l("Resolve (ask a manager to approve)"),
                   {Status.IN_PROGRESS}, Status.PENDING_APPROVAL, WORKERS,
                   guards=(_needs_approval,)),
        Transition("approve", _l("Approve the resolution"), {Status.PENDING_APPROVAL},
                   Status.RESOLVED, MANAGERS, guards=(_not_the_requester,), confirm=True),
        Transition("send_back", _l("Send back"), {Status.PENDING_APPROVAL},
                   Status.IN_PROGRESS, MANAGERS, comment_required=True, confirm=True),
        Transition("close", _l("Close"), {Status.RESOLVED}, Status.CLOSED, WORKERS, confirm=True),
        Transition("reopen", _l("Reopen"), {Status.RESOLVED, Status.CLOSED},
                   Status.IN_PROGRESS, WORKERS, comment_required=True),
        Transition("cancel", _l("Cancel"), OPEN, Status.CANCELLED, WORKERS, confirm=True),
    ),
))


def _apply_details(case: Case, move: Transition, actor: User | None, details: dict,
                   at: datetime) -> None:
    """What each move needs besides the status: hold details, closing reason, approver.

    Every detail is checked before anything is set, so a refused move leaves the request
    exactly as it was (a caller that commits afterwards saves no half-made change).
    """
    # 1. Check (every mistake at once).
    waiting_on = waiting_reason = closing_reason = None
    if move.name == "wait":
        problems = Problems()
        with problems.check():
            try:
                waiting_on = WaitingOn(details.get("waiting_on")).value
            except ValueError:
                raise TransitionError(_("Say who the request is waiting on."), "waiting_on")
        with problems.check():
            waiting_reason = hold.waiting_reason(details,
                                                 _("Say what the request is waiting for."))
        with problems.check():
            hold.hold_date(case, details, at)
        problems.raise_all()
    if move.name in ("resolve", "request_approval"):
        closing_reason = details.get("closing_reason")
        if closing_reason not in case.category.info.closing_reasons:
            raise TransitionError(_("Choose how the request ended."), "closing_reason")
    if move.name == "cancel":
        try:
            details["cancel_reason"] = CancelReason(details.get("cancel_reason")).value
        except ValueError:
            raise TransitionError(_("Say why the request is cancelled."), "cancel_reason")
    # 2. Apply.
    hold.keep_hold(case, move, "wait", waiting_on, waiting_reason, details)
    if closing_reason is not None:
        case.closing_reason = closing_reason
    if move.name == "request_approval":
        case.approval_requested_by_id = actor.id
    if move.name == "send_back":
        case.approval_requested_by_id = None
        case.closing_reason = None
    if move.target == Status.RESOLVED:
        case.resolved_at = at
    if move.target == Status.CLOSED:
        case.closed_at = at
    if move.name == "reopen":
        case.resolved_at = case.closed_at = case.closing_reason = None
        case.approval_requested_by_id = None
    if move.name == "cancel":
        case.closing_reason = details["cancel_reason"]
        case.closed_at = at


CONSULAR_WORKFLOW.on_transition.append(_apply_details)


def _describe(case: Case, move: Transition) -> str | None:
    if move.name == "wait":
        text = f"Waiting on {WaitingOn(case.waiting_on).label.lower()}: {case.waiting_reason}"
        return text + hold.hold_note(case)
    if move.name in ("resolve", "request_approval", "approve"):
        return f"Outcome: {case.closing_reason_label}"
    if move.name == "cancel":
        return f"Cancelled: {CancelReason(case.closing_reason).label.lower()}"
    return None


CONSULAR_WORKFLOW.describe = _describe


def _consequence(case: Case, move: Transition) -> str | None:
    """What a step that needs confirmation will do, for its page."""
    asker = case.approval_requested_by.display_name if case.approval_requested_by else None
    outcome = case.closing_reason_label or ""
    if move.name == "approve":
        if asker:
            return _("The request will be resolved as '%(outcome)s', with your approval on its "
                     "timeline for %(asker)s to see.", outcome=outcome, asker=asker)
        return _("The request will be resolved as '%(outcome)s', with your approval on its "
                 "timeline.", outcome=outcome)
    if move.name == "send_back":
        if asker:
            return _("The outcome '%(outcome)s' will not be approved: the request goes back to "
                     "work with %(asker)s, and your comment says why.",
                     outcome=outcome, asker=asker)
        return _("The outcome '%(outcome)s' will not be approved: the request goes back to "
                 "work, and your comment says why.", outcome=outcome)
    if move.name == "close":
        return _("The request will be closed with the outcome '%(outcome)s' and leave the open "
                 "queues; reopening it later needs a reason.", outcome=outcome)
    if move.name == "cancel":
        return _("The request will be cancelled for the reason you choose and leave the open "
                 "queues; it is not counted as resolved.")
    return None


CONSULAR_WORKFLOW.consequence = _consequence


def _tell(case: Case, move: Transition, actor: User | None) -> None:
    """Who hears of a move: the managers of an approval asked for; the asker of the answer."""
    if move.name == "request_approval":
        notifications.notify(NotificationKind.APPROVAL_NEEDED,
                             notifications.approvers(case.office_id), case, actor=actor)
    elif move.name in ("approve", "send_back"):
        kind = (NotificationKind.APPROVED if move.name == "approve"
                else NotificationKind.SENT_BACK)
        asker = notifications.last_actor(case, "request_approval")
        notifications.notify(kind, [asker], case, actor=actor)
    if move.name in ("approve", "send_back", "cancel"):
        # Answered (or gone): the other managers' "waiting for your approval" is done.
        notifications.settle(NotificationKind.APPROVAL_NEEDED, case)


CONSULAR_WORKFLOW.after_transition.append(_tell)
