"""Consular rules: logging a request, editing, assigning, queues, search, enquiries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload
from flask_babel import gettext as _

from tracker.audit import service as audit
from tracker.auth.models import Office, Role, User
from tracker.cases import registry, workflow
from tracker.cases.checks import Checks
from tracker.cases.workflow import move  # noqa: F401  (re-exported: services.move)
from tracker.cases.clock import add_working_days, office_today
from tracker.cases.models import CaseKind, Priority, TimelineEvent, TimelineKind
from tracker.cases.references import next_reference
from tracker.consular import access
from tracker.consular.categories import Category, Channel
from tracker.consular.models import ConsularRequest, Enquiry, ServiceTarget, request_subjects
from tracker.consular.workflow import OPEN, Status
from tracker.db import utcnow
from tracker.extensions import db
from tracker.people.models import Compartment, Person
from tracker.domain import FieldError, StaleRecord
from tracker.search import service as search
from tracker.search.models import SearchEntry


class RequestError(FieldError):
    """A consular rule was broken."""


class StaleRequest(StaleRecord):
    """The request was saved by someone else after the form was opened."""


def target_days(category: Category) -> int:
    target = db.session.get(ServiceTarget, category)
    return target.working_days if target else category.info.default_target_days


_check = Checks(RequestError)
_choice, _text = _check.choice, _check.text


def _check_category(category: str, subcategory: str) -> tuple[Category, str]:
    category = _choice(Category, category, "category", _("Choose a category."))
    if subcategory not in category.info.subcategories:
        raise RequestError(_("Choose a kind of %(category)s request.",
                             category=category.label.lower()), "subcategory")
    return category, subcategory


def _check_text(summary: str, description: str) -> tuple[str, str]:
    summary = _text(summary, "summary", 200, required=True, message=_("Write a one-line summary."),
                    too_long=_("Keep the summary under 200 characters."))
    description = _text(description, "description", 50_000,
                        too_long=_("Keep the description under 50,000 characters."))
    return summary, description or ""


def _check_assignee(user_id: int | None, office: Office) -> User | None:
    if not user_id:
        return None
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None or not user.active or user.role is not Role.CONSULAR_OFFICER:
        raise RequestError(_("Choose an active consular officer."), "assigned_to")
    if not access.serves(user, office):
        raise RequestError(_("Choose an officer who serves %(office)s.", office=office.name),
                           "assigned_to")
    return user


@dataclass
class RequestInput:
    category: str
    subcategory: str
    priority: str
    channel: str
    summary: str
    description: str = ""
    assigned_to_id: int | None = None
    requester_relationship: str | None = None
    place_of_event: str | None = None


PLACE_LENGTH = 120


def _check_place(place: str | None) -> str | None:
    return _text(place, "place_of_event", PLACE_LENGTH,
                 too_long=_("Keep the place under %(limit)s characters.",
                           limit=PLACE_LENGTH)) or None


def create_request(actor: User, office: Office, data: RequestInput, subjects: list[Person],
                   requester: Person | None = None, *, opened_at: datetime | None = None,
                   enquiry: Enquiry | None = None) -> ConsularRequest:
    """Log a request: a reference, a due date from the category's target, the first event."""
    if not access.serves(actor, office):
        raise RequestError(_("You do not serve %(office)s: log the request for an office "
                             "you serve.", office=office.name), "office")
    category, subcategory = _check_category(data.category, data.subcategory)
    summary, description = _check_text(data.summary, data.description)
    priority = _choice(Priority, data.priority, "priority")
    channel = _choice(Channel, data.channel, "priority")
    place = _check_place(data.place_of_event)
    if not subjects:
        raise RequestError(_("Add the person the request is about."), "subject")
    for person in [*subjects, *([requester] if requester else [])]:
        if person.compartment is not Compartment.CONSULAR:
            raise RequestError(_("Unknown person."), "subject")
    assignee = _check_assignee(data.assigned_to_id, office)
    now = opened_at or utcnow()  # `opened_at` only when loading history
    request = ConsularRequest(
        reference=next_reference(office.code, office_today(office.time_zone, now).year),
        office=office, priority=priority, channel=channel, category=category,
        subcategory=subcategory, summary=summary, description=description,
        created_by_id=actor.id, assigned_to=assignee, opened_at=now,
        due_at=add_working_days(now, target_days(category), office.time_zone),
        subjects=list(dict.fromkeys(subjects)), requester=requester,
        requester_relationship=(data.requester_relationship or "").strip()[:80] or None,
        place_of_event=place,
    )
    db.session.add(request)
    workflow.start(request, actor, at=now)
    db.session.flush()
    if enquiry is not None:
        check_enquiry_to_follow(actor, enquiry)
        enquiry.became_request = request  # the enquiry stays counted; it now has a case too
    audit.record("consular_request.created", object_type="consular_request",
                 object_id=request.reference, actor=actor,
                 details={"category": category.value, "office": office.code,
                          **({"enquiry": enquiry.id} if enquiry is not None else {})})
    db.session.flush()
    return request


