"""The registry of case types: what the kernel does once for every compartment's cases.

A compartment declares a `CaseType` (its model, workflow, case page, who may work a case and
who is assigned, what its access history shows) and registers it; loading by reference, the
case page's shared context and waking held cases then work the same for every type.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit import service as audit
from tracker.auth.models import User
from tracker.auth.permissions import Permission
from tracker.cases import workflow
from tracker.cases.clock import office_today
from tracker.cases.forms import AssignForm
from tracker.cases.models import Attachment, Case, TimelineEvent
from tracker.db import utcnow
from tracker.extensions import db
from tracker.forms import CONTROL_CHARACTERS
from tracker.notifications.models import NotificationKind
from tracker.notifications.service import last_actor, notify
from tracker.unit_of_work import unit_of_work

REFERENCE_LENGTH = 20


def _always(user: User, case: Case) -> bool:
    return True


@dataclass(frozen=True)
class LetterFacts:
    """What a compartment tells a letter about one of its cases, read through the reader's
    scope and said in the letter's language (tracker/letters/service.py adds the rest)."""

    category: str  # the stored value: which templates are offered
    category_label: str
    subject_name: str
    subject_identifiers: str


@dataclass(frozen=True)
class CaseType:
    """What a compartment declares about its cases; the kernel does the rest."""

    model: type[Case]
    workflow: workflow.Workflow
    # What a user needs to read a case (its documents) and to work on it; a hidden permission
    # answers 404 to others (the police compartment).
    read: Permission
    work: Permission
    detail_endpoint: str
    template: str  # the case page
    object_type: str  # the audit log's name for it ("consular_request")
    assignees: Callable[[Case], list[User]]
    one_click_steps: frozenset[str]
    # The step form's fields each step asks for beyond the comment; each field's value goes to
    # the engine under the field's name.
    step_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Audit actions the access history lists ("who opened this case").
    read_actions: tuple[str, ...] = ("viewed", "document_downloaded")
    may_read: Callable[[User, Case], bool] = _always  # beyond the reader's scope
    may_work: Callable[[User, Case], bool] = _always
    may_see_access_log: Callable[[User], bool] = lambda user: True
    # Called with a reference that names no case the reader sees (may abort otherwise).
    on_missing: Callable[[str], None] | None = None
    # Letters from templates (tracker/letters): the case's facts for one; None: no letters.
    letter_facts: Callable[[Case], LetterFacts] | None = None
    extra: dict = field(default_factory=dict)


_types: dict[str, CaseType] = {}


def register(case_type: CaseType) -> CaseType:
    _types[case_type.workflow.kind] = case_type
    return case_type


def case_type_of(case: Case) -> CaseType:
    return _types[case.kind]


def clean_reference(reference: str) -> str:
    """The reference as stored (upper case); 404 for one that no reference could be."""
    if CONTROL_CHARACTERS.search(reference):
        abort(404)  # no reference has them, and PostgreSQL refuses NUL in text
    return reference.upper()[:REFERENCE_LENGTH]


def load(case_type: CaseType, reference: str, for_work: bool = False) -> Case:
    """The case if the user may see it (and work it); 404 otherwise, never 403."""
    reference = clean_reference(reference)
    model = case_type.model
    found = db.session.scalar(select(model).where(model.reference == reference))
    if found is None and case_type.on_missing is not None:
        case_type.on_missing(reference)
    if found is None or not case_type.may_read(current_user, found):
        abort(404)
    if for_work and (found.anonymised_at is not None
                     or not case_type.may_work(current_user, found)):
        abort(404)  # an anonymised case is read only: new text on it would never go again
    return found


def record_read(case: Case, reader: User, what: str = "viewed") -> None:
    """Log a read of the case ("viewed", "document_downloaded", ...): who, when, which."""
    object_type = case_type_of(case).object_type
    audit.record(f"{object_type}.{what}", object_type=object_type, object_id=case.reference,
                 actor=reader)
    db.session.flush()


