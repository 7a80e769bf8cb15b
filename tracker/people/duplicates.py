"""Possible duplicates across need-to-know: found, queued, compared, merged, undone.

An officer logging a person sees only the persons they may see (the scope). A match outside
it must be neither shown nor pickable, so it is queued instead: the new record is kept, and
the pair waits for someone who may see both (managers for consular persons, liaison officers
for police persons: the scope decides, as everywhere). A merge moves every reference to the
later record onto the kept one, writes down what it moved, and can be undone until the kept
record is used again.
"""
from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from flask_babel import gettext as _

from tracker.audit import service as audit
from tracker.cases import scope
from tracker.db import Base, utcnow
from tracker.extensions import db
from tracker.domain import FieldError, StaleRecord
from tracker.people.models import Compartment, DuplicateStatus, Person, PossibleDuplicate

# The queue's own columns point at persons too, but describe the pair rather than use it.
_NOT_USES = {("possible_duplicates", "person_id"), ("possible_duplicates", "other_id"),
             ("persons", "merged_into_id")}


class DuplicateError(FieldError):
    """A decision on a pair breaks a rule (no reason, decided already, kept record used)."""


def queue_hidden_matches(person: Person, hidden: dict[int, str]) -> None:
    """Record that `person` may be each of the `hidden` persons (id -> what matched)."""
    for other_id, matched_on in hidden.items():
        db.session.add(PossibleDuplicate(compartment=person.compartment, person_id=person.id,
                                         other_id=other_id, matched_on=matched_on))
    if hidden:
        db.session.flush()
        audit.record("person.possible_duplicate", object_type=f"{person.compartment}_person",
                     object_id=person.id, details={"pairs": len(hidden)})


def pairs(compartment: Compartment, *, decided: bool = False, limit: int = 100
          ) -> list[PossibleDuplicate]:
    """Pairs of the compartment still to compare (or lately decided) whose two records the
    reader may both see (the scope filters the persons)."""
    visible = select(Person.id)
    stmt = select(PossibleDuplicate).where(
        PossibleDuplicate.compartment == compartment,
        PossibleDuplicate.person_id.in_(visible), PossibleDuplicate.other_id.in_(visible))
    if decided:
        stmt = stmt.where(PossibleDuplicate.status != DuplicateStatus.OPEN).order_by(
            PossibleDuplicate.decided_at.desc())
    else:
        stmt = stmt.where(PossibleDuplicate.status == DuplicateStatus.OPEN).order_by(
            PossibleDuplicate.found_at, PossibleDuplicate.id)
    return list(db.session.scalars(stmt.limit(limit)))


def load_pair(pair_id: int) -> PossibleDuplicate | None:
    """The pair, if the reader may see both records; None otherwise."""
    pair = db.session.get(PossibleDuplicate, pair_id)
    if pair is None or db.session.get(Person, pair.person_id) is None or (
            db.session.get(Person, pair.other_id) is None):
        return None
    return pair


def _references() -> list[tuple]:
    """Every (table, column) that points at a person, found from the schema itself, so a
    compartment's own tables are covered without the kernel naming them."""
    persons = Person.__table__
    found = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column is persons.c.id and (table.name, fk.parent.name) not in _NOT_USES:
                found.append((table, fk.parent))
    return found


def _uses(person_id: int) -> int:
    with scope.unscoped("count every reference to a person, to know if a merge was used"):
        return sum(db.session.execute(select(func.count()).select_from(table)
                                      .where(column == person_id)).scalar_one()
                   for table, column in _references())


def _decide(pair: PossibleDuplicate, actor, version: int | None, reason: str,
            status: DuplicateStatus) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) < 10:
        raise DuplicateError(_("Say why, in a sentence."), "reason")
    if version is not None and version != pair.version:
        raise StaleRecord()
    if pair.status is not DuplicateStatus.OPEN:
        raise DuplicateError(_("This pair was decided already."))
    pair.status, pair.decided_at, pair.decided_by_id = status, utcnow(), actor.id
    pair.reason = reason
    return reason


