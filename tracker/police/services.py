"""Liaison case rules: opening, parties, exchanges, notices, restriction, links, export."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage
from flask_babel import gettext as _

from tracker.audit import service as audit
from tracker.auth.models import Role, User
from tracker.cases import documents, links, registry, workflow
from tracker.cases.checks import Checks
from tracker.cases.links import ConsularLink
from tracker.cases.workflow import move  # noqa: F401  (re-exported: services.move)
from tracker.cases.clock import office_today
from tracker.cases.models import CaseKind, Priority, TimelineEvent, TimelineKind
from tracker.cases.references import next_reference, parse_reference
from tracker.db import utcnow
from tracker.extensions import db
from tracker.i18n import record_language
from tracker.notifications.models import NotificationKind
from tracker.notifications.service import notify
from tracker.people.models import Compartment, Person
from tracker.police import access
from tracker.police.categories import (
    Counterpart,
    Direction,
    ExchangeChannel,
    HandlingCode,
    InformationGrade,
    NordicCountry,
    NoticeColour,
    PartyRole,
    PoliceCategory,
    SourceGrade,
)
from tracker.police.models import (
    BreakGlass,
    CaseParty,
    Exchange,
    InterpolNotice,
    LiaisonCase,
)
from tracker.domain import FieldError, Problems, StaleRecord
from tracker.search import service as search
from tracker.search.models import PoliceSearchEntry
from tracker.search.highlight import mark_all

REFERENCE_PREFIX = "POL"
REFERENCE_DIGITS = 4
MAX_ID = 2**31 - 1  # the largest row id: a bigger number names nothing (and overflows)


class CaseError(FieldError):
    """A liaison case rule was broken."""


class StaleCase(StaleRecord):
    """The case was saved by someone else after the form was opened."""


_check = Checks(CaseError)
_choice, _text = _check.choice, _check.text


@dataclass
class CaseInput:
    title: str
    category: str
    country: str
    requesting_agency: str
    counterpart: str
    priority: str = "routine"
    agency_reference: str | None = None
    operation_name: str | None = None
    counterpart_reference: str | None = None
    fir_number: str | None = None
    description: str = ""


def _checked(data: CaseInput) -> dict:
    return {
        "summary": _text(data.title, "title", 200, required=True,
                         message=_("Give the case a title.")),
        "category": _choice(PoliceCategory, data.category, "category"),
        "country": _choice(NordicCountry, data.country, "country",
                           _("Choose the Nordic country the case is handled for.")),
        "requesting_agency": _text(data.requesting_agency, "requesting_agency", 120,
                                   required=True, message=_("Name the requesting agency.")),
        "agency_reference": _text(data.agency_reference, "agency_reference", 80),
        "operation_name": _text(data.operation_name, "operation_name", 120),
        "counterpart": _choice(Counterpart, data.counterpart, "counterpart"),
        "counterpart_reference": _text(data.counterpart_reference, "counterpart_reference", 80),
        "fir_number": _text(data.fir_number, "fir_number", 80),
        "priority": _choice(Priority, data.priority, "priority"),
        "description": _text(data.description, "description", 50_000) or "",
    }


def open_case(actor: User, data: CaseInput) -> LiaisonCase:
    """Open a liaison case with a POL-YEAR-NNNN reference."""
    fields = _checked(data)
    now = utcnow()
    year = office_today(actor.office.time_zone, now).year
    case = LiaisonCase(reference=next_reference(REFERENCE_PREFIX, year, digits=REFERENCE_DIGITS),
                       office=actor.office, created_by_id=actor.id, assigned_to=actor,
                       opened_at=now, **fields)
    db.session.add(case)
    workflow.start(case, actor, at=now)
    db.session.flush()
    audit.record("liaison_case.opened", object_type="liaison_case", object_id=case.reference,
                 actor=actor, details={"category": case.category.value,
                                       "country": case.country.value})
    db.session.flush()
    return case


def update_case(case: LiaisonCase, actor: User, data: CaseInput, version: int | None
                ) -> LiaisonCase:
    if version is None or version != case.version:
        raise StaleCase(current=case)
    fields = _checked(data)
    changed = [name for name, value in fields.items() if getattr(case, name) != value]
    for name in changed:
        setattr(case, name, fields[name])
    if changed:
        db.session.add(TimelineEvent(case_id=case.id, actor=actor, kind=TimelineKind.EDITED,
                                     comment=", ".join(n.replace("_", " ") for n in changed)))
        audit.record("liaison_case.edited", object_type="liaison_case",
                     object_id=case.reference, actor=actor, details={"fields": changed})
        db.session.flush()
    return case


def add_party(case: LiaisonCase, actor: User, person: Person, role: str) -> CaseParty:
    """Involve a police person in the case in a role."""
    if person.compartment is not Compartment.POLICE:
        raise CaseError(_("Unknown person."), "person")
    role = _choice(PartyRole, role, "role")
    if any(p.person_id == person.id and p.role is role for p in case.parties):
        raise CaseError(_("This person is already in the case in this role."), "role")
    party = CaseParty(case=case, person=person, role=role)
    db.session.add(party)
    with record_language():  # the timeline keeps its words as written
        comment = f"{role.label}: {person.full_name}"
    db.session.add(TimelineEvent(case_id=case.id, actor=actor, kind=TimelineKind.EDITED,
                                 comment=comment))
    audit.record("liaison_case.party_added", object_type="liaison_case",
                 object_id=case.reference, actor=actor,
                 details={"person": person.id, "role": role.value})
    db.session.flush()
    return party


@dataclass
class ExchangeInput:
    exchanged_on: date | None
    direction: str
    channel: str
    counterpart: str
    summary: str
    handling_code: str
    restriction: str | None = None
    source_grade: str | None = None
    information_grade: str | None = None


def check_exchange(actor: User, data: ExchangeInput) -> dict:
    """The exchange's values, checked; CaseError carrying every rule broken (nothing saved)."""
    problems, values = Problems(), {}
    with problems.check():
        values["handling_code"] = _choice(HandlingCode, data.handling_code, "handling_code",
                                          _("Every exchange carries a handling code (H0 to H3)."))
    with problems.check():
        restriction = _text(data.restriction, "restriction", 2000)
        if values.get("handling_code") is HandlingCode.H3 and not restriction:
            raise CaseError(_("State the H3 restriction."), "restriction")
        values["restriction"] = restriction if values.get("handling_code") is HandlingCode.H3 \
            else None
    with problems.check():
        today = office_today(actor.office.time_zone, utcnow())
        values["exchanged_on"] = data.exchanged_on or today
        if values["exchanged_on"] > today:
            raise CaseError(_("The date is in the future."), "exchanged_on")
    with problems.check():
        source = _choice(SourceGrade, data.source_grade, "source_grade") \
            if data.source_grade else None
        information = _choice(InformationGrade, data.information_grade, "information_grade") \
            if data.information_grade else None
        if (source is None) != (information is None):
            raise CaseError(_("Grade both the source and the information (4x4), or neither."),
                            "source_grade" if source is None else "information_grade")
        values.update(source_grade=source, information_grade=information)
    with problems.check():
        values["direction"] = _choice(Direction, data.direction, "direction")
    with problems.check():
        values["channel"] = _choice(ExchangeChannel, data.channel, "channel")
    with problems.check():
        values["counterpart"] = _text(data.counterpart, "counterpart", 200, required=True,
                                      message=_("Say who it was exchanged with."))
    with problems.check():
        values["summary"] = _text(data.summary, "summary", 20_000, required=True,
                                  message=_("Summarise the message."))
    problems.raise_all()
    return values


