"""Legal holds: a case under one is left alone by retention, and its retention clock stops.

A hold is placed and lifted with a reason, each audited and shown on the case page. The time a
hold lasted after the case was closed is kept on the hold (`paused_seconds`) and added to the
retention period (tracker/retention/service.py).
"""
from __future__ import annotations

from flask_babel import gettext as _

from tracker.audit import service as audit
from tracker.cases import registry
from tracker.cases.models import Case, LegalHold
from tracker.db import utcnow
from tracker.domain import FieldError
from tracker.extensions import db

REASON_LENGTH = 2000


class HoldError(FieldError):
    """A hold that cannot be placed or lifted."""


def _reason(text: str | None, field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise HoldError(_("Say why."), field)
    if len(text) > REASON_LENGTH:
        raise HoldError(_("At most %(n)d characters.", n=REASON_LENGTH), field)
    return text


def place_hold(case: Case, actor, reason: str) -> LegalHold:
    """Put the case under a legal hold; flushes, never commits."""
    reason = _reason(reason)
    if case.anonymised_at is not None:
        raise HoldError(_("This case was anonymised: there is nothing left to hold."), None)
    if case.legal_hold is not None:
        raise HoldError(_("This case is under a legal hold already."), None)
    hold = LegalHold(case_id=case.id, reason=reason, placed_at=utcnow(), placed_by_id=actor.id)
    db.session.add(hold)
    object_type = registry.case_type_of(case).object_type
    audit.record(f"{object_type}.legal_hold_placed", object_type=object_type,
                 object_id=case.reference, actor=actor, reason=reason)
    db.session.flush()
    db.session.expire(case, ["legal_holds"])
    return hold


def lift_hold(case: Case, actor, reason: str) -> LegalHold:
    """Lift the hold in force; the time it held a closed case stops the retention clock."""
    reason = _reason(reason)
    hold = case.legal_hold
    if hold is None:
        raise HoldError(_("This case is not under a legal hold."), None)
    now = utcnow()
    if case.closed_at is not None:
        start = max(hold.placed_at, case.closed_at)
        hold.paused_seconds = max(0, int((now - start).total_seconds()))
    hold.lifted_at, hold.lifted_by_id, hold.lift_reason = now, actor.id, reason
    object_type = registry.case_type_of(case).object_type
    audit.record(f"{object_type}.legal_hold_lifted", object_type=object_type,
                 object_id=case.reference, actor=actor, reason=reason,
                 details={"held_since": hold.placed_at.isoformat()})
    db.session.flush()
    db.session.expire(case, ["legal_holds"])
    return hold