def not_the_same(pair: PossibleDuplicate, actor, reason: str, version: int | None = None
                 ) -> None:
    reason = _decide(pair, actor, version, reason, DuplicateStatus.NOT_SAME)
    db.session.flush()
    audit.record("person.not_duplicate", object_type=f"{pair.compartment}_person",
                 object_id=pair.person_id, actor=actor, reason=reason,
                 details={"other": pair.other_id})


def merge(pair: PossibleDuplicate, actor, reason: str, version: int | None = None) -> None:
    """Move every reference from the later record to the kept one; the later one stays, empty,
    marked as merged, so the merge can be undone."""
    reason = _decide(pair, actor, version, reason, DuplicateStatus.MERGED)
    merged, kept = pair.person_id, pair.other_id
    moved = []
    with scope.unscoped("a merge moves every reference, the reader's and others'"):
        for table, column in _references():
            key = list(table.primary_key.columns)
            for row in db.session.execute(select(table).where(column == merged)).mappings():
                where = [c == row[c.name] for c in key]
                try:
                    with db.session.begin_nested():
                        db.session.execute(update(table).where(*where).values(
                            {column.name: kept}))
                    action = "moved"
                except IntegrityError:  # the kept record has it already (same request, ...)
                    db.session.execute(delete(table).where(*where))
                    action = "dropped"
                moved.append({"table": table.name, "column": column.name, "action": action,
                              "row": {k: _plain(v) for k, v in row.items()}})
        db.session.execute(update(Person.__table__).where(Person.__table__.c.id == merged)
                           .values(merged_into_id=kept))
    pair.moved = json.dumps(moved)
    db.session.flush()
    pair.kept_uses = _uses(kept)
    db.session.flush()
    audit.record("person.merged", object_type=f"{pair.compartment}_person", object_id=merged,
                 actor=actor, reason=reason, details={"into": kept, "references": len(moved)})


def can_undo(pair: PossibleDuplicate) -> bool:
    """Until the kept record is used again (a new request, party, name or number on it)."""
    return (pair.status is DuplicateStatus.MERGED and pair.kept_uses is not None
            and _uses(pair.other_id) == pair.kept_uses)


def undo(pair: PossibleDuplicate, actor, reason: str, version: int | None = None) -> None:
    if version is not None and version != pair.version:
        raise StaleRecord()
    if not can_undo(pair):
        raise DuplicateError(_("The kept record has been used since the merge: undo it by hand."))
    reason = " ".join((reason or "").split())
    if len(reason) < 10:
        raise DuplicateError(_("Say why, in a sentence."), "reason")
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    with scope.unscoped("undoing a merge puts every reference back"):
        for entry in reversed(json.loads(pair.moved or "[]")):
            table, row = tables[entry["table"]], dict(entry["row"])
            if entry["action"] == "dropped":
                db.session.execute(insert(table).values(_typed(table, row)))
                continue
            now = dict(row, **{entry["column"]: pair.other_id})
            where = [c == _typed(table, now)[c.name] for c in table.primary_key.columns]
            db.session.execute(update(table).where(*where).values(
                {entry["column"]: pair.person_id}))
        db.session.execute(update(Person.__table__)
                           .where(Person.__table__.c.id == pair.person_id)
                           .values(merged_into_id=None))
    pair.status, pair.decided_at, pair.decided_by_id = DuplicateStatus.UNDONE, utcnow(), actor.id
    pair.reason = f"{pair.reason} | undone: {reason}"
    db.session.flush()
    audit.record("person.merge_undone", object_type=f"{pair.compartment}_person",
                 object_id=pair.person_id, actor=actor, reason=reason,
                 details={"into": pair.other_id})


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value.value if hasattr(value, "value") else value


def _typed(table, row: dict) -> dict:
    """A row read back from JSON, with its values as the table's columns expect."""
    out = {}
    for name, value in row.items():
        column = table.c[name]
        try:
            wanted = column.type.python_type
        except NotImplementedError:
            wanted = None
        if isinstance(value, str) and wanted in (datetime, date):
            value = wanted.fromisoformat(value)
        out[name] = value
    return out
