"""A compartment's case list, as the kernel knows it: for saved views and bulk actions.

A compartment declares a `CaseList` for its list page (which filters the address carries, how
they become a query, which offices its officers serve) and registers it; saved views, their
counts and the selection's bulk actions then work the same for every list. The query is a
plain ORM select: the data layer adds the reader's scope (tracker/cases/scope.py), so a count
never includes a case the reader may not open.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Select, func, select
from werkzeug.datastructures import MultiDict

from tracker.auth.models import Office, User
from tracker.auth.permissions import Permission, permissions_of
from tracker.cases.models import CaseKind
from tracker.cases.registry import CaseType
from tracker.extensions import db


@dataclass(frozen=True)
class CaseList:
    """What a compartment declares about its list page."""

    case_type: CaseType
    endpoint: str  # the list page ("consular_requests.request_list")
    filters: tuple[str, ...]  # the address's filter parameters a saved view keeps
    sorts: tuple[str, ...]  # the sort orders offered, the default first
    # The filtered list for these parameters (unsorted, unlimited), or None if they are not
    # valid (e.g. a saved officer id that names no account any more).
    query: Callable[[MultiDict], Select | None]
    # The offices an officer works for: those a view may be shared with.
    offices_served: Callable[[User], list[Office]]
    # Who may reassign a selection (None: the list offers no bulk reassignment).
    reassign: Permission | None = None
    # The officers a selection may be reassigned to (each case still checks its own office).
    reassignable: Callable[[User], list[User]] = lambda user: []

    @property
    def kind(self) -> CaseKind:
        return CaseKind(self.case_type.workflow.kind)

    def readable_by(self, user: User) -> bool:
        return self.case_type.read in permissions_of(user.role)

    def workable_by(self, user: User) -> bool:
        return self.case_type.work in permissions_of(user.role)

    def params(self, filters: dict[str, str], sort: str) -> MultiDict:
        """The address parameters of a list with these filters and sort."""
        kept = {name: value for name, value in filters.items()
                if name in self.filters and value not in (None, "")}
        if sort != self.sorts[0]:
            kept["sort"] = sort
        return MultiDict(kept)

    def count(self, params: MultiDict) -> int | None:
        """How many cases the list shows the current reader (its scope), or None if the
        parameters are no longer valid."""
        stmt = self.query(params)
        if stmt is None:
            return None
        return db.session.scalar(select(func.count()).select_from(stmt.order_by(None)
                                                                  .subquery()))


_lists: dict[CaseKind, CaseList] = {}


def register(case_list: CaseList) -> CaseList:
    _lists[case_list.kind] = case_list
    return case_list


def list_of(kind: CaseKind | str) -> CaseList:
    return _lists[CaseKind(kind)]


def readable_lists(user: User) -> list[CaseList]:
    """The lists this user may read (a consular reader never learns of the police list)."""
    return [case_list for case_list in _lists.values() if case_list.readable_by(user)]
