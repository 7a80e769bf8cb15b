"""Who may read and who may work a consular request: the one place for the rule.

Consular officers work their own office's requests and read other offices' only if their
account says so; managers read every request and approve; nobody else sees any. A request a
user may not read answers 404, so its existence does not leak.
"""
from __future__ import annotations

from sqlalchemy import Select, false, or_, select

from tracker.auth.models import Role, User
from tracker.cases.models import CaseKind
from tracker.consular.models import ConsularRequest, request_subjects
from tracker.extensions import db
from tracker.people.models import Compartment, Person

READERS = frozenset({Role.CONSULAR_OFFICER, Role.MANAGER})


def readable(user: User):
    """A WHERE clause selecting the requests the user may read.

    It names the case kind although the join to consular_requests implies it: the indexes on
    `cases` begin with `kind`, and without it every list reads all of an office's requests
    (docs/benchmarks.md).
    """
    consular = ConsularRequest.kind == CaseKind.CONSULAR_REQUEST
    if user.role is Role.MANAGER:
        return consular
    if user.role is Role.CONSULAR_OFFICER:
        if user.reads_all_offices:
            return consular
        return consular & (ConsularRequest.office_id == user.office_id)
    return false()


def only_readable(stmt: Select, user: User) -> Select:
    return stmt.where(readable(user))


def can_read(user: User, request: ConsularRequest) -> bool:
    if user.role is Role.MANAGER:
        return True
    return user.role is Role.CONSULAR_OFFICER and (
        user.reads_all_offices or request.office_id == user.office_id)


def readable_persons(user: User):
    """A WHERE clause selecting the consular persons the user may see.

    Managers see every one; an officer sees the persons of requests they may read (as subject
    or as the one who reported it) and the persons they added themselves; nobody else any.
    """
    if user.role is Role.MANAGER:
        return Person.compartment == Compartment.CONSULAR
    if user.role is not Role.CONSULAR_OFFICER:
        return false()
    requests = select(ConsularRequest.id).where(readable(user))
    return (Person.compartment == Compartment.CONSULAR) & or_(
        Person.id.in_(select(request_subjects.c.person_id)
                      .where(request_subjects.c.request_id.in_(requests))),
        Person.id.in_(select(ConsularRequest.requester_id).where(readable(user))),
        Person.created_by_id == user.id)


def can_see_person(user: User, person: Person) -> bool:
    return db.session.scalar(
        select(Person.id).where(Person.id == person.id, readable_persons(user))) is not None


def can_work_in(user: User, office_id: int) -> bool:
    """Log, edit, add notes and documents, move through the workflow, for an office."""
    if user.role is Role.MANAGER:
        return True
    return user.role is Role.CONSULAR_OFFICER and office_id == user.office_id


def can_work(user: User, request: ConsularRequest) -> bool:
    return can_work_in(user, request.office_id)


def can_see_access_log(user: User) -> bool:
    return user.role is Role.MANAGER