EDITABLE = ("priority", "summary", "description", "subcategory", "place_of_event")


def update_request(request: ConsularRequest, actor: User, *, version: int | None,
                   priority: str, summary: str, description: str, subcategory: str,
                   place_of_event: str | None = None) -> ConsularRequest:
    """Edit the request's text, priority and place; a stale version raises StaleRequest."""
    if version is None or version != request.version:
        raise StaleRequest(current=request)
    _, subcategory = _check_category(request.category, subcategory)
    summary, description = _check_text(summary, description)
    priority = _choice(Priority, priority, "priority")
    place = _check_place(place_of_event)
    changes = {}
    for name, new in (("priority", priority), ("summary", summary),
                      ("description", description), ("subcategory", subcategory),
                      ("place_of_event", place)):
        if getattr(request, name) != new:
            changes[name] = {"from": str(getattr(request, name)), "to": str(new)}
            setattr(request, name, new)
    if changes:
        db.session.add(TimelineEvent(case_id=request.id, actor=actor, kind=TimelineKind.EDITED,
                                     comment=", ".join(changes)))
        audit.record("consular_request.edited", object_type="consular_request",
                     object_id=request.reference, actor=actor,
                     details={k: v for k, v in changes.items()
                              if k not in ("description", "place_of_event")})
        db.session.flush()  # the version check in the UPDATE catches a concurrent save
    return request


def wake_held_requests(now: datetime | None = None) -> list[str]:
    """Return to work every waiting request whose hold date has come (idempotent)."""
    woken = registry.wake_held(access.CASE_TYPE, now)
    db.session.flush()
    return woken


# --- finding requests -----------------------------------------------------------------------


def overdue_clause(now: datetime):
    """Open, not waiting (its clock is paused), and past its due date."""
    return and_(ConsularRequest.status.in_([s.value for s in OPEN if s != Status.WAITING]),
                ConsularRequest.due_at < now)


@dataclass
class RequestFilter:
    status: str | None = None
    category: str | None = None
    office_id: int | None = None
    priority: str | None = None
    assigned_to_id: int | None = None
    unassigned: bool = False
    overdue: bool = False
    open_only: bool = False
    opened_from: date | None = None
    opened_to: date | None = None


SORTS = {
    "newest": (ConsularRequest.opened_at.desc(), ConsularRequest.id.desc()),
    "oldest": (ConsularRequest.opened_at.asc(), ConsularRequest.id.asc()),
    "due": (ConsularRequest.due_at.asc(), ConsularRequest.id.asc()),
}


def request_list(user: User, flt: RequestFilter, *, sort: str = "newest",
                 after: tuple | None = None, page_size: int = 50) -> Select:
    """The filtered, sorted list the user may read; `after` is the last row's sort key."""
    stmt = filtered_requests(user, flt)
    order = SORTS.get(sort, SORTS["newest"])
    if after is not None:
        key_column = order[0].element
        if sort == "newest":
            stmt = stmt.where(or_(key_column < after[0],
                                  and_(key_column == after[0], ConsularRequest.id < after[1])))
        else:
            stmt = stmt.where(or_(key_column > after[0],
                                  and_(key_column == after[0], ConsularRequest.id > after[1])))
    return (stmt.order_by(*order).limit(page_size + 1)
            .options(selectinload(ConsularRequest.subjects),
                     selectinload(ConsularRequest.assigned_to)))


