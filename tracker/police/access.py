"""The police compartment's rule, in one place.

Only police liaison officers list, open, search or download anything of a liaison case or a
police person; every other role gets 404 on every police URL. A restricted case opens
without a reason only for the liaison officers named on it; any other liaison officer must
give a reason first (break-glass), which is logged and shown on the case, and holds for
BREAK_GLASS_HOURS.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, exists, not_, or_, select

from tracker.auth.models import Role, User
from tracker.db import utcnow
from tracker.extensions import db
from tracker.people.models import Person
from tracker.police.models import BreakGlass, CaseParty, LiaisonCase, liaison_case_officers

BREAK_GLASS_HOURS = 8


def is_liaison(user: User) -> bool:
    return user.is_authenticated and user.role is Role.POLICE_LIAISON_OFFICER


def is_named(user: User, case: LiaisonCase) -> bool:
    return any(officer.id == user.id for officer in case.named_officers)


def recent_break_glass(user: User, case: LiaisonCase) -> BreakGlass | None:
    since = utcnow() - timedelta(hours=BREAK_GLASS_HOURS)
    return db.session.scalar(
        select(BreakGlass).where(BreakGlass.case_id == case.id, BreakGlass.user_id == user.id,
                                 BreakGlass.at > since).order_by(BreakGlass.id.desc()).limit(1))


def needs_reason(user: User, case: LiaisonCase) -> bool:
    """A restricted case that this liaison officer may open only after giving a reason."""
    return (case.restricted and not is_named(user, case)
            and recent_break_glass(user, case) is None)


def restricted_hidden(user: User):
    """WHERE clause: restricted cases whose details must not show in lists for this user."""
    named = exists().where(and_(liaison_case_officers.c.case_id == LiaisonCase.id,
                                liaison_case_officers.c.user_id == user.id))
    return and_(LiaisonCase.restricted.is_(True), not_(named))


def person_listable(user: User):
    """WHERE clause on Person: persons search may show this user.

    A person who appears only in restricted cases the user is not named on would tell who is
    in those cases: such persons are left out (they show once the officer is named).
    """
    in_any = exists().where(CaseParty.person_id == Person.id)
    in_visible = exists(
        select(CaseParty.id).join(LiaisonCase, LiaisonCase.id == CaseParty.case_id)
        .where(CaseParty.person_id == Person.id, not_(restricted_hidden(user))))
    return or_(in_visible, not_(in_any))
