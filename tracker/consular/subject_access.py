"""Subject access (GDPR art. 15): everything the embassy holds about a consular person, as a
ZIP of `data.json` and `export.pdf`, after a manager's approval.

An officer or manager asks for the export with the citizen's request as the reason; a manager
who did not ask approves or refuses it; then the one who asked, or the manager who approved,
downloads it. Every step and the download are audited. The export is read through the
downloader's own scope like any other read: requests they may not read are left out. Other
persons named in it are marked for review before it is sent. Police data is never in it: only
consular persons and consular requests are read.
"""
from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from tracker.audit import service as audit
from tracker.audit.models import AuditEvent
from tracker.auth.models import Role, User
from tracker.cases.models import Attachment, JournalNote, NoteKind, TimelineEvent
from tracker.consular.models import (
    ConsularRequest,
    SubjectAccessRequest,
    SubjectAccessStatus,
    request_subjects,
)
from tracker.consular.workflow import Status
from tracker.db import utcnow
from tracker.domain import FieldError, too_long
from tracker.extensions import db
from tracker.people.models import Compartment, Person, PersonRelation

MIN_REASON = 10
OBJECT_TYPE = "subject_access_request"


class SubjectAccessError(FieldError):
    """A rule of subject access was broken (the message says which)."""


def requests_of(person: Person) -> tuple[list[ConsularRequest], list[ConsularRequest]]:
    """The readable requests about the person, and those the person reported (not the
    anonymised ones: they no longer say who they were about)."""
    readable = select(ConsularRequest).where(ConsularRequest.anonymised_at.is_(None))
    about = db.session.scalars(
        readable.where(ConsularRequest.id.in_(
            select(request_subjects.c.request_id)
            .where(request_subjects.c.person_id == person.id)))
        .order_by(ConsularRequest.opened_at.desc())).all()
    reported = db.session.scalars(readable.where(ConsularRequest.requester_id == person.id)
                                  .order_by(ConsularRequest.opened_at.desc())).all()
    return list(about), list(reported)


# --- the steps ------------------------------------------------------------------------------


def ask(person: Person, reason: str, actor: User) -> SubjectAccessRequest:
    """Ask for an export of a consular person's data (flushed, audited)."""
    if person.compartment is not Compartment.CONSULAR:
        raise SubjectAccessError(_("Only a consular person's data can be exported here."))
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        raise SubjectAccessError(_(
            "Give the citizen's request (at least %(count)d characters): its date, reference "
            "or how it came in.", count=MIN_REASON), "reason")
    if len(reason) > 2000:
        raise SubjectAccessError(too_long(2000, len(reason)), "reason")
    asked = SubjectAccessRequest(person=person, asked_by=actor, reason=reason)
    db.session.add(asked)
    db.session.flush()
    audit.record("subject_access.asked", object_type=OBJECT_TYPE, object_id=asked.id,
                 actor=actor, reason=reason, details={"person": person.id})
    return asked


def may_decide(asked: SubjectAccessRequest, user: User) -> bool:
    """A manager who did not ask, while the request waits."""
    return (user.role is Role.MANAGER and user.id != asked.asked_by_id
            and asked.status is SubjectAccessStatus.PENDING)


def decide(asked: SubjectAccessRequest, approve: bool, note: str, actor: User) -> None:
    """Approve or refuse the export (flushed, audited); never by the one who asked."""
    if actor.id == asked.asked_by_id:
        raise SubjectAccessError(_("You asked for this export: another manager decides it."),
                                 status=403)
    if actor.role is not Role.MANAGER:
        raise SubjectAccessError(_("Only a manager decides an export."), status=403)
    if asked.status is not SubjectAccessStatus.PENDING:
        raise SubjectAccessError(_("This export was decided already."), status=409)
    asked.status = SubjectAccessStatus.APPROVED if approve else SubjectAccessStatus.REFUSED
    asked.decided_by = actor
    asked.decided_at = utcnow()
    asked.decision_note = " ".join(note.split())
    db.session.flush()
    audit.record("subject_access.approved" if approve else "subject_access.refused",
                 object_type=OBJECT_TYPE, object_id=asked.id, actor=actor,
                 reason=asked.decision_note, details={"person": asked.person_id})


def may_download(asked: SubjectAccessRequest, user: User) -> bool:
    return user.id in (asked.asked_by_id, asked.decided_by_id)


def download(asked: SubjectAccessRequest, actor: User) -> bytes:
    """The ZIP, once approved, for the one who asked or the manager who approved (audited)."""
    if asked.status not in (SubjectAccessStatus.APPROVED, SubjectAccessStatus.DOWNLOADED):
        raise SubjectAccessError(_("The export can be downloaded once a manager has approved "
                                   "it."), status=403)
    if not may_download(asked, actor):
        raise SubjectAccessError(_("Only the one who asked or the manager who approved may "
                                   "download the export."), status=403)
    data = collect(asked.person, actor)
    archive = to_zip(data)
    asked.status = SubjectAccessStatus.DOWNLOADED
    asked.downloaded_at = utcnow()
    db.session.flush()
    audit.record("subject_access.downloaded", object_type=OBJECT_TYPE, object_id=asked.id,
                 actor=actor, details={"person": asked.person_id,
                                       "requests": [r["reference"] for r in data["requests"]]})
    audit.record("consular_person.viewed", object_type="consular_person",
                 object_id=asked.person_id, actor=actor,
                 details={"through": "subject-access export"})
    return archive


