"""Who may read and who may work a consular request: the one place for the rule.

Consular officers log and work the requests of the offices they serve (`offices_served`: the
embassy's officers serve the embassy and the honorary consulates' districts, a consulate's
officer only their own) and read other offices' only if their account says so; managers read
every request and approve; nobody else sees any. A request a user may not read answers 404, so
its existence does not leak.
"""
from __future__ import annotations

from sqlalchemy import exists, false, or_, select, true

from tracker.auth.models import Office, OfficeKind, Role, User
from tracker.auth.permissions import Permission
from tracker.cases import links, registry, scope
from tracker.cases.models import Case, CaseKind
from tracker.consular.letters import letter_facts
from tracker.consular.models import ConsularRequest, request_subjects
from tracker.consular.workflow import CONSULAR_WORKFLOW
from tracker.extensions import db
from tracker.people.models import Compartment

READERS = frozenset({Role.CONSULAR_OFFICER, Role.MANAGER})


def offices_served(user: User) -> list[Office]:
    """The offices a user logs and works requests for, their own first."""
    if user.role is Role.MANAGER:
        return [user.office] + [o for o in _active_offices() if o.id != user.office_id]
    if user.role is not Role.CONSULAR_OFFICER:
        return []
    if user.office.kind is OfficeKind.EMBASSY:
        return [user.office] + [o for o in _active_offices()
                                if o.kind is OfficeKind.HONORARY_CONSULATE]
    return [user.office]


def serves(user: User, office: Office) -> bool:
    """Whether the user may log and work requests for the office."""
    if user.role is Role.MANAGER:
        return True
    if user.role is not Role.CONSULAR_OFFICER:
        return False
    return office.id == user.office_id or (
        office.kind is OfficeKind.HONORARY_CONSULATE and user.office.kind is OfficeKind.EMBASSY)


def _active_offices() -> list[Office]:
    return list(db.session.scalars(select(Office).where(Office.active.is_(True))
                                   .order_by(Office.name)))


def _served_clause(reader, office_id):
    """SQL for `serves(reader, office)` on an office-id column (no extra query per row)."""
    own, other = Office.__table__.alias(), Office.__table__.alias()
    at_the_embassy = exists(select(own.c.id).where(own.c.id == reader.office_id,
                                                   own.c.kind == OfficeKind.EMBASSY))
    consulates = select(other.c.id).where(other.c.kind == OfficeKind.HONORARY_CONSULATE,
                                          at_the_embassy)
    return or_(office_id == reader.office_id, office_id.in_(consulates))


def _cases(reader, cases):
    """Clause on the cases table: the consular requests this reader may read."""
    if reader.role is Role.MANAGER:
        return true()
    if reader.role is Role.CONSULAR_OFFICER:
        return true() if reader.reads_all_offices else _served_clause(reader, cases.c.office_id)
    if reader.role is Role.POLICE_LIAISON_OFFICER:
        # Only a request linked to a case they may open; each read is logged on the request.
        return links.linked_to_an_open_liaison_case(cases.c.id, reader)
    return None


def _persons(reader, persons):
    """Clause on Person: the consular persons this reader may see.

    Managers and officers who read every office see every one; an officer sees the persons of
    the requests they may read (as subject or as the one who reported it) and the persons they
    added themselves ("own office": the offices they serve). Each test is an EXISTS on an
    indexed key, per candidate person.
    """
    if reader.role is Role.MANAGER:
        return true()
    if reader.role is not Role.CONSULAR_OFFICER:
        return None
    if reader.reads_all_offices:
        return true()
    cases = Case.__table__.alias()
    requests = ConsularRequest.__table__.alias()
    subjects = request_subjects.alias()
    served = _served_clause(reader, cases.c.office_id)
    subject_of_own_office = exists(
        select(subjects.c.request_id).join(cases, cases.c.id == subjects.c.request_id)
        .where(subjects.c.person_id == persons.id, served))
    reported_to_own_office = exists(
        select(requests.c.id).join(cases, cases.c.id == requests.c.id)
        .where(requests.c.requester_id == persons.id, served))
    return or_(subject_of_own_office, reported_to_own_office,
               persons.created_by_id == reader.id)


def _content(reader, cases):
    """The liaison officer reads a linked request's summary and status, not its file."""
    return None if reader.role is Role.POLICE_LIAISON_OFFICER else _cases(reader, cases)


scope.register(scope.CompartmentScope(
    kind=CaseKind.CONSULAR_REQUEST, compartment=Compartment.CONSULAR,
    cases=_cases, persons=_persons, content=_content))


def readable(user: User):
    """A WHERE clause selecting the requests the user may read.

    The data layer adds the same rule to every query (tracker/cases/scope.py); this copy names
    the case kind for the dashboard's counts, whose indexes begin with `kind`.
    """
    clause = _cases(user, Case.__table__) if user.is_authenticated else None
    if clause is None:
        return false()
    return (ConsularRequest.kind == CaseKind.CONSULAR_REQUEST) & clause


def can_read(user: User, request: ConsularRequest) -> bool:
    if user.role is Role.MANAGER:
        return True
    return user.role is Role.CONSULAR_OFFICER and (
        user.reads_all_offices or serves(user, request.office))


def can_work(user: User, request: ConsularRequest) -> bool:
    """Edit, add notes and documents, move through the workflow."""
    return serves(user, request.office)


def can_see_access_log(user: User) -> bool:
    return user.role is Role.MANAGER


def assignable_officers(office_id: int) -> list[User]:
    """The active consular officers who serve an office: whom its requests may be assigned
    to."""
    office = db.session.get(Office, office_id)
    return [user for user in db.session.scalars(
        select(User).where(User.active.is_(True), User.role == Role.CONSULAR_OFFICER)
        .order_by(User.display_name)) if serves(user, office)]


CASE_TYPE = registry.register(registry.CaseType(
    model=ConsularRequest, workflow=CONSULAR_WORKFLOW,
    read=Permission.READ_CONSULAR_REQUESTS, work=Permission.WORK_CONSULAR_REQUESTS,
    detail_endpoint="consular_requests.detail", template="consular/request.html",
    object_type="consular_request",
    assignees=lambda case: assignable_officers(case.office_id),
    one_click_steps=frozenset({"start", "resume"}),  # confirmed steps: never one click
    may_read=can_read, may_work=can_work, may_see_access_log=can_see_access_log,
    step_fields={"wait": ("waiting_on", "waiting_reason", "hold_until"),
                 "resolve": ("closing_reason",), "request_approval": ("closing_reason",),
                 "cancel": ("cancel_reason",)},
    letter_facts=letter_facts,
))