def add_exchange(case: LiaisonCase, actor: User, data: ExchangeInput,
                 document: FileStorage | None = None) -> Exchange:
    """Log a message exchanged with a counterpart, with its handling code and grading.

    With a document, both are saved or neither: a file that is not what it says refuses the
    exchange too (CaseError on "document"), so that sending the form again logs it once.
    """
    exchange = Exchange(case=case, created_by_id=actor.id, **check_exchange(actor, data))
    code = exchange.handling_code
    db.session.add(exchange)
    db.session.flush()
    db.session.add(TimelineEvent(case_id=case.id, actor=actor, kind=TimelineKind.CONTACT,
                                 comment=f"Exchange {exchange.direction.value} "
                                         f"({exchange.handling_code.value})"))
    audit.record("liaison_case.exchange_added", object_type="liaison_case",
                 object_id=case.reference, actor=actor,
                 details={"exchange": exchange.id, "code": code.value})
    if document is not None and document.filename:
        try:
            # One unit of work: the exchange is saved with its document, or neither is.
            attachment = documents.add_document(case, actor, document)
        except documents.DocumentError as exc:
            raise CaseError(str(exc), "document", status=exc.status) from exc
        exchange.documents.append(attachment)
    db.session.flush()
    return exchange


def wake_held_cases(now: datetime | None = None) -> list[str]:
    """Return to work every case awaiting the counterpart whose hold date has come.

    Idempotent; meant for the daily job beside the consular one (`flask cases wake`).
    """
    woken = registry.wake_held(access.CASE_TYPE, now)
    db.session.flush()
    return woken


