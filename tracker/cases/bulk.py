"""Bulk actions on a selection of a case list: set the priority, reassign.

All or nothing: a selection is refused as a whole if any case in it is outside the reader's
scope (404, as for one case), may not be changed by the actor, or changed since the list was
shown (its version); each case changed gets its own timeline entry and audit row.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.audit import service as audit
from tracker.auth.models import User
from tracker.cases import assignment
from tracker.cases.models import Case, Priority, TimelineEvent, TimelineKind
from tracker.cases.registry import CaseType
from tracker.domain import FieldError, StaleRecord
from tracker.extensions import db

MAX_SELECTED = 200
MAX_ID = 2**31 - 1


class BulkError(FieldError):
    """The selection cannot be changed as asked; nothing was."""


@dataclass(frozen=True)
class Selected:
    case_id: int
    version: int  # the version the list showed


def parse_selection(values: list[str]) -> list[Selected]:
    """The posted checkboxes ("<case id>:<version>"); a value that names no case is a 404."""
    selected = {}
    for value in values:
        case_id, sep, version = value.partition(":")
        if not (sep and case_id.isascii() and case_id.isdigit() and version.isascii()
                and version.isdigit() and len(case_id) < 11 and len(version) < 11):
            abort(404)
        if not 0 < int(case_id) <= MAX_ID:
            abort(404)
        selected[int(case_id)] = Selected(int(case_id), int(version))
    if not selected:
        raise BulkError(_("Select at least one case in the list."), "selected")
    if len(selected) > MAX_SELECTED:
        raise BulkError(_("Select at most %(limit)s cases at a time.", limit=MAX_SELECTED),
                        "selected")
    return list(selected.values())


def ticked_ids(values: list[str]) -> set[int]:
    """The case ids of the posted checkboxes that name one: ticked again on a refused form."""
    return {int(head) for head in (value.partition(":")[0] for value in values)
            if head.isascii() and head.isdigit() and len(head) < 11}


def _references(cases: list[Case]) -> str:
    return ", ".join(sorted(case.reference for case in cases))


def load_selection(case_type: CaseType, actor: User, selected: list[Selected]) -> list[Case]:
    """The selected cases, checked: any outside the reader's scope is 404; any the actor may
    not change, or that changed since the list was shown, refuses the whole selection."""
    model = case_type.model
    cases = list(db.session.scalars(select(model).where(
        model.id.in_([s.case_id for s in selected])).order_by(model.id)))
    if len(cases) != len(selected) or not all(case_type.may_read(actor, c) for c in cases):
        abort(404)  # another office's, another compartment's or no case: never a hint which
    refused = [case for case in cases if not case_type.may_work(actor, case)]
    if refused:
        raise BulkError(_("You may not change %(references)s, so nothing was changed. "
                          "Leave them out and try again.",
                          references=_references(refused)), "selected")
    shown = {s.case_id: s.version for s in selected}
    stale = [case for case in cases if case.version != shown[case.id]]
    if stale:
        raise StaleRecord(_("%(references)s changed after the list was shown, so nothing was "
                            "changed. Show the list again and choose once more.",
                            references=_references(stale)))
    return cases


def set_priority(case_type: CaseType, cases: list[Case], actor: User, priority: str) -> int:
    """Give every case the priority; how many changed (an unchanged one records nothing)."""
    try:
        priority = Priority(priority)
    except ValueError:
        raise BulkError(_("Choose the priority."), "priority") from None
    changed = 0
    for case in cases:
        if case.priority is priority:
            continue
        old = case.priority
        case.priority = priority
        db.session.add(TimelineEvent(case_id=case.id, actor=actor, kind=TimelineKind.EDITED,
                                     comment="priority"))
        audit.record(f"{case_type.object_type}.edited", object_type=case_type.object_type,
                     object_id=case.reference, actor=actor,
                     details={"priority": {"from": old.value, "to": priority.value},
                              "bulk": True})
        changed += 1
    db.session.flush()  # the UPDATE's version check catches a save made meanwhile
    return changed


def reassign(case_type: CaseType, cases: list[Case], actor: User, assignee: User | None,
             reason: str) -> int:
    """Give every case to the officer, with the reason; refused as a whole if the officer
    cannot be assigned one of them (the assignment rule: an officer serving its office)."""
    reason = (reason or "").strip()
    if not reason:
        raise BulkError(_("Say why the cases are reassigned."), "reason")
    if assignee is None:
        raise BulkError(_("Choose the officer."), "assigned_to")
    cannot = [case for case in cases if not assignment.may_be_assigned(case_type, case, assignee)]
    if cannot:
        raise BulkError(_("%(officer)s cannot be given %(references)s (another office's), so "
                          "nothing was changed.", officer=assignee.display_name,
                          references=_references(cannot)), "assigned_to")
    changed = sum(assignment.assign(case, actor, assignee, reason=reason) for case in cases)
    db.session.flush()
    return changed
