"""Code changes measured by the benchmark without touching the application's files.

`bench/consular_list.py --experiment NAME` applies one of these (monkeypatches) before
measuring. They are proposals for the lead, with their numbers in docs/benchmarks.md; the
application does not use them.

kind-filter   every consular query says `cases.kind = 'consular_request'`. With joined-table
              inheritance SQLAlchemy does not add it by itself, so the indexes that start with
              `kind` (ix_cases_kind_opened_at, ix_cases_kind_due_at, ...) cannot order or
              narrow the consular queries. One line in tracker/consular/access.py.
search-union  the request search and the person search find the matching ids first, each way
              on its own (reference, identifier, name, requester) joined by UNION, then load
              the requests; the reference is compared as stored (upper case) instead of
              `upper(reference)`. The OR of conditions on three tables that the current query
              uses can only be answered by reading every request.
"""
from __future__ import annotations

from sqlalchemy import and_, or_, select, union
from sqlalchemy.orm import selectinload

EXPERIMENTS = ("kind-filter", "search-union")


def apply(name: str) -> None:
    if name == "kind-filter":
        _kind_filter()
    elif name == "search-union":
        _search_union()
    else:
        raise SystemExit(f"unknown experiment {name!r}; known: {', '.join(EXPERIMENTS)}")


def _kind_filter() -> None:
    from tracker.cases.models import CaseKind
    from tracker.consular import access
    from tracker.consular.models import ConsularRequest

    def only_readable(stmt, user):
        return stmt.where(ConsularRequest.kind == CaseKind.CONSULAR_REQUEST,
                          access.readable(user))

    access.only_readable = only_readable


def _matching_people(text: str):
    """Ids of consular persons with a matching identifier or name, as a UNION; None if none."""
    from tracker.people.identifiers import search_forms
    from tracker.people.models import Compartment, Person, PersonIdentifier
    from tracker.people.names import name_tokens

    arms = []
    forms = search_forms(text)
    if forms:
        arms.append(
            select(PersonIdentifier.person_id.label("id"))
            .join(Person, Person.id == PersonIdentifier.person_id)
            .where(Person.compartment == Compartment.CONSULAR,
                   or_(*(and_(PersonIdentifier.kind == kind, PersonIdentifier.value == value)
                         for kind, value in forms))))
    tokens = name_tokens(text)
    if tokens:
        arms.append(select(Person.id.label("id")).where(
            Person.compartment == Compartment.CONSULAR,
            *(Person.folded_name.contains(t, autoescape=True) for t in tokens)))
    if not arms:
        return None
    return union(*arms).subquery() if len(arms) > 1 else arms[0].subquery()


def _search_union() -> None:
    from tracker.consular import access
    from tracker.consular import services
    from tracker.consular.models import ConsularRequest, request_subjects
    from tracker.extensions import db
    from tracker.people import services as people
    from tracker.people.models import Compartment, Person

    def search_requests(user, text, limit=50):
        text = (text or "").strip()[:200]
        if not text:
            return []
        # References are stored in upper case (next_reference), as load_request assumes.
        arms = [select(ConsularRequest.id.label("id"))
                .where(ConsularRequest.reference == text.upper())]
        matching = _matching_people(text)
        if matching is not None:
            person_ids = select(matching.c.id)
            arms.append(select(request_subjects.c.request_id.label("id"))
                        .where(request_subjects.c.person_id.in_(person_ids)))
            arms.append(select(ConsularRequest.id.label("id"))
                        .where(ConsularRequest.requester_id.in_(person_ids)))
        ids = union(*arms).subquery()
        stmt = (access.only_readable(select(ConsularRequest), user)
                .where(ConsularRequest.id.in_(select(ids.c.id)))
                .order_by(ConsularRequest.opened_at.desc(), ConsularRequest.id.desc())
                .limit(limit)
                .options(selectinload(ConsularRequest.subjects),
                         selectinload(ConsularRequest.assigned_to)))
        return list(db.session.scalars(stmt))

    def find_persons(compartment, text, limit=25):
        text = (text or "").strip()[:200]
        if not text or compartment is not Compartment.CONSULAR:
            return original_find_persons(compartment, text, limit)
        matching = _matching_people(text)
        if matching is None:
            return []
        stmt = (select(Person).where(Person.id.in_(select(matching.c.id)))
                .options(selectinload(Person.identifiers), selectinload(Person.other_names))
                .order_by(Person.full_name).limit(limit))
        return list(db.session.scalars(stmt))

    original_find_persons = people.find_persons
    services.search_requests = search_requests
    people.find_persons = find_persons
