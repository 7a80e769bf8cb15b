"""Who may read and who may work a consular request: the one place for the rule.

Consular officers work their own office's requests and read other offices' only if their
account says so; managers read every request and approve; nobody else sees any. A request a
user may not read answers 404, so its existence does not leak.
"""
from __future__ import annotations

from sqlalchemy import Select, false, true

from tracker.auth.models import Role, User
from tracker.consular.models import ConsularRequest

READERS = frozenset({Role.CONSULAR_OFFICER, Role.MANAGER})


def readable(user: User):
    """A WHERE clause selecting the requests the user may read."""
    if user.role is Role.MANAGER:
        return true()
    if user.role is Role.CONSULAR_OFFICER:
        if user.reads_all_offices:
            return true()
        return ConsularRequest.office_id == user.office_id
    return false()


def only_readable(stmt: Select, user: User) -> Select:
    return stmt.where(readable(user))


def can_read(user: User, request: ConsularRequest) -> bool:
    if user.role is Role.MANAGER:
        return True
    return user.role is Role.CONSULAR_OFFICER and (
        user.reads_all_offices or request.office_id == user.office_id)


def can_work_in(user: User, office_id: int) -> bool:
    """Log, edit, add notes and documents, move through the workflow, for an office."""
    if user.role is Role.MANAGER:
        return True
    return user.role is Role.CONSULAR_OFFICER and office_id == user.office_id


def can_work(user: User, request: ConsularRequest) -> bool:
    return can_work_in(user, request.office_id)


def can_see_access_log(user: User) -> bool:
    return user.role is Role.MANAGER
