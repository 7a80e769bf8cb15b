"""Retention: find the closed cases whose period has run out and anonymise them, one by one.

What goes (`anonymise_case`): names, identifiers, contact details, addresses, birth dates (cut
to the first day of their quarter), and every free text of the case: summary and description,
what it waited for, notes and contacts, step comments and details, documents (their files and
names), exchanges' counterparts and texts, INTERPOL notice numbers, break-glass and hold
reasons, the agencies' references, the place of the event, and the case's search entries.
What stays is what the monthly report counts: kind, category and sub-category, office,
channel, priority, dates, statuses, outcomes, the Nordic country, exchanges' dates and
directions, and who the case was about as anonymous persons (so "persons helped" and
"children" count the same). The audit log is not touched: it is append-only and chained.

Persons: one whose every case is anonymised (and who is no relative of someone with a live
case) keeps only an empty record while an anonymised case names them (the report counts distinct persons); one named on no case any more (a
requester, a relative, a record merged into another) is removed with their names, numbers and
relations. A person who still has a case that is not anonymised keeps their record and the
anonymised case keeps naming it, so that a month's "persons helped" stays the same; pages do
not show the persons of an anonymised case, nor an anonymised case among a person's cases,
and the record is emptied when their last case is anonymised.

`anonymise_case` is the one function that does it: a retention run calls it per case, and a
later erasure on request can call it too. It flushes, never commits.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import String, and_, cast, delete, exists, func, literal, or_, select, update
from sqlalchemy import case as when

from tracker.audit import service as audit
from tracker.cases import documents, registry, scope
from tracker.cases.models import (
    Attachment,
    Case,
    CaseKind,
    JournalNote,
    LegalHold,
    TimelineEvent,
)
from tracker.consular.models import ConsularRequest, SubjectAccessRequest, request_subjects
from tracker.db import UTCDateTime, utcnow
from tracker.extensions import db
from tracker.people.models import (
    Compartment,
    Person,
    PersonCorrection,
    PersonIdentifier,
    PersonName,
    PersonRelation,
    PossibleDuplicate,
)
from tracker.police.models import BreakGlass, CaseParty, Exchange, InterpolNotice, LiaisonCase
from tracker.reports.sql import seconds_between
from tracker.retention.models import RetentionRule, RetentionRun
from tracker.search.models import PoliceSearchEntry, SearchEntry
from tracker.unit_of_work import after_commit, unit_of_work

CASES = Case.__table__
PERSONS = Person.__table__
PARTIES = CaseParty.__table__
REQUESTS = ConsularRequest.__table__
MODELS = {Compartment.CONSULAR: ConsularRequest, Compartment.POLICE: LiaisonCase}
KIND_OF = {Compartment.CONSULAR: CaseKind.CONSULAR_REQUEST,
           Compartment.POLICE: CaseKind.LIAISON_CASE}


class NotToBeAnonymised(RuntimeError):
    """The case is under a legal hold (or was anonymised already)."""


# --- when a case is due ---------------------------------------------------------------------


def years_before(moment: datetime, years: int) -> datetime:
    """The same moment `years` calendar years earlier (29 February becomes the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def years_after(moment: datetime, years: int) -> datetime:
    return years_before(moment, -years)


def _held():
    return exists(select(LegalHold.id).where(LegalHold.case_id == Case.id,
                                             LegalHold.lifted_at.is_(None)))


def _paused_seconds():
    """How long lifted holds stopped the clock of the case (correlated with cases)."""
    return (select(func.coalesce(func.sum(LegalHold.paused_seconds), 0))
            .where(LegalHold.case_id == Case.id, LegalHold.lifted_at.is_not(None))
            .scalar_subquery())


def due_statement(rule: RetentionRule, as_of: datetime, *columns):
    """The closed, not anonymised, not held cases of the rule's category whose period (plus
    the time holds stopped the clock) has run out by `as_of`."""
    model = MODELS[rule.compartment]
    cutoff = years_before(as_of, rule.years)
    return (select(*(columns or (model.id,)))
            .where(model.category == rule.category, Case.kind == KIND_OF[rule.compartment],
                   Case.closed_at.is_not(None), Case.closed_at < cutoff,
                   Case.anonymised_at.is_(None), ~_held(),
                   seconds_between(literal(cutoff, UTCDateTime()), Case.closed_at)
                   >= _paused_seconds())
            .order_by(Case.closed_at, Case.id)
            .correlate(None))  # whole on its own, also inside another query's IN (...)


def due_cases(as_of: datetime) -> list[tuple[RetentionRule, list[int]]]:
    """Per rule, the ids of the cases due by `as_of` (reads every case: call unscoped)."""
    from tracker.retention.rules import rules

    return [(rule, list(db.session.scalars(due_statement(rule, as_of)))) for rule in rules()]


def due_counts(as_of: datetime) -> dict[str, int]:
    """How many cases each rule finds due by `as_of` (an aggregate: reads unscoped)."""
    from tracker.retention.rules import rules

    with scope.unscoped("retention counts due cases of every office and compartment"):
        return {rule.key: db.session.scalar(
            select(func.count()).select_from(due_statement(rule, as_of).subquery()))
            for rule in rules()}


def held_counts() -> dict[Compartment, int]:
    """Cases under a legal hold per compartment (an aggregate: reads unscoped)."""
    with scope.unscoped("retention counts held cases of every compartment"):
        rows = db.session.execute(
            select(Case.kind, func.count()).where(_held()).group_by(Case.kind)).all()
    kinds = {kind: compartment for compartment, kind in KIND_OF.items()}
    return {kinds[CaseKind(kind)]: n for kind, n in rows}


def due_on(case: Case, years: int) -> datetime | None:
    """When a closed case falls due under a period of `years` (None while open or held)."""
    if case.closed_at is None or case.legal_hold is not None:
        return None
    paused = sum(h.paused_seconds for h in case.legal_holds if h.lifted_at is not None)
    return years_after(case.closed_at, years) + timedelta(seconds=paused)


# --- anonymising one case -------------------------------------------------------------------


@dataclass
class Anonymised:
    case_id: int
    persons_removed: int = 0
    persons_emptied: int = 0
    documents: int = 0


def anonymise_case(case: Case, *, why: str, actor=None) -> Anonymised:
    """Remove the personal data of one case and keep what the statistics count (see the
    module's docstring). Audited; document files go once the transaction commits. Flushes,
    never commits. Refuses a case under a legal hold."""
    with scope.unscoped("anonymising a case reaches every row that names it or its persons"):
        db.session.flush()
        if case.anonymised_at is not None or case.legal_hold is not None:
            raise NotToBeAnonymised(f"case {case.id} is anonymised already or held")
        now = utcnow()
        done = Anonymised(case.id)
        compartment = (Compartment.CONSULAR if case.kind == CaseKind.CONSULAR_REQUEST
                       else Compartment.POLICE)
        if compartment is Compartment.CONSULAR:
            named, others = _consular_content(case.id)
        else:
            named, others = _police_content(case.id)
        done.documents = _kernel_content(case.id, now)
        object_type = registry.case_type_of(case).object_type
        audit.record(f"{object_type}.anonymised", object_type=object_type,
                     object_id=case.reference, actor=actor, reason=why)
        settled: set[int] = set()
        for person_id in [*named, *others]:
            removed, emptied = _settle(person_id, settled)
            done.persons_removed += removed
            done.persons_emptied += emptied
        db.session.flush()
        db.session.expire_all()  # Core statements changed what the session holds
        return done


def _consular_content(case_id: int) -> tuple[list[int], list[int]]:
    """Blanks the request's own fields; (its subjects, its requester)."""
    subjects = list(db.session.scalars(select(request_subjects.c.person_id).where(
        request_subjects.c.request_id == case_id).order_by(request_subjects.c.person_id)))
    requester = db.session.scalar(select(REQUESTS.c.requester_id).where(REQUESTS.c.id == case_id))
    db.session.execute(update(REQUESTS).where(REQUESTS.c.id == case_id).values(
        requester_id=None, requester_relationship=None, place_of_event=None))
    return subjects, [requester] if requester else []


def _police_content(case_id: int) -> tuple[list[int], list[int]]:
    """Blanks the liaison case's own fields and what hangs off it; (its parties, none)."""
    parties = sorted(set(db.session.scalars(select(PARTIES.c.person_id).where(
        PARTIES.c.case_id == case_id))))
    db.session.execute(update(LiaisonCase.__table__).where(
        LiaisonCase.__table__.c.id == case_id).values(
        requesting_agency="", agency_reference=None, operation_name=None,
        counterpart_reference=None, fir_number=None))
    db.session.execute(delete(InterpolNotice.__table__).where(
        InterpolNotice.__table__.c.case_id == case_id))
    exchanges = Exchange.__table__
    db.session.execute(update(exchanges).where(exchanges.c.case_id == case_id).values(
        counterpart="", summary="",
        # An H3 exchange must state a restriction (a CHECK): an empty one.
        restriction=when((exchanges.c.handling_code == "H3", ""), else_=None)))
    db.session.execute(update(BreakGlass.__table__).where(
        BreakGlass.__table__.c.case_id == case_id).values(reason=""))
    return parties, []


def _kernel_content(case_id: int, now: datetime) -> int:
    """Blanks what every case has; the number of documents whose files go."""
    db.session.execute(update(CASES).where(CASES.c.id == case_id).values(
        summary="", description="", waiting_reason=None, anonymised_at=now,
        version=CASES.c.version + 1))
    db.session.execute(update(TimelineEvent.__table__).where(
        TimelineEvent.__table__.c.case_id == case_id).values(comment=None, detail=None))
    # Notes are never edited by officers (an ORM listener refuses it); retention is the one
    # exception, and goes around the listener on purpose with a Core statement.
    db.session.execute(update(JournalNote.__table__).where(
        JournalNote.__table__.c.case_id == case_id).values(text="", contact_with=None))
    attachments = Attachment.__table__
    stored = list(db.session.scalars(select(attachments.c.stored_name).where(
        attachments.c.case_id == case_id)))
    db.session.execute(update(attachments).where(attachments.c.case_id == case_id).values(
        filename="", sha256="", removal_reason=None,
        stored_name=literal("anonymised-") + cast(attachments.c.id, String),
        removed_at=func.coalesce(attachments.c.removed_at, literal(now, UTCDateTime()))))
    paths = [documents.storage_dir() / name for name in stored]
    after_commit(lambda: [path.unlink(missing_ok=True) for path in paths])
    db.session.execute(update(LegalHold.__table__).where(
        LegalHold.__table__.c.case_id == case_id).values(reason="", lift_reason=None))
    # The triggers replaced the entries with empty text; none is left at all.
    for entries in (SearchEntry.__table__, PoliceSearchEntry.__table__):
        db.session.execute(delete(entries).where(entries.c.case_id == case_id))
    return len(stored)


# --- persons --------------------------------------------------------------------------------


def _cases_naming(person_id: int, live_only: bool):
    """Clauses: the person is a subject, requester or party of a case (not anonymised)."""
    def case_alive(case_id_column):
        cases = CASES.alias()
        clause = cases.c.id == case_id_column
        if live_only:
            clause = and_(clause, cases.c.anonymised_at.is_(None))
        return exists(select(cases.c.id).where(clause))

    return or_(
        exists(select(request_subjects.c.request_id).where(
            request_subjects.c.person_id == person_id,
            case_alive(request_subjects.c.request_id))),
        exists(select(REQUESTS.c.id).where(REQUESTS.c.requester_id == person_id,
                                           case_alive(REQUESTS.c.id))),
        exists(select(PARTIES.c.id).where(PARTIES.c.person_id == person_id,
                                          case_alive(PARTIES.c.case_id))))


def _has_live_case(person_id: int) -> bool:
    return bool(db.session.scalar(select(_cases_naming(person_id, live_only=True))))


def _still_needed(person_id: int) -> bool:
    """On a live case, or a relative of someone who is (that person's file names them)."""
    if _has_live_case(person_id):
        return True
    relations = PersonRelation.__table__
    related = db.session.execute(select(relations.c.person_id, relations.c.related_id).where(
        or_(relations.c.person_id == person_id, relations.c.related_id == person_id))).all()
    return any(_has_live_case(other) for row in related for other in row if other != person_id)


def quarter_start(day: date | None) -> date | None:
    """The first day of the quarter a birth date falls in (what statistics may keep)."""
    return None if day is None else date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _settle(person_id: int, settled: set[int]) -> tuple[int, int]:
    """Empty or remove a person none of whose cases is live, and then those only they named
    (relatives, records merged into them); (removed, emptied)."""
    removed = emptied = 0
    waiting = [person_id]
    while waiting:
        pid = waiting.pop()
        if pid in settled:
            continue
        settled.add(pid)
        if _still_needed(pid):
            continue
        waiting += _forget_person(pid)
        if db.session.scalar(select(_cases_naming(pid, live_only=False))):
            row = db.session.execute(select(PERSONS.c.date_of_birth).where(
                PERSONS.c.id == pid)).one()
            db.session.execute(update(PERSONS).where(PERSONS.c.id == pid).values(
                full_name="", folded_name="", date_of_birth=quarter_start(row.date_of_birth),
                other_nationality=None, phone=None, email=None, address=None,
                version=PERSONS.c.version + 1))
            emptied += 1
        else:
            db.session.execute(delete(PERSONS).where(PERSONS.c.id == pid))
            removed += 1
    return removed, emptied


def _forget_person(pid: int) -> list[int]:
    """Deletes the person's other names, numbers, relations and duplicate pairs; the persons
    that were tied to them only through these (to settle next)."""
    relations = PersonRelation.__table__
    pairs = PossibleDuplicate.__table__
    related = db.session.execute(select(relations.c.person_id, relations.c.related_id).where(
        or_(relations.c.person_id == pid, relations.c.related_id == pid))).all()
    merged = list(db.session.scalars(select(PERSONS.c.id).where(PERSONS.c.merged_into_id == pid)))
    paired = db.session.execute(select(pairs.c.person_id, pairs.c.other_id).where(
        or_(pairs.c.person_id == pid, pairs.c.other_id == pid))).all()
    db.session.execute(delete(relations).where(
        or_(relations.c.person_id == pid, relations.c.related_id == pid)))
    db.session.execute(delete(pairs).where(or_(pairs.c.person_id == pid, pairs.c.other_id == pid)))
    db.session.execute(delete(PersonName.__table__).where(PersonName.__table__.c.person_id == pid))
    db.session.execute(delete(PersonCorrection.__table__).where(
        PersonCorrection.__table__.c.person_id == pid))
    db.session.execute(delete(SubjectAccessRequest.__table__).where(
        SubjectAccessRequest.__table__.c.person_id == pid))
    db.session.execute(delete(PersonIdentifier.__table__).where(
        PersonIdentifier.__table__.c.person_id == pid))
    db.session.execute(update(PERSONS).where(PERSONS.c.merged_into_id == pid).values(
        merged_into_id=None))
    db.session.execute(update(PERSONS).where(PERSONS.c.id == pid).values(merged_into_id=None))
    others = {p for row in related for p in row} | {p for row in paired for p in row}
    return sorted((others | set(merged)) - {pid})


# --- a run ----------------------------------------------------------------------------------

Progress = Callable[[str, int, int], None]  # (rule key, cases done, cases due in all)


def run(*, dry_run: bool = False, as_of: datetime | None = None,
        progress: Progress | None = None) -> RetentionRun:
    """Anonymise every case due by `as_of` (now), each in a transaction of its own, so that
    an interrupted run keeps what it did and the next run finishes the rest. The run is
    recorded with its counts per rule, and audited. A dry run only counts."""
    as_of = as_of or utcnow()
    with scope.unscoped("retention judges every closed case against its rule"):
        due = due_cases(as_of)
        total = sum(len(ids) for _, ids in due)
        with unit_of_work():
            record = RetentionRun(
                started_at=utcnow(), dry_run=dry_run, as_of=as_of, due=total,
                counts=json.dumps({rule.key: len(ids) if dry_run else 0 for rule, ids in due}))
            db.session.add(record)
            db.session.flush()
            audit.record("retention.run_started", object_type="retention_run",
                         object_id=record.id, details={"dry_run": dry_run, "due": total})
        run_id, done = record.id, 0
        for rule, ids in ([] if dry_run else due):
            for case_id in ids:
                with unit_of_work():
                    case = db.session.get(Case, case_id)
                    if case.anonymised_at is None and case.legal_hold is None:
                        result = anonymise_case(case, why=f"retention rule {rule.key}")
                        record = db.session.get(RetentionRun, run_id)
                        counts = record.per_rule
                        counts[rule.key] = counts.get(rule.key, 0) + 1
                        record.counts = json.dumps(counts)
                        record.anonymised += 1
                        record.persons_removed += result.persons_removed
                done += 1
                if progress is not None:
                    progress(rule.key, done, total)
        with unit_of_work():
            record = db.session.get(RetentionRun, run_id)
            record.finished_at = utcnow()
            audit.record("retention.run_finished", object_type="retention_run",
                         object_id=run_id, details={
                             "dry_run": dry_run, "due": total, "anonymised": record.anonymised,
                             "persons_removed": record.persons_removed,
                             "counts": record.per_rule})
    return record
