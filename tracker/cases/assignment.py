"""Assigning a case to an officer: shared by both compartments."""
from __future__ import annotations

from tracker.audit import service as audit
from tracker.auth.models import User
from tracker.cases.models import Case, TimelineEvent, TimelineKind
from tracker.cases.registry import CaseType
from tracker.extensions import db
from tracker.notifications.models import NotificationKind
from tracker.notifications.service import notify


def may_be_assigned(case_type: CaseType, case: Case, officer: User) -> bool:
    """The rule: a case goes to an active officer its compartment says may work it (consular:
    one who serves the request's office)."""
    return any(user.id == officer.id for user in case_type.assignees(case))


def assign(case: Case, actor: User, assignee: User | None, *, reason: str | None = None) -> bool:
    """Give the case to `assignee` (or to nobody); False if nothing changed."""
    if case.assigned_to_id == (assignee.id if assignee else None):
        return False
    case.assigned_to = assignee
    db.session.add(TimelineEvent(case_id=case.id, actor=actor, kind=TimelineKind.ASSIGNED,
                                 comment=assignee.display_name if assignee else None,
                                 detail=reason))
    audit.record(f"{case.kind}.assigned", object_type=str(case.kind), object_id=case.reference,
                 actor=actor, reason=reason,
                 details={"to": assignee.email if assignee else None})
    db.session.flush()
    notify(NotificationKind.ASSIGNED, [assignee], case, actor=actor)
    return True