def pending() -> list[SubjectAccessRequest]:
    """The exports waiting for a decision, of persons the reader may see (the scope applies
    to the joined person)."""
    return list(db.session.scalars(
        select(SubjectAccessRequest).join(Person, SubjectAccessRequest.person_id == Person.id)
        .where(SubjectAccessRequest.status == SubjectAccessStatus.PENDING)
        .order_by(SubjectAccessRequest.asked_at)))


def of_person(person: Person) -> list[SubjectAccessRequest]:
    return list(db.session.scalars(
        select(SubjectAccessRequest).where(SubjectAccessRequest.person_id == person.id)
        .order_by(SubjectAccessRequest.id.desc())))


# --- the export -----------------------------------------------------------------------------

THIRD_PARTY = "third party: review before sending"


def _third_party(name: str) -> dict:
    return {"name": name, "mark": THIRD_PARTY}


def _at(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _named_in(text: str, others: dict[int, str]) -> list[dict]:
    folded = (text or "").casefold()
    return [_third_party(name) for name in others.values() if name.casefold() in folded]


def collect(person: Person, reader: User) -> dict:
    """Everything held about the person that the reader may read, as plain data."""
    about, reported = requests_of(person)
    seen = {r.id: r for r in [*about, *reported]}
    others: dict[int, str] = {}
    for request_ in seen.values():
        for other in [*request_.subjects, *([request_.requester] if request_.requester else [])]:
            if other.id != person.id:
                others[other.id] = other.full_name
    incoming = db.session.scalars(select(PersonRelation).where(
        PersonRelation.related_id == person.id)).all()
    relations = (
        [{"relation": str(r.kind.label), "direction": "this person is", "of": _third_party(
            r.related.full_name)} for r in person.relations]
        + [{"relation": str(r.kind.label), "direction": "is related to this person as",
            "who": _third_party(r.person.full_name)} for r in incoming])
    for r in person.relations:
        others.setdefault(r.related_id, r.related.full_name)
    for r in incoming:
        others.setdefault(r.person_id, r.person.full_name)
    requests = [_request(r, person, others, "subject" if r in about else "requester")
                for r in seen.values()]
    return {
        "produced_at": _at(utcnow()),
        "produced_by": reader.display_name,
        "third_party_mark": THIRD_PARTY,
        "person": {
            "name": person.full_name,
            "other_spellings": [n.name for n in person.other_names],
            "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
            "sex": str(person.sex.label) if person.sex else None,
            "nationality": (str(person.nationality.label) if person.nationality else None),
            "other_nationality": person.other_nationality,
            "identity_numbers": [{"kind": str(i.kind.label), "number": i.shown,
                                  "country": i.country} for i in person.identifiers],
            "phone": person.phone, "email": person.email, "address": person.address,
            "recorded_at": _at(person.created_at),
        },
        "relations": relations,
        "requests": requests,
        "access_log": _access_log(person, [r.reference for r in seen.values()]),
    }


def _request(case: ConsularRequest, person: Person, others: dict[int, str], role: str) -> dict:
    notes = db.session.scalars(select(JournalNote).where(JournalNote.case_id == case.id)
                               .order_by(JournalNote.at, JournalNote.id)).all()
    entries = db.session.scalars(select(TimelineEvent).where(TimelineEvent.case_id == case.id)
                                 .order_by(TimelineEvent.at, TimelineEvent.id)).all()
    documents = db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)
                                   .order_by(Attachment.uploaded_at)).all()
    return {
        "reference": case.reference,
        "this_person_is": role,
        "category": str(case.category.label),
        "status": str(Status(case.status).label),
        "summary": case.summary,
        "description": case.description,
        "office": case.office.name,
        "opened_at": _at(case.opened_at),
        "closed_at": _at(case.closed_at),
        "co_subjects": [_third_party(p.full_name) for p in case.subjects if p.id != person.id],
        "requester": (None if case.requester is None else
                      {"name": person.full_name} if case.requester_id == person.id else
                      _third_party(case.requester.full_name)),
        "notes": [{"at": _at(n.at), "by": n.author.display_name,
                   "kind": "contact" if n.kind is NoteKind.CONTACT else "note",
                   "text": n.text,
                   "contact_with": (_third_party(n.contact_with) if n.contact_with else None),
                   "names_third_parties": _named_in(n.text, others)}
                  for n in notes],
        "timeline": [{"at": _at(e.at), "kind": str(e.kind),
                      "by": e.actor.display_name if e.actor else None,
                      "from_status": e.from_status, "to_status": e.to_status,
                      "comment": e.comment} for e in entries],
        "documents": [{"name": d.filename, "added_at": _at(d.uploaded_at),
                       "removed_at": _at(d.removed_at)} for d in documents],
    }


def _access_log(person: Person, references: list[str]) -> list[dict]:
    """Who read or changed the person's data and when: the audit rows about the person and
    about the requests in the export."""
    about = [and_(AuditEvent.object_type == "consular_person",
                  AuditEvent.object_id == str(person.id))]
    if references:
        about.append(and_(AuditEvent.object_type == "consular_request",
                          AuditEvent.object_id.in_(references)))
    rows = db.session.execute(
        select(AuditEvent.at, AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id,
               AuditEvent.actor_email,
               User.display_name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(or_(*about)).order_by(AuditEvent.at, AuditEvent.id)).all()
    return [{"at": _at(r.at), "who": r.display_name or r.actor_email, "action": r.action,
             "about": r.object_id if r.object_type == "consular_request" else "person"}
            for r in rows]


def to_zip(data: dict) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=render_template("consular/subject_access_pdf.html", data=data)
               ).write_pdf()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("export.pdf", pdf)
    return out.getvalue()
