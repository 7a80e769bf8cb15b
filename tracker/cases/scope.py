"""Need-to-know, applied by the data layer: every ORM SELECT sees only what its reader may read.

A Session event (`do_orm_execute`) adds the signed-in reader's criteria to every SELECT of a
case, a person, and everything that belongs to one (timeline, journal, documents, a
compartment's own tables), through `with_loader_criteria`. A query cannot forget the rule:
it never had to remember it.

Who the reader is:
- inside a web request, the signed-in account (anonymous: nothing at all);
- inside `reading_as(user)`, that account (jobs that act for someone);
- inside `unscoped("why")`, everything: the one opt-out, for aggregates, jobs, the generator
  and migrations. `grep -rn "unscoped(" tracker` lists every place that uses it;
- anywhere else, nothing: a new job that forgets to say who it reads as reads no case.

Each compartment registers what it adds (`register`): a clause on `Case` for its own kind, a
clause on `Person` for its persons, and its tables that hang off a case or a person. The kernel
never imports a compartment. Each clause is an indexed EXISTS per candidate row, never a set of
ids built up front, so the rule costs the same at a hundred rows and at a million.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Callable, Iterator

from flask import g, has_request_context
from sqlalchemy import ColumnElement, and_, event, exists, false, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import ORMExecuteState, Session, aliased, with_loader_criteria

from tracker.cases.models import (
    Attachment,
    Case,
    CaseKind,
    JournalNote,
    LegalHold,
    TimelineEvent,
)
from tracker.people.models import (
    Compartment,
    Person,
    PersonIdentifier,
    PersonName,
    PersonRelation,
)
from tracker.search.models import PoliceSearchEntry, SearchEntry


class _Everything:
    """The reader of an `unscoped` block: no criteria at all."""

    def __repr__(self) -> str:
        return "<everything>"


EVERYTHING = _Everything()
_override: ContextVar[object | None] = ContextVar("tracker_reader_override", default=None)
# What code outside any request reads as when nothing says: nobody (production). The test
# suite sets EVERYTHING here for tests that call services directly; requests never look at it.
_outside_requests: ContextVar[object | None] = ContextVar("tracker_reader_outside",
                                                          default=None)


@dataclass
class CompartmentScope:
    """What one compartment adds to the reader's scope."""

    kind: CaseKind
    compartment: Compartment
    # (reader, cases table or alias) -> clause: this kind's rows the reader may read, or None
    cases: Callable[[object, object], ColumnElement | None]
    # (reader, Person or an alias) -> clause: this compartment's persons the reader may see
    persons: Callable[[object, object], ColumnElement | None]
    # (reader, cases table or alias) -> clause: cases whose content (timeline, notes,
    # documents, the compartment's own tables) the reader may read; by default `cases`
    content: Callable[[object, object], ColumnElement | None] | None = None
    # the compartment's own tables: entity -> its column naming the case
    case_owned: dict[type, object] = field(default_factory=dict)


_compartments: dict[CaseKind, CompartmentScope] = {}
CASES = Case.__table__


def register(scope: CompartmentScope) -> None:
    _compartments[scope.kind] = scope


@contextmanager
def unscoped(why: str) -> Iterator[None]:
    """Read everything inside this block; `why` says to a reader of the code what needs it."""
    if not why:
        raise ValueError("say why this code must read everything")
    token = _override.set(EVERYTHING)
    try:
        yield
    finally:
        _override.reset(token)


@contextmanager
def reading_as(user) -> Iterator[None]:
    """Read as this account inside this block (a job acting for someone)."""
    token = _override.set(user)
    try:
        yield
    finally:
        _override.reset(token)


def set_outside_requests(reader) -> None:
    """What code outside a request reads as (the test suite: EVERYTHING)."""
    _outside_requests.set(reader)


def current_reader():
    """The account (or EVERYTHING) the next query reads as; None reads nothing."""
    override = _override.get()
    if override is not None:
        return override
    if has_request_context():
        return _signed_in()
    return _outside_requests.get()


def _signed_in():
    """The request's account once Flask-Login has loaded it (`enforce_access` does, before any
    view), else nobody. Never load it from here: the loader runs queries and may commit (the
    session's last-seen time), which must not happen inside another statement or a flush."""
    user = g.get("_login_user")
    return user if user is not None and user.is_authenticated else None


def is_unscoped() -> bool:
    return current_reader() is EVERYTHING


# --- the clauses ----------------------------------------------------------------------------


def _any(clauses: list) -> ColumnElement:
    clauses = [c for c in clauses if c is not None]
    return or_(*clauses) if clauses else false()


def case_clause(reader, cases=None) -> ColumnElement:
    """Clause on the cases table (or an alias of it): the cases this reader may read."""
    cases = CASES if cases is None else cases
    return _any([_of_kind(s, cases, s.cases(reader, cases)) for s in _compartments.values()])


def kind_clause(kind: CaseKind, reader, cases) -> ColumnElement:
    """Clause on the cases table: the cases of one kind whose content this reader may read."""
    registered = _compartments.get(kind)
    clause = (registered.content or registered.cases)(reader, cases) if registered else None
    return false() if clause is None else and_(cases.c.kind == kind.value, clause)


def content_clause(reader, cases) -> ColumnElement:
    """Clause on the cases table: the cases whose content this reader may read."""
    return _any([_of_kind(s, cases, (s.content or s.cases)(reader, cases))
                 for s in _compartments.values()])