def timeline(case: Case) -> list[TimelineEvent]:
    return list(db.session.scalars(
        select(TimelineEvent).where(TimelineEvent.case_id == case.id)
        .order_by(TimelineEvent.at, TimelineEvent.id)
        .options(selectinload(TimelineEvent.actor), selectinload(TimelineEvent.note),
                 selectinload(TimelineEvent.attachment))))


def documents(case: Case) -> list[Attachment]:
    return list(db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)
                                   .order_by(Attachment.id)))


def access_history(case_type: CaseType, case: Case) -> list:
    """Who opened the case, when the reader may see that (else an empty list)."""
    if not case_type.may_see_access_log(current_user):
        return []
    return audit.access_history(case_type.object_type, case.reference,
                                [f"{case_type.object_type}.{a}" for a in case_type.read_actions])


def assign_form(case_type: CaseType, case: Case, form: AssignForm | None = None) -> AssignForm:
    form = form or AssignForm(assigned_to=case.assigned_to_id or 0)
    form.assigned_to.choices = [(0, "Nobody")] + [(u.id, u.display_name)
                                                  for u in case_type.assignees(case)]
    return form


def blueprint_of(case_type: CaseType) -> str:
    """The blueprint the case pages and their actions are on ("police_cases")."""
    return case_type.detail_endpoint.rsplit(".", 1)[0]


def render_case_page(case_type: CaseType, case: Case, status: int = 200, **extra):
    """The case page, which reads first and holds no forms: the shared context (timeline,
    documents, access history, steps) plus the compartment's own `extra`. Each action opens
    its own page (`render_action_page`)."""
    can_work = case.anonymised_at is None and case_type.may_work(current_user, case)
    flow = case_type.workflow
    return render_template(
        case_type.template, case=case, timeline=timeline(case), documents=documents(case),
        access_log=access_history(case_type, case), flow=flow, can_work=can_work,
        steps=flow.available(case, current_user) if can_work else [],
        one_click={name for name in case_type.one_click_steps
                   if not flow.transitions[name].confirm},
        ep=blueprint_of(case_type), now=utcnow(),
        writes_letters=case_type.letter_facts is not None, **extra), status


def render_action_page(case_type: CaseType, case: Case, title: str, form_template: str,
                       status: int = 200, **context):
    """One case action on a page of its own: the case named on top, one form (the partial
    `form_template`, with its errors), and the way back to the case."""
    if request.method == "GET":
        with unit_of_work():
            record_read(case, current_user)  # the page shows the case's summary
    return render_template("cases/action.html", case=case, title=title,
                           form_template=form_template, flow=case_type.workflow,
                           ep=blueprint_of(case_type),
                           detail_endpoint=case_type.detail_endpoint, **context), status


def _entering_pause(case_type: CaseType) -> list[str]:
    """The steps that put a case of this type on hold."""
    flow = case_type.workflow
    return [t.name for t in flow.transitions.values() if t.target in flow.paused]


def wake_held(case_type: CaseType, now: datetime | None = None) -> list[str]:
    """Resume every paused case whose hold date has come (idempotent); their references.

    Not committed: the caller's transaction decides.
    """
    now = now or utcnow()
    model = case_type.model
    # The hold date is a day in the case's office time zone, which may be a day ahead of UTC
    # (Asia/Karachi is UTC+5; no zone is more than 14 hours ahead): narrow by the latest
    # possible local date here, and decide per office below.
    latest_local_day = (now + timedelta(hours=14)).date()
    stmt = (select(model)
            .where(model.status.in_(sorted(case_type.workflow.paused)),
                   model.hold_until.is_not(None), model.hold_until <= latest_local_day)
            .order_by(model.id))
    woken = []
    for case in db.session.scalars(stmt).all():
        if case.hold_until <= office_today(case.office.time_zone, now):
            holder = case.assigned_to or last_actor(case, *_entering_pause(case_type))
            workflow.transition(case, "resume", None, at=now,
                                comment=f"Hold date {case.hold_until:%d %b %Y} reached")
            # The officer the case is with (else who put it on hold) hears it is back.
            notify(NotificationKind.HOLD_REACHED, [holder], case)
            woken.append(case.reference)
    return woken