def filtered_requests(user: User, flt: RequestFilter) -> Select:
    """The requests the filter selects, unsorted (the data layer adds the reader's scope):
    the list's rows and a saved view's count come from this one query."""
    now = utcnow()
    stmt = select(ConsularRequest)
    if flt.status:
        stmt = stmt.where(ConsularRequest.status == flt.status)
    if flt.open_only:
        stmt = stmt.where(ConsularRequest.status.in_([s.value for s in OPEN]))
    if flt.category:
        stmt = stmt.where(ConsularRequest.category == flt.category)
    if flt.office_id:
        stmt = stmt.where(ConsularRequest.office_id == flt.office_id)
    if flt.priority:
        stmt = stmt.where(ConsularRequest.priority == flt.priority)
    if flt.assigned_to_id:
        stmt = stmt.where(ConsularRequest.assigned_to_id == flt.assigned_to_id)
    if flt.unassigned:
        stmt = stmt.where(ConsularRequest.assigned_to_id.is_(None))
    if flt.overdue:
        stmt = stmt.where(overdue_clause(now))
    if flt.opened_from:
        stmt = stmt.where(
            ConsularRequest.opened_at >= _start_of(flt.opened_from, user.office.time_zone))
    if flt.opened_to:
        stmt = stmt.where(
            ConsularRequest.opened_at < _start_of(flt.opened_to, user.office.time_zone, 1))
    return stmt


def _start_of(day: date, time_zone: str, plus_days: int = 0) -> datetime:
    """Midnight at the start of a day in the viewer's office time zone."""
    return datetime.combine(day + timedelta(days=plus_days), time.min,
                            tzinfo=ZoneInfo(time_zone))


def _requests_of_persons(ids: list[int]) -> list:
    """Requests about any of the persons, and requests any of them reported."""
    return [ConsularRequest.id.in_(select(request_subjects.c.request_id)
                                   .where(request_subjects.c.person_id.in_(ids))),
            ConsularRequest.requester_id.in_(ids)]


def _prefixes() -> list[str]:
    return list(db.session.scalars(select(Office.code)))


SEARCH = search.SearchSpec(
    kind=CaseKind.CONSULAR_REQUEST, model=ConsularRequest, entries=SearchEntry,
    compartment=Compartment.CONSULAR, digits=5, prefixes=_prefixes,
    cases_of_persons=_requests_of_persons,
    persons_of=lambda r: [*r.subjects, *([r.requester] if r.requester else [])],
    load_options=lambda: (selectinload(ConsularRequest.subjects).selectinload(Person.identifiers),
                          selectinload(ConsularRequest.subjects).selectinload(Person.other_names),
                          selectinload(ConsularRequest.requester).selectinload(Person.identifiers),
                          selectinload(ConsularRequest.requester).selectinload(Person.other_names),
                          selectinload(ConsularRequest.assigned_to)))


def search_results(text: str, limit: int = 50) -> list[search.Result]:
    """The reader's requests matching `text` (reference or a part of it, identifier, name,
    words of the summary, place, notes, contacts and document names), best first, marked."""
    return search.search(SEARCH, text, limit)


def search_requests(user: User, text: str, limit: int = 50) -> list[ConsularRequest]:
    """The requests of `search_results`, without the marks."""
    return [result.case for result in search_results(text, limit)]


# --- enquiries ------------------------------------------------------------------------------


def check_enquiry_to_follow(actor: User, enquiry: Enquiry) -> None:
    """An enquiry of the officer's office that has not become a request yet."""
    if enquiry.office_id != actor.office_id and actor.role is not Role.MANAGER:
        raise RequestError(_("This enquiry was counted at another office."))
    if enquiry.became_request_id is not None:
        raise RequestError(_("This enquiry has become a request already."))


def log_enquiry(actor: User, *, channel: str, topic: str, received_on: date | None = None
                ) -> Enquiry:
    """Count an answered question: date, office, channel, topic, who. No personal data."""
    channel, topic = _choice(Channel, channel, "topic"), _choice(Category, topic, "topic")
    today = office_today(actor.office.time_zone, utcnow())
    received_on = received_on or today
    if received_on > today:
        raise RequestError(_("The date is in the future."), "received_on")
    enquiry = Enquiry(office_id=actor.office_id, received_on=received_on, channel=channel,
                      topic=topic, handled_by_id=actor.id)
    db.session.add(enquiry)
    db.session.flush()
    audit.record("enquiry.logged", object_type="enquiry", object_id=enquiry.id, actor=actor)
    db.session.flush()
    return enquiry


def set_service_target(category: Category, working_days: int, actor: User,
                       version: int | None = None) -> ServiceTarget:
    if not 1 <= working_days <= 365:
        raise RequestError(_("Between 1 and 365 working days."), "working_days")
    target = db.session.get(ServiceTarget, category)
    if target is None:
        target = ServiceTarget(category=category, working_days=working_days)
        db.session.add(target)
    else:
        if version is not None and version != target.version:
            raise StaleRequest(current=target)
        target.working_days = working_days
    audit.record("service_target.set", object_type="service_target", object_id=category.value,
                 actor=actor, details={"working_days": working_days})
    db.session.flush()
    return target

