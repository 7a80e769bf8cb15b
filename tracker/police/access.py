"""The police compartment's rule, in one place.

Only police liaison officers list, open, search or download anything of a liaison case or a
police person; every other role gets 404 on every police URL. A restricted case opens
without a reason only for the liaison officers named on it; any other liaison officer must
give a reason first (break-glass), which is logged and shown on the case, and holds for
BREAK_GLASS_HOURS.
"""
from __future__ import annotations

from datetime import timedelta

from flask import abort, redirect, url_for
from sqlalchemy import exists, not_, or_, select

from tracker.auth.models import Role, User
from tracker.auth.permissions import Permission
from tracker.cases import registry, scope
from tracker.cases.links import ConsularLink
from tracker.cases.models import Case, CaseKind
from tracker.db import utcnow
from tracker.extensions import db
from tracker.people.models import Compartment
from tracker.police.models import (
    BreakGlass,
    CaseParty,
    Exchange,
    InterpolNotice,
    LiaisonCase,
    liaison_case_officers,
)
from tracker.police.workflow import POLICE_WORKFLOW

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


def open_to(reader, cases):
    """Clause on the cases table: liaison cases this liaison officer may open.

    An unrestricted case, a restricted one the officer is named on, or one they broke the glass
    on within BREAK_GLASS_HOURS. Anything else is invisible to every query: it is found only by
    its exact reference (`restricted_by_reference`), to ask for a reason.
    """
    if reader.role is not Role.POLICE_LIAISON_OFFICER:
        return None
    liaison = LiaisonCase.__table__.alias()
    officers = liaison_case_officers.alias()
    glass = BreakGlass.__table__.alias()
    since = utcnow() - timedelta(hours=BREAK_GLASS_HOURS)
    return or_(
        exists(select(liaison.c.id).where(liaison.c.id == cases.c.id,
                                          liaison.c.restricted.is_(False))),
        exists(select(officers.c.case_id).where(officers.c.case_id == cases.c.id,
                                                officers.c.user_id == reader.id)),
        exists(select(glass.c.id).where(glass.c.case_id == cases.c.id,
                                        glass.c.user_id == reader.id, glass.c.at > since)))


def _persons(reader, persons):
    """Clause on Person: police persons this liaison officer may see.

    A person who appears only in restricted cases the officer may not open would tell who is
    in those cases: such persons are left out. A person in no case yet is shown.
    """
    if reader.role is not Role.POLICE_LIAISON_OFFICER:
        return None
    parties = CaseParty.__table__.alias()
    cases = Case.__table__.alias()
    in_any = exists(select(parties.c.id).where(parties.c.person_id == persons.id))
    in_open = exists(
        select(parties.c.id).join(cases, cases.c.id == parties.c.case_id)
        .where(parties.c.person_id == persons.id, open_to(reader, cases)))
    return or_(in_open, not_(in_any))


scope.register(scope.CompartmentScope(
    kind=CaseKind.LIAISON_CASE, compartment=Compartment.POLICE,
    cases=open_to, persons=_persons,
    case_owned={CaseParty: CaseParty.case_id, Exchange: Exchange.case_id,
                InterpolNotice: InterpolNotice.case_id, BreakGlass: BreakGlass.case_id,
                ConsularLink: ConsularLink.liaison_case_id}))


def restricted_by_reference(reference: str) -> LiaisonCase | None:
    """A restricted case the officer may not open yet, by its exact reference only.

    The one lookup past the scope in the compartment: it lets an officer who holds the
    reference ask to break the glass; it never tells more than that the case exists.
    """
    with scope.unscoped("find a restricted case by its exact reference for break-glass"):
        return db.session.scalar(select(LiaisonCase).where(
            LiaisonCase.reference == reference, LiaisonCase.restricted.is_(True)))


def _ask_for_reason(reference: str) -> None:
    """A restricted case the officer may not open yet: send them to give a reason."""
    if restricted_by_reference(reference) is not None:
        abort(redirect(url_for("police_cases.break_glass", reference=reference)))


def liaison_officers(case: LiaisonCase | None = None) -> list[User]:
    """The active liaison officers: whom a case may be assigned to or restricted to."""
    return list(db.session.scalars(select(User).where(
        User.role == Role.POLICE_LIAISON_OFFICER, User.active.is_(True))
        .order_by(User.display_name)))


CASE_TYPE = registry.register(registry.CaseType(
    model=LiaisonCase, workflow=POLICE_WORKFLOW,
    read=Permission.READ_LIAISON_CASES, work=Permission.WORK_LIAISON_CASES,
    detail_endpoint="police_cases.detail", template="police/case.html",
    object_type="liaison_case", assignees=liaison_officers,
    one_click_steps=frozenset({"activate", "resume", "request_mla"}),
    read_actions=("viewed", "document_downloaded", "exported"),
    on_missing=_ask_for_reason,
    step_fields={"await_counterpart": ("waiting_reason", "hold_until"),
                 "close": ("closing_reason",)},
))