def person_clause(reader, persons=Person) -> ColumnElement:
    """Clause on Person (or an alias of it): the persons this reader may see."""
    clauses = []
    for s in _compartments.values():
        clause = s.persons(reader, persons)
        if clause is not None:
            clauses.append(and_(persons.compartment == s.compartment, clause))
    return _any(clauses)


def _of_kind(scope: CompartmentScope, cases, clause):
    if clause is None:
        return None
    return and_(cases.c.kind == scope.kind.value, clause)


def _case_visible(case_id_column, reader) -> ColumnElement:
    """A row that names a case is visible when the reader may read that case's content."""
    cases = CASES.alias()
    return exists(select(cases.c.id).where(cases.c.id == case_id_column,
                                           content_clause(reader, cases)))


def _person_visible(person_id_column, reader) -> ColumnElement:
    persons = aliased(Person)
    return exists(select(persons.id).where(persons.id == person_id_column,
                                           person_clause(reader, persons)))


def _case_owned() -> dict:
    """Every table whose rows belong to a case: the kernel's and each compartment's own."""
    owned = {Attachment: Attachment.case_id, TimelineEvent: TimelineEvent.case_id,
             JournalNote: JournalNote.case_id, LegalHold: LegalHold.case_id,
             SearchEntry: SearchEntry.case_id,
             PoliceSearchEntry: PoliceSearchEntry.case_id}
    for s in _compartments.values():
        owned.update(s.case_owned)
    return owned


def _criteria(reader) -> list:
    """The loader criteria for one reader, built once per request."""
    options = [
        with_loader_criteria(Case, case_clause(reader), include_aliases=True),
        with_loader_criteria(Person, person_clause(reader), include_aliases=True),
        with_loader_criteria(PersonName, _person_visible(PersonName.person_id, reader)),
        with_loader_criteria(PersonIdentifier,
                             _person_visible(PersonIdentifier.person_id, reader)),
        with_loader_criteria(PersonRelation, and_(
            _person_visible(PersonRelation.person_id, reader),
            _person_visible(PersonRelation.related_id, reader))),
    ]
    for entity, column in _case_owned().items():
        options.append(with_loader_criteria(entity, _case_visible(column, reader)))
    return options


def _criteria_for_request(reader) -> list:
    if has_request_context() and _override.get() is None:
        cached = g.get("_scope_criteria")
        if cached is None or cached[0] is not reader:
            cached = (reader, _criteria(reader))
            g._scope_criteria = cached
        return cached[1]
    return _criteria(reader)


# --- the second wall: row-level security on PostgreSQL --------------------------------------
# migrations/versions/0010 lets a statement see police rows only while the connection's
# `tracker.compartment` setting is "police" or "all". The setting follows the reader, so a
# statement that slips past the ORM scope (raw SQL, a Core query) still reads no police row
# unless the reader is a liaison officer or the code said `unscoped`. Every connection the pool
# hands out starts with none (tracker.db.configure_engine).

SETTING = "tracker.compartment"


def compartment_setting(reader, load: bool = False) -> str | None:
    """The value of `tracker.compartment` for this reader; None if it cannot be told without a
    query (an account whose attributes expired at a commit) and `load` is False."""
    if reader is EVERYTHING:
        return "all"
    if reader is None:
        return ""
    known = reader.__dict__.get("_compartment_setting")
    if known is None:
        role = sa_inspect(reader).dict.get("role")  # without a query if it expired
        if role is None and load and not reader.__dict__.get("_loading_role"):
            reader.__dict__["_loading_role"] = True  # the refresh below runs this hook again
            try:
                role = reader.role
            finally:
                reader.__dict__["_loading_role"] = False
        if role is None:
            return None
        known = "police" if role.value == "police_liaison_officer" else "consular"
        reader.__dict__["_compartment_setting"] = known  # plain attribute: survives expiry
    return known


def _set_compartment(connection, reader, load: bool = False) -> None:
    if connection.dialect.name != "postgresql":
        return
    wanted = compartment_setting(reader, load)
    if wanted is not None and connection.info.get(SETTING) != wanted:
        connection.exec_driver_sql(f"SELECT set_config('{SETTING}', %(v)s, false)",
                                   {"v": wanted})
        connection.info[SETTING] = wanted


@event.listens_for(Session, "after_begin")
def _compartment_at_begin(_session, _transaction, connection) -> None:
    _set_compartment(connection, current_reader())


@event.listens_for(Session, "before_flush")
def _compartment_at_flush(session, _context, _instances) -> None:
    # A write with no query before it in this transaction (after the reader changed).
    _set_compartment(session.connection(), current_reader(), load=True)


@event.listens_for(Session, "do_orm_execute")
def _apply_scope(state: ORMExecuteState) -> None:
    if state.session.get_bind().dialect.name == "postgresql":
        _set_compartment(state.session.connection(), current_reader(), load=True)
    if not state.is_select or state.is_column_load:
        return
    reader = current_reader()
    if reader is EVERYTHING:
        return
    if reader is None:
        state.statement = state.statement.options(*_nothing())
        return
    state.statement = state.statement.options(*_criteria_for_request(reader))


def _nothing() -> list:
    """The criteria of no reader: no case, no person, nothing that hangs off one."""
    entities = [Case, Person, PersonName, PersonIdentifier, PersonRelation, *_case_owned()]
    return [with_loader_criteria(e, false(), include_aliases=True) for e in entities]
