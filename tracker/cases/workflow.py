"""The workflow engine: the only code that changes a case's status.

Each case type declares its statuses and transitions as data (a `Workflow`). `transition()`
checks that the move is in the table, that the actor's role may make it and that its guard
holds, then changes the status, keeps the service-target clock, and writes the timeline event
and the audit row, all in the caller's transaction.
"""
from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable

from flask_babel import gettext as _
from sqlalchemy import event

from tracker.audit import service as audit
from tracker.auth.models import Role, User
from tracker.cases.clock import office_today
from tracker.cases.models import Case, TimelineEvent, TimelineKind
from tracker.db import utcnow
from tracker.extensions import db
from tracker.domain import FieldError
from tracker.i18n import local_date, record_language
from tracker.vocabulary import Labelled

_engine_is_setting_status = contextvars.ContextVar("engine_is_setting_status", default=False)


class StatusChangeRefused(RuntimeError):
    """Something other than the workflow engine tried to set a status."""


class TransitionError(FieldError):
    """The move is not allowed; the message says why, for the officer."""


Guard = Callable[[Case, "User | None"], "str | None"]


@dataclass(frozen=True)
class Transition:
    """A move from any of `sources` to `target`, allowed to `roles` when every guard passes."""

    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[Role]
    comment_required: bool = False
    # Each guard returns None when the move may go ahead, or the reason it may not.
    guards: tuple[Guard, ...] = ()
    # The system (no actor: a scheduled job) may make this move.
    system: bool = False
    # Hard to undo or decided for others (approving, closing, cancelling): never one click;
    # the step page says what will happen and the post must name the case's version.
    confirm: bool = False

    def __post_init__(self):
        object.__setattr__(self, "sources", frozenset(self.sources))


@dataclass
class Workflow:
    kind: str
    statuses: type[Labelled]
    initial: str
    # The moves in the order the case page offers them; a sequence here, by name afterwards.
    transitions: dict[str, Transition]
    paused: frozenset[str] = frozenset()  # statuses in which the service clock stops
    open_statuses: frozenset[str] = frozenset()
    # Called before the status changes, with the details the caller gave and the moment of
    # the move; may raise TransitionError for a missing detail, and may add to `details` for
    # the audit row.
    on_transition: list[Callable[[Case, Transition, "User | None", dict, datetime], None]] = (
        field(default_factory=list))
    # After a move: what it recorded besides the status, in words, for the timeline.
    describe: Callable[[Case, Transition], "str | None"] = lambda case, move: None
    # Before a move: what it will do, in plain words, for the step page.
    consequence: Callable[[Case, Transition], "str | None"] = lambda case, move: None
    # After a move, in the same transaction: who is told (tracker.notifications).
    after_transition: list[Callable[[Case, Transition, "User | None"], None]] = (
        field(default_factory=list))

    def __post_init__(self):
        if not isinstance(self.transitions, dict):
            self.transitions = {move.name: move for move in self.transitions}
        self.paused = frozenset(self.paused)
        self.open_statuses = frozenset(self.open_statuses)

    def label(self, status: str) -> str:
        try:
            return self.statuses(status).label
        except ValueError:
            return status

    def refusal(self, case: Case, name: str, actor: User | None) -> str | None:
        """Why `actor` may not make this move now, or None if they may."""
        move = self.transitions.get(name)
        if move is None:
            return _("There is no such step.")
        if case.status not in move.sources:
            return _("Not possible while the request is %(status)s.",
                     status=self.label(case.status).lower())
        if actor is None:
            if not move.system:
                return _("Only an officer can take this step.")
        elif actor.role not in move.roles:
            return _("Your role cannot take this step.")
        for guard in move.guards:
            reason = guard(case, actor)
            if reason:
                return reason
        return None

    def available(self, case: Case, actor: User | None) -> list[Transition]:
        """The moves the actor could make now, in the table's order."""
        return [t for t in self.transitions.values() if self.refusal(case, t.name, actor) is None]