def add_notice(case: LiaisonCase, actor: User, colour: str, number: str) -> InterpolNotice:
    notice = InterpolNotice(case=case, colour=_choice(NoticeColour, colour, "colour"),
                            number=_text(number, "number", 40, required=True,
                                         message=_("Give the notice or diffusion number.")))
    db.session.add(notice)
    audit.record("liaison_case.notice_added", object_type="liaison_case",
                 object_id=case.reference, actor=actor,
                 details={"colour": notice.colour.value, "number": notice.number})
    db.session.flush()
    return notice


def set_restriction(case: LiaisonCase, actor: User, restricted: bool, officer_ids: list[int]
                    ) -> None:
    """Restrict the case to named liaison officers (the actor stays named), or lift it."""
    ids = {i for i in officer_ids if 0 < i <= MAX_ID} | {actor.id}  # no id is bigger
    officers = list(db.session.scalars(select(User).where(
        User.id.in_(ids), User.role == Role.POLICE_LIAISON_OFFICER,
        User.active.is_(True))))
    case.restricted = restricted
    case.named_officers = officers if restricted else []
    audit.record("liaison_case.restriction_set", object_type="liaison_case",
                 object_id=case.reference, actor=actor,
                 details={"restricted": restricted, "officers": [o.email for o in officers]
                          if restricted else []})
    db.session.flush()


def break_glass(case: LiaisonCase, actor: User, reason: str) -> BreakGlass:
    """Open a restricted case one is not named on: the reason is logged and shown."""
    reason = _text(reason, "reason", 2000, required=True,
                   message=_("Say why you need to open this restricted case."))
    if len(reason) < 10:
        raise CaseError(_("Say why, in a sentence."), "reason")
    entry = BreakGlass(case_id=case.id, user_id=actor.id, reason=reason)
    db.session.add(entry)
    # On the timeline too, so the officers named on the case see who opened it and why.
    db.session.add(TimelineEvent(case_id=case.id, actor=actor, kind=TimelineKind.BREAK_GLASS,
                                 comment=reason))
    audit.record("liaison_case.break_glass", object_type="liaison_case",
                 object_id=case.reference, actor=actor, reason=reason)
    db.session.flush()
    notify(NotificationKind.BREAK_GLASS, case.named_officers, case, actor=actor)
    return entry


def link_consular(case: LiaisonCase, actor: User, reference: str) -> ConsularLink:
    """Link a consular request (by its reference); the consular side learns nothing of it."""
    link = links.link_consular_request(case, actor, reference)
    db.session.flush()
    return link


def share_link(link: ConsularLink, actor: User) -> None:
    """Tell the consular side only that the liaison officer is involved."""
    if link.shared_at is None:
        link.shared_at, link.shared_by_id = utcnow(), actor.id
        audit.record("liaison_case.consular_shared", object_type="liaison_case",
                     object_id=link.liaison_case.reference, actor=actor,
                     details={"request": link.consular_request.reference})
        db.session.flush()


def shareable_exchanges(case: LiaisonCase) -> tuple[list[Exchange], int]:
    """Exchanges that may leave the compartment (never H2), and how many were held back."""
    allowed = [e for e in case.exchanges if e.handling_code.may_leave_compartment]
    return allowed, len(case.exchanges) - len(allowed)


SEARCH = search.SearchSpec(
    kind=CaseKind.LIAISON_CASE, model=LiaisonCase, entries=PoliceSearchEntry,
    compartment=Compartment.POLICE, digits=REFERENCE_DIGITS, prefixes=lambda: [REFERENCE_PREFIX],
    cases_of_persons=lambda ids: [LiaisonCase.id.in_(
        select(CaseParty.case_id).where(CaseParty.person_id.in_(ids)))],
    persons_of=lambda case: [party.person for party in case.parties],
    load_options=lambda: (selectinload(LiaisonCase.named_officers),
                          selectinload(LiaisonCase.parties).selectinload(CaseParty.person)
                          .selectinload(Person.identifiers),
                          selectinload(LiaisonCase.parties).selectinload(CaseParty.person)
                          .selectinload(Person.other_names)))


def search_results(text: str, limit: int = 50) -> list[search.Result]:
    """By reference or a part of it, a party's identifier or name (police persons only), or
    words of the title, details (operation, agency and counterpart references), notes,
    contacts, document names and exchanges, among the cases the reader may open; best first.

    A restricted case the reader may not open is found by its exact reference only, so that
    an officer who holds the reference can ask to break the glass.
    """
    found = search.search(SEARCH, text, limit)
    reference = parse_reference(search.clean(text), REFERENCE_DIGITS)
    if not found and reference:
        closed = access.restricted_by_reference(reference)
        if closed is not None:
            found = [search.Result(closed, (search.REFERENCE, 0),
                                   [search.Hit("reference", mark_all(closed.reference))])]
    return found


def find_cases(text: str, limit: int = 50) -> list[LiaisonCase]:
    """The cases of `search_results`, without the marks."""
    return [result.case for result in search_results(text, limit)]