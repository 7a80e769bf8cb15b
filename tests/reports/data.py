"""Report test data: random datasets, loaded with Core inserts, and the report counted in Python.

The same generator serves Hypothesis (`HypothesisChooser`) and a fixed, seeded dataset
(`RandomChooser`). Timestamps cluster around month boundaries in Asia/Karachi (UTC+5), where a
report that counts in UTC, or uses <= for <, goes wrong.

`expected_report` recounts every table of `tracker.reports.report.live_report` from the
generated rows alone, the plain way, so a test can compare every cell.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from itertools import count

from hypothesis import strategies as st
from sqlalchemy import insert, select

from tracker.auth.models import Office, OfficeKind, Role, User
from tracker.cases.models import Case, CaseKind
from tracker.consular.categories import CATEGORIES, CancelReason, Category, Channel
from tracker.consular.models import ConsularRequest, Enquiry, request_subjects
from tracker.extensions import db
from tracker.people.models import Person
from tracker.police.categories import (
    Direction,
    NordicCountry,
    Outcome,
    PartyRole,
    PoliceCategory,
)
from tracker.police.models import CaseParty, Exchange, LiaisonCase
from tracker.reports.periods import Month

ZONE = "Asia/Karachi"
OFFICES = (("ISB", "Islamabad embassy", OfficeKind.EMBASSY),
           ("KHI", "Karachi consulate", OfficeKind.HONORARY_CONSULATE),
           ("LHE", "Lahore consulate", OfficeKind.HONORARY_CONSULATE))
CONSULAR_STATUSES = ("new", "in_progress", "waiting", "pending_approval", "resolved", "closed",
                     "cancelled")
SENSITIVE = frozenset(c for c, info in CATEGORIES.items() if info.sensitive)
# Offsets from a month boundary where off-by-one mistakes show (seconds; floats for micros).
EDGE_OFFSETS = (-86400, -3600 * 5, -3600, -1, -0.000001, 0, 0.000001, 1, 3600, 3600 * 5,
                86400)
# Durations (seconds) that land on day-rounding edges: 0.25 and 0.75 days, 1.05 days...
DURATIONS = (0, 1, 3599, 4320, 21600, 64800, 86400, 90720, 3 * 86400 + 21600, 10 * 86400,
             40 * 86400)


# --- choosing -------------------------------------------------------------------------------


class HypothesisChooser:
    def __init__(self, draw):
        self.draw = draw

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def choice(self, options):
        return self.draw(st.sampled_from(list(options)))

    def boolean(self) -> bool:
        return self.draw(st.booleans())


class RandomChooser:
    def __init__(self, rng):
        self.rng = rng

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def choice(self, options):
        return self.rng.choice(list(options))

    def boolean(self) -> bool:
        return self.rng.random() < 0.5


# --- the dataset ----------------------------------------------------------------------------


@dataclass
class RequestRow:
    office: str
    category: Category
    subcategory: str
    status: str
    opened_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    paused_seconds: int
    due_at: datetime | None
    closing_reason: str | None
    subjects: list[int]


@dataclass
class EnquiryRow:
    office: str
    received_on: date
    topic: Category
    channel: Channel


@dataclass
class PoliceRow:
    office: str
    category: PoliceCategory
    country: NordicCountry
    opened_at: datetime
    closed_at: datetime | None
    closing_reason: str | None
    children: list[int]
    suspect: bool
    exchanges: list[tuple[date, Direction]]


@dataclass
class Dataset:
    month: Month
    requests: list[RequestRow] = field(default_factory=list)
    enquiries: list[EnquiryRow] = field(default_factory=list)
    police: list[PoliceRow] = field(default_factory=list)
    persons: int = 0
    children: int = 0


def boundaries(month: Month) -> list[datetime]:
    """The starts of the 12 report months, of the month after, and of the one before (UTC)."""
    months = month.last_months(12)
    return [months[0].previous().bounds(ZONE)[0]] + [m.bounds(ZONE)[0] for m in months] + [
        month.bounds(ZONE)[1]]


def _instant(c, edges: list[datetime]) -> datetime:
    kind = c.integer(0, 3)
    if kind <= 1:
        # Mostly the report month's own two boundaries.
        edge = edges[-2 + kind] if c.boolean() else c.choice(edges)
        return edge + timedelta(seconds=c.choice(EDGE_OFFSETS))
    if kind == 2:
        edge = c.choice(edges[-3:])
        return edge + timedelta(seconds=c.integer(0, 40 * 86400))
    span = int((edges[-1] - edges[0]).total_seconds()) + 4 * 86400
    return edges[0] - timedelta(days=2) + timedelta(seconds=c.integer(0, span))


def _later(c, start: datetime, edges: list[datetime]) -> datetime:
    after = [e for e in edges if e > start]
    if after and c.integer(0, 2) == 0:
        return c.choice(after) + timedelta(seconds=c.choice((-1, 0, 0.000001, 1)))
    if c.boolean():
        return start + timedelta(seconds=c.choice(DURATIONS))
    return start + timedelta(seconds=c.integer(0, 60 * 86400))


def _day(c, edges: list[datetime]) -> date:
    if c.boolean():
        local = c.choice(edges[-3:]).astimezone(timezone(timedelta(hours=5))).date()
        return local + timedelta(days=c.choice((-1, 0, 1)))
    return _instant(c, edges).astimezone(timezone(timedelta(hours=5))).date()


def make_dataset(c, month: Month | None = None, *, max_requests: int = 12,
                 max_enquiries: int = 8, max_police: int = 8, at_least: int = 0) -> Dataset:
    month = month or c.choice((Month(2026, 10), Month(2026, 1)))
    edges = boundaries(month)
    data = Dataset(month, persons=c.integer(1, 4), children=c.integer(1, 3))
    offices = [code for code, _, _ in OFFICES]
    for _ in range(c.integer(at_least, max_requests)):
        category = c.choice(list(Category))
        info = CATEGORIES[category]
        status = c.choice(CONSULAR_STATUSES)
        opened = _instant(c, edges)
        resolved = closed = reason = None
        if status in ("resolved", "closed"):
            resolved = _later(c, opened, edges)
            reason = c.choice(info.closing_reasons)
            if status == "closed":
                closed = _later(c, resolved, edges)
        elif status == "cancelled":
            closed = _later(c, opened, edges)
            reason = c.choice([r.value for r in CancelReason])
        elapsed = int(((resolved or closed or opened) - opened).total_seconds())
        paused = c.integer(0, elapsed) if elapsed and c.boolean() else 0
        due = None if c.integer(0, 3) == 0 else (
            _later(c, opened, edges) if c.boolean() else _instant(c, edges))
        subjects = sorted({c.integer(0, data.persons - 1) for _ in range(c.integer(1, 2))})
        data.requests.append(RequestRow(c.choice(offices), category,
                                        c.choice(info.subcategories), status, opened, resolved,
                                        closed, paused, due, reason, subjects))
    for _ in range(c.integer(at_least, max_enquiries)):
        data.enquiries.append(EnquiryRow(c.choice(offices), _day(c, edges),
                                         c.choice(list(Category)), c.choice(list(Channel))))
    for _ in range(c.integer(at_least, max_police)):
        category = c.choice([PoliceCategory.CHILD_ABDUCTION, PoliceCategory.CHILD_ABDUCTION,
                             *PoliceCategory])
        opened = _instant(c, edges)
        closed = _later(c, opened, edges) if c.boolean() else None
        children = sorted({c.integer(0, data.children - 1) for _ in range(c.integer(0, 2))})
        data.police.append(PoliceRow(
            c.choice(offices), category, c.choice(list(NordicCountry)), opened, closed,
            c.choice([o.value for o in Outcome]) if closed else None, children, c.boolean(),
            [(_day(c, edges), c.choice(list(Direction))) for _ in range(c.integer(0, 3))]))
    return data


@st.composite
def datasets(draw, **sizes) -> Dataset:
    return make_dataset(HypothesisChooser(draw), **sizes)


# --- loading --------------------------------------------------------------------------------


_references = count(1)


def make_offices() -> dict[str, Office]:
    """The three offices (ISB is the embassy, whose zone an all-offices report uses)."""
    offices = {}
    for code, name, kind in OFFICES:
        office = Office(code=code, name=name, kind=kind, time_zone=ZONE)
        db.session.add(office)
        offices[code] = office
    db.session.flush()
    return offices


def make_staff(offices: dict[str, Office]) -> User:
    """One account to sign enquiries and exchanges (Core insert: no password hashing)."""
    user_id = db.session.execute(insert(User.__table__).values(
        email=f"reports-loader-{next(_references)}@tracker.example",
        display_name="Report loader", role=Role.POLICE_LIAISON_OFFICER,
        office_id=offices["ISB"].id, password_hash="!", active=True, version=1,
    ).returning(User.__table__.c.id)).scalar_one()
    return db.session.get(User, user_id)


def _case(kind: CaseKind, office_id: int, status: str, row) -> int:
    return db.session.execute(insert(Case.__table__).values(
        kind=kind, reference=f"RPT-{next(_references):08d}", office_id=office_id,
        status=status, priority="routine", summary="Report test", description="",
        opened_at=row.opened_at, due_at=getattr(row, "due_at", None),
        paused_seconds=getattr(row, "paused_seconds", 0), resolved_at=getattr(
            row, "resolved_at", None), closed_at=row.closed_at,
        closing_reason=row.closing_reason, version=1,
    ).returning(Case.__table__.c.id)).scalar_one()


def _person(compartment: str, name: str) -> int:
    return db.session.execute(insert(Person.__table__).values(
        compartment=compartment, full_name=name, folded_name=name.lower(), version=1,
    ).returning(Person.__table__.c.id)).scalar_one()


def load(data: Dataset, offices: dict[str, Office], staff: User) -> None:
    """Insert the dataset with SQLAlchemy Core (no ORM listeners: statuses are set as data)."""
    persons = [_person("consular", f"Subject {i}") for i in range(data.persons)]
    children = [_person("police", f"Child {i}") for i in range(data.children)]
    suspect = _person("police", "Suspect")
    for row in data.requests:
        case_id = _case(CaseKind.CONSULAR_REQUEST, offices[row.office].id, row.status, row)
        db.session.execute(insert(ConsularRequest.__table__).values(
            id=case_id, category=row.category, subcategory=row.subcategory,
            channel=Channel.PHONE))
        db.session.execute(insert(request_subjects), [
            {"request_id": case_id, "person_id": persons[i]} for i in row.subjects])
    if data.enquiries:
        db.session.execute(insert(Enquiry.__table__), [
            {"office_id": offices[e.office].id, "received_on": e.received_on, "topic": e.topic,
             "channel": e.channel, "handled_by_id": staff.id} for e in data.enquiries])
    for row in data.police:
        case_id = _case(CaseKind.LIAISON_CASE, offices[row.office].id,
                        "closed" if row.closed_at else "active", row)
        db.session.execute(insert(LiaisonCase.__table__).values(
            id=case_id, category=row.category, country=row.country,
            requesting_agency="Kripos", counterpart="fia", restricted=False))
        parties = [{"case_id": case_id, "person_id": children[i],
                    "role": PartyRole.ABDUCTED_CHILD} for i in row.children]
        if row.suspect:
            parties.append({"case_id": case_id, "person_id": suspect,
                            "role": PartyRole.SUSPECT})
        if parties:
            db.session.execute(insert(CaseParty.__table__), parties)
        if row.exchanges:
            db.session.execute(insert(Exchange.__table__), [
                {"case_id": case_id, "exchanged_on": day, "direction": direction,
                 "channel": "siena", "counterpart": "FIA", "summary": "Report test",
                 "handling_code": "H0", "created_by_id": staff.id}
                for day, direction in row.exchanges])
    db.session.flush()


# --- the report, counted in Python ----------------------------------------------------------


def _in(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def _whole_seconds(later: datetime, earlier: datetime) -> int:
    return int((later.replace(microsecond=0) - earlier.replace(microsecond=0)).total_seconds())


def nearest_rank(values: list[int], p: int) -> int:
    """The p-th percentile by the nearest-rank method: the value of rank ceil(p*n/100)."""
    ordered = sorted(values)
    return ordered[math.ceil(p * len(ordered) / 100) - 1]


def days(seconds: int) -> float:
    """Seconds as days, rounded half up to a tenth."""
    exact = Decimal(max(seconds, 0)) / Decimal(86400)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _open_at(row, end: datetime) -> bool:
    return (row.opened_at < end and (row.resolved_at is None or row.resolved_at >= end)
            and (row.closed_at is None or row.closed_at >= end))


def _measures(rows, start, end) -> list[int]:
    return [sum(_in(r.opened_at, start, end) for r in rows),
            sum(_in(r.resolved_at, start, end) for r in rows),
            sum(_in(r.closed_at, start, end) and r.status != "cancelled" for r in rows),
            sum(_open_at(r, end) for r in rows)]


def _police_measures(rows, start, end) -> list[int]:
    return [sum(_in(r.opened_at, start, end) for r in rows),
            sum(_in(r.closed_at, start, end) for r in rows),
            sum(r.opened_at < end and (r.closed_at is None or r.closed_at >= end)
                for r in rows)]


def expected_report(data: Dataset, office: str | None, office_names: list[tuple[str, str]]
                    ) -> dict:
    """{table key: [(row label, values)], "trends": {...}} for live_report(month, office).

    `office_names`: (code, name) of every office in the database, ordered as the report
    orders them (by name).
    """
    month = data.month
    start, end = month.bounds(ZONE)
    first, after = month.first_day, month.next().first_day
    mine = (lambda row: row.office == office) if office else (lambda row: True)
    requests = [r for r in data.requests if mine(r)]
    enquiries = [e for e in data.enquiries if mine(e)]
    police = [p for p in data.police if mine(p)]
    out: dict = {}

    out["enquiries"] = [(t.label, [sum(1 for e in enquiries if e.topic == t and e.channel == ch
                                       and first <= e.received_on < after) for ch in Channel])
                        for t in Category]
    out["requests_by_category"] = [
        (c.label, _measures([r for r in requests if r.category == c], start, end))
        for c in Category]
    out["requests_by_office"] = [
        (name, _measures([r for r in requests if r.office == code], start, end))
        for code, name in office_names if office in (None, code)]
    rows = []
    for c in Category:
        spans = [_whole_seconds(r.resolved_at, r.opened_at) - r.paused_seconds
                 for r in requests if r.category == c and _in(r.resolved_at, start, end)]
        rows.append((c.label, [len(spans), days(nearest_rank(spans, 50)),
                               days(nearest_rank(spans, 90))] if spans else [0, None, None]))
    out["time_to_resolution"] = rows
    out["past_target"] = [(c.label, [
        sum(1 for r in requests if r.category == c and _open_at(r, end)
            and r.due_at is not None and r.due_at < end),
        sum(1 for r in requests if r.category == c and _in(r.resolved_at, start, end)
            and r.due_at is not None and r.resolved_at > r.due_at)]) for c in Category]
    opened = [r for r in requests if _in(r.opened_at, start, end)]
    out["published_counts"] = [
        ("Emergency passports issued", [sum(
            1 for r in requests if _in(r.resolved_at, start, end)
            and r.category == Category.PASSPORT and r.subcategory == "emergency"
            and r.closing_reason == "issued")]),
        ("Deaths", [sum(r.category == Category.DEATH for r in opened)]),
        ("Arrests", [sum(r.category == Category.ARREST for r in opened)]),
        ("Hospitalisations", [sum(r.category == Category.HOSPITALISATION for r in opened)]),
        ("Reports of concern", [sum(r.category == Category.REPORT_OF_CONCERN for r in opened)])]
    out["persons_helped"] = [
        ("Persons helped", [len({s for r in opened for s in r.subjects})]),
        ("Requests opened", [len(opened)])]

    out["police_by_category"] = [
        (k.label, _police_measures([p for p in police if p.category == k], start, end))
        for k in PoliceCategory]
    out["police_by_country"] = [
        (k.label, _police_measures([p for p in police if p.country == k], start, end))
        for k in NordicCountry]
    out["police_exchanges"] = [
        (k.label, [sum(1 for p in police if p.country == k for day, d in p.exchanges
                       if d == direction and first <= day < after) for direction in Direction])
        for k in NordicCountry]
    abductions = [p for p in police if p.category == PoliceCategory.CHILD_ABDUCTION]
    new = [p for p in abductions if _in(p.opened_at, start, end)]
    active = [p for p in abductions
              if p.opened_at < end and (p.closed_at is None or p.closed_at >= end)]
    out["police_children"] = [
        ("Opened in the month", [len(new), len({c for p in new for c in p.children})]),
        ("Active at month end", [len(active), len({c for p in active for c in p.children})])]
    out["police_outcomes"] = [
        (o.label, [sum(1 for p in police if _in(p.closed_at, start, end)
                       and p.closing_reason == o.value)]) for o in Outcome]

    months = month.last_months(12)
    bounds = [m.bounds(ZONE) for m in months]
    out["trends"] = {
        "labels": [m.first_day.strftime("%b %Y") for m in months],
        "consular_opened": [sum(_in(r.opened_at, s, e) for r in requests) for s, e in bounds],
        "consular_resolved": [sum(_in(r.resolved_at, s, e) for r in requests)
                              for s, e in bounds],
        "enquiries": [sum(m.first_day <= q.received_on < m.next().first_day
                          for q in enquiries) for m in months],
        "police_opened": [sum(_in(p.opened_at, s, e) for p in police) for s, e in bounds],
    }
    return out


def office_names() -> list[tuple[str, str]]:
    return [(o.code, o.name) for o in db.session.scalars(select(Office).order_by(Office.name))]


def cell_differences(report, expected: dict) -> list[str]:
    """Every cell where the report and the Python count disagree, readably."""
    problems = []
    for table in report.consular + report.police:
        want = expected[table.key]
        got_labels = [label for label, _ in table.rows]
        want_labels = [label for label, _ in want]
        if got_labels != want_labels:
            problems.append(f"{table.key}: rows {got_labels} != {want_labels}")
            continue
        for (label, got), (_, wanted) in zip(table.rows, want):
            for column, g, w in zip(table.columns, got, wanted):
                if g != w or type(g) is not type(w):
                    problems.append(f"{table.key} / {label} / {column}: report {g!r}, "
                                    f"counted {w!r}")
    for key, wanted in expected["trends"].items():
        if report.trends[key] != wanted:
            problems.append(f"trends / {key}: report {report.trends[key]}, counted {wanted}")
    return problems