WORKFLOWS: dict[str, Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    WORKFLOWS[workflow.kind] = workflow
    return workflow


def workflow_for(case: Case) -> Workflow:
    return WORKFLOWS[str(case.kind)]


def start(case: Case, actor: User | None, at: datetime | None = None) -> TimelineEvent:
    """Give a new case its initial status and the first line of its timeline."""
    flow = WORKFLOWS[str(case.kind)]
    _set_status(case, flow.initial)
    event_ = TimelineEvent(case=case, actor=actor, kind=TimelineKind.OPENED,
                           to_status=flow.initial, at=at or utcnow())
    db.session.add(event_)
    return event_


def transition(case: Case, name: str, actor: User | None, *, comment: str | None = None,
               at: datetime | None = None, **details) -> TimelineEvent:
    """Make one move of the case's workflow; raises TransitionError if it is not allowed."""
    flow = workflow_for(case)
    refusal = flow.refusal(case, name, actor)
    if refusal:
        raise TransitionError(refusal)
    move = flow.transitions[name]
    comment = (comment or "").strip() or None
    if move.comment_required and not comment:
        raise TransitionError(_("Say why, for the timeline."), "comment")
    now = at or utcnow()  # `at` only when loading history (demo data, imports)
    for hook in flow.on_transition:
        hook(case, move, actor, details, now)
    old = case.status
    _keep_clock(flow, case, old, move.target, now)
    _set_status(case, move.target)
    with record_language():  # stored words are never translated
        detail = flow.describe(case, move)
    timeline = TimelineEvent(case=case, actor=actor, kind=TimelineKind.STATUS, at=now,
                             transition=name, from_status=old, to_status=move.target,
                             comment=comment, detail=detail)
    db.session.add(timeline)
    audit.record(f"{case.kind}.{name}", object_type=str(case.kind), object_id=case.reference,
                 reason=comment, actor=actor,
                 details={"from": old, "to": move.target,
                          **{k: v for k, v in details.items() if v not in (None, "")}})
    for hook in flow.after_transition:
        hook(case, move, actor)
    return timeline


def move(case: Case, actor: User | None, name: str, comment: str | None = None,
         **details) -> TimelineEvent:
    """One workflow step, flushed (the services' and scripts' way to take a step)."""
    event_ = transition(case, name, actor, comment=comment, **details)
    db.session.flush()
    return event_


def _keep_clock(flow: Workflow, case: Case, old: str, new: str, now: datetime) -> None:
    """Stop the service clock on entering a paused status; move the due date on leaving it."""
    if new in flow.paused and old not in flow.paused:
        case.waiting_since = now
    elif old in flow.paused and new not in flow.paused and case.waiting_since is not None:
        paused = now - case.waiting_since
        case.paused_seconds = (case.paused_seconds or 0) + int(paused.total_seconds())
        if case.due_at is not None:
            case.due_at = case.due_at + paused
        case.waiting_since = None


def _set_status(case: Case, status: str) -> None:
    token = _engine_is_setting_status.set(True)
    try:
        case.status = status
    finally:
        _engine_is_setting_status.reset(token)


@event.listens_for(Case.status, "set", propagate=True)
def _refuse_status_outside_engine(target, value, oldvalue, initiator):
    if not _engine_is_setting_status.get():
        raise StatusChangeRefused(
            "A status is changed only through tracker.cases.workflow.transition()")
    return value


# --- waiting and holds: what a paused status keeps, for every case type ---------------------


def waiting_reason(details: dict, message: str) -> str:
    """What the case waits for (required), from the step's details."""
    reason = (details.get("waiting_reason") or "").strip()
    if not reason:
        raise TransitionError(message, "waiting_reason")
    return reason


def hold_date(case: Case, details: dict, at: datetime) -> date | None:
    """The step's hold date (optional), which must be after the office's today: a hold date
    that has come already would wake the case at once."""
    hold_until = details.get("hold_until")
    if hold_until is None:
        return None
    today = office_today(case.office.time_zone, at)
    if hold_until <= today:
        raise TransitionError(_("Choose a day after today (%(today)s), or leave it empty.",
                                today=local_date(today)), "hold_until")
    return hold_until


def keep_hold(case: Case, move: Transition, entering: str, waiting_on: str | None,
              reason: str | None, details: dict) -> None:
    """Set the hold on the move `entering` the paused status; clear it on leaving that."""
    paused = workflow_for(case).paused
    if move.name == entering:
        case.waiting_on, case.waiting_reason = waiting_on, reason
        case.hold_until = details.get("hold_until")
    elif move.target not in paused and case.status in paused:
        case.waiting_on = case.waiting_reason = None
        case.hold_until = None


def hold_note(case: Case) -> str:
    """"; back to work on 12 Mar 2026" for a case held until a date, else ""."""
    return f"; back to work on {case.hold_until:%d %b %Y}" if case.hold_until else ""
