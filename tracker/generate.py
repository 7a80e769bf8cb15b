"""Generated volumes of consular data for load tests and benchmarks (never production).

`generate(requests, seed)` adds `requests` consular requests opened between 1 January 2022 and
the start of `until` (today by default), with their persons, identifiers, timelines and some
enquiries. The same seed, count and `until` on a database in the same state give the same data.

What it looks like:
- offices: Islamabad about 60 %, Lahore 25 %, Karachi 15 %; more in the summer holidays and a
  little more each year; fewer on weekends;
- categories: passports about 70 % (about 6 % of them emergency passports), national ID numbers
  10 %, deaths, arrests, hospitalisations and reports of concern 2 to 3 % each, the rest small;
- statuses follow the age of the request: old ones are closed (a few cancelled), recent ones
  new, in progress, waiting (about half of those with a hold date) or pending a manager's
  approval; a small tail of long-running cases (arrests, missing persons) stays open and
  overdue. Due dates come from the service targets (`tracker.cases.clock.add_working_days`)
  and move on by the time a request waited, as the workflow engine does;
- persons with invented names (`tracker.people.synthetic`), sometimes with an Urdu spelling,
  checksum-valid fødselsnummer or D-numbers, CNICs and Norwegian passport numbers, unique;
  `folded_name` is made by the same function as `tracker.people.services`; some persons come
  back with a second request, some requests have a relative as the requester;
- timelines: "opened" and every status change, by the officer, the manager (approvals) or the
  tracker itself (a hold date reached);
- references PREFIX-YEAR-NUMBER unique per office and year (the year in the office's time
  zone), numbered in order of opening, continuing from `reference_counters`, which is left at
  the last number given so that requests logged through the application continue the
  sequence.

Prerequisite: the demo offices ISB, KHI and LHE, the demo consular officers and the demo
manager (`flask demo load`). The generator refuses to run without them rather than create
them, because creating accounts the proper way writes audit rows. It does add a few consular
officer accounts of its own (so that Islamabad's requests are spread over several officers and
Karachi has any), with a random password nobody knows: they cannot sign in until an
administrator sets a password.

What it does not do, on purpose:
- It writes with SQLAlchemy Core `insert()` in batches, not through the ORM services: 100,000
  requests with a million rows around them would take an hour one by one. Core inserts bypass
  the ORM listener that refuses setting `Case.status` outside the workflow engine; that is
  right for a bulk loader of history, which writes the state the engine would have reached
  (and the timeline it would have written) directly.
- It writes no audit rows: the generated history has no audit trail. The audit chain is left
  as it was, so `flask audit verify` still passes.
- It gives out ids itself (one past the largest) and moves PostgreSQL's sequences on
  with each batch: run it on a database nobody else is writing to.
- It is not one transaction: each batch (5,000 requests by default) is committed with the
  reference counters and sequences that match it, so that a long run shows its progress, can
  be stopped with Ctrl-C, and leaves whole, consistent batches behind.
"""
from __future__ import annotations

import random
import secrets
import time as clock
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text, update

from tracker.auth.models import Office, Role, User
from tracker.auth.passwords import hash_password
from tracker.cases.clock import add_working_days, office_today
from tracker.cases.models import Case, CaseKind, ReferenceCounter, TimelineEvent, TimelineKind
from tracker.consular.categories import CATEGORIES, Category
from tracker.consular.models import ConsularRequest, Enquiry, ServiceTarget, request_subjects
from tracker.consular.workflow import Status
from tracker.extensions import db
from tracker.files import is_disk_full
from tracker.unit_of_work import unit_of_work
from tracker.people import synthetic
from tracker.people.models import Person, PersonIdentifier, PersonName
from tracker.people.services import _search_key

UTC = timezone.utc
FIRST_DAY = date(2022, 1, 1)
OFFICE_SHARES = {"ISB": 60, "LHE": 25, "KHI": 15}
# Generated consular officers per office, besides the demo accounts.
EXTRA_OFFICERS = {"ISB": 5, "LHE": 1, "KHI": 2}
GENERATED_EMAIL = "{code}.officer{n}@generated.tracker.example"

CATEGORY_SHARES = {
    Category.PASSPORT: 70.0, Category.NATIONAL_ID: 10.0, Category.DEATH: 2.5,
    Category.ARREST: 2.5, Category.HOSPITALISATION: 3.0, Category.VICTIM_OF_CRIME: 2.0,
    Category.MISSING_PERSON: 1.0, Category.REPORT_OF_CONCERN: 2.5,
    Category.FINANCIAL_DISTRESS: 1.5, Category.ADVICE: 2.0, Category.NOTARIAL: 2.5,
    Category.OTHER: 0.5,
}
SUBCATEGORY_SHARES = {
    # About 6 % of passport applications abroad are emergency passports (DOMAIN.md).
    Category.PASSPORT: {"renewal": 55, "new": 25, "lost_or_stolen": 14, "emergency": 6},
    Category.NATIONAL_ID: {"fodselsnummer": 45, "d_number": 35, "question": 20},
    Category.DEATH: {"notification": 25, "repatriation": 40, "local_burial": 25, "documents": 10},
    Category.ARREST: {"arrest": 50, "detention": 30, "prison_visit": 20},
    Category.HOSPITALISATION: {"illness": 45, "accident": 35, "hospitalisation": 20},
    Category.VICTIM_OF_CRIME: {"assault": 25, "theft": 35, "fraud": 25, "sexual_violence": 5,
                               "other": 10},
    Category.MISSING_PERSON: {"adult": 70, "child": 30},
    Category.REPORT_OF_CONCERN: {"held_against_will": 30, "forced_marriage": 35,
                                 "child_at_risk": 25, "other": 10},
    Category.FINANCIAL_DISTRESS: {"relief": 50, "repatriation": 35, "loan": 15},
    Category.ADVICE: {"general": 60, "travel": 40},
    Category.NOTARIAL: {"notarial": 30, "legalisation": 50, "certificate": 20},
    Category.OTHER: {"other": 100},
}
SUMMARIES = {
    "passport:new": ("First passport for a child born in {city}",
                     "New passport for an adult citizen", "First passport after citizenship"),
    "passport:renewal": ("Passport renewal", "Passport renewal for a child",
                         "Renewal, passport expires next month"),
    "passport:lost_or_stolen": ("Passport lost in {city}",
                                "Passport stolen in {city}, police report attached"),
    "passport:emergency": ("Emergency passport, flight to Oslo in {n} days",
                           "Emergency passport after theft in {city}"),
    "national_id:fodselsnummer": ("Fødselsnummer for a child born in {city}",),
    "national_id:d_number": ("D-number application for a spouse",),
    "national_id:question": ("Question about a fødselsnummer on old papers",),
    "death:notification": ("Death in {city}, next of kin to be notified",),
    "death:repatriation": ("Death in {city}, family wants repatriation",),
    "death:local_burial": ("Death in {city}, local burial arranged",),
    "death:documents": ("Death certificate from {city} for the Norwegian registers",),
    "arrest:arrest": ("Arrested in {city}", "Arrested at {city} airport"),
    "arrest:detention": ("Detained in {city} after a dispute",),
    "arrest:prison_visit": ("Prison visit in {city}",),
    "hospitalisation:illness": ("Serious illness, admitted in {city}",),
    "hospitalisation:accident": ("Road accident near {city}, in hospital",),
    "hospitalisation:hospitalisation": ("Hospitalised in {city}",),
    "victim_of_crime:assault": ("Assaulted in {city}",),
    "victim_of_crime:theft": ("Robbed in {city}, needs a police report",),
    "victim_of_crime:fraud": ("Defrauded by a travel agent in {city}",),
    "victim_of_crime:sexual_violence": ("Victim of sexual violence in {city}",),
    "victim_of_crime:other": ("Victim of crime in {city}",),
    "missing_person:adult": ("Relative missing since a trip to {city}",),
    "missing_person:child": ("Child missing after a visit to {city}",),
    "report_of_concern:held_against_will": ("Person held against their will near {city}",),
    "report_of_concern:forced_marriage": ("Fears forced marriage during a visit to {city}",),
    "report_of_concern:child_at_risk": ("School reports a pupil not returned after holiday",),
    "report_of_concern:other": ("Family worried about a relative in {city}",),
    "financial_distress:relief": ("Stranded without money in {city}",),
    "financial_distress:repatriation": ("Needs help to travel home from {city}",),
    "financial_distress:loan": ("Asks for a loan to pay a hospital bill",),
    "advice:general": ("Advice on Norwegian citizenship rules",),
    "advice:travel": ("Advice on travelling to {city}",),
    "notarial:notarial": ("Notarial act: power of attorney",),
    "notarial:legalisation": ("Legalisation of a marriage certificate",),
    "notarial:certificate": ("Certificate of life for the pension office",),
    "other:other": ("Other request",),
}
CITIES = {
    "ISB": ("Islamabad", "Rawalpindi", "Gujrat", "Jhelum", "Kharian", "Mirpur", "Peshawar",
            "Murree"),
    "LHE": ("Lahore", "Sialkot", "Faisalabad", "Gujranwala"),
    "KHI": ("Karachi", "Hyderabad"),
}
# Categories where someone else (a relative, a school) usually reports the request.
REPORTED_BY_OTHERS = {Category.DEATH: 0.9, Category.ARREST: 0.8, Category.MISSING_PERSON: 0.95,
                      Category.REPORT_OF_CONCERN: 0.8, Category.HOSPITALISATION: 0.6}
RELATIONSHIPS = ("mother", "father", "brother", "sister", "spouse", "son", "daughter",
                 "cousin", "uncle", "friend")
# Share of long-running cases that stay open for months (sentences, searches).
LONG_RUNNING = {Category.ARREST: 0.06, Category.MISSING_PERSON: 0.05,
                Category.REPORT_OF_CONCERN: 0.04, Category.DEATH: 0.02}
WAITING_REASONS = {
    "applicant": ("The applicant's documents", "Applicant to come for fingerprints",
                  "Photo that meets the requirements"),
    "host_authorities": ("Papers from the court", "Police report from the local station",
                         "Death certificate from the hospital"),
    "other_agency": ("Answer from the Norwegian police (passport office)",
                     "Answer from the Tax Administration (Skatteetaten)"),
}
# Urdu spellings of some of synthetic's names; a person gets one only if every part has one.
URDU = {
    "Muhammad": "محمد", "Mohammad": "محمد", "Ahmed": "احمد", "Ali": "علی", "Hassan": "حسن",
    "Usman": "عثمان", "Bilal": "بلال", "Ayesha": "عائشہ", "Fatima": "فاطمہ", "Zainab": "زینب",
    "Maryam": "مریم", "Sana": "ثناء", "Hira": "حرا", "Imran": "عمران", "Tariq": "طارق",
    "Chaudhry": "چوہدری", "Chaudhary": "چوہدری", "Khan": "خان", "Hussain": "حسین",
    "Qureshi": "قریشی", "Malik": "ملک", "Rana": "رانا", "Butt": "بٹ", "Sheikh": "شیخ",
    "Mirza": "مرزا", "Awan": "اعوان", "Abbasi": "عباسی", "Siddiqui": "صدیقی", "Raza": "رضا",
}
ENQUIRY_TOPICS = {Category.PASSPORT: 35, Category.ADVICE: 30, Category.NATIONAL_ID: 15,
                  Category.NOTARIAL: 8, Category.OTHER: 4, Category.DEATH: 2,
                  Category.ARREST: 2, Category.HOSPITALISATION: 2,
                  Category.FINANCIAL_DISTRESS: 2}
CHANNELS = {"walk_in": 35, "email": 30, "phone": 20, "web_form": 15}
URGENT_CHANNELS = {"phone": 70, "email": 15, "walk_in": 10, "web_form": 5}


def _hours_to_start(priority: str, rng) -> float:
    """How long a request of this priority waits before an officer starts on it."""
    low, high = {"emergency": (0.2, 4), "urgent": (1, 24)}.get(priority, (2, 96))
    return rng.uniform(low, high)


class GenerateError(RuntimeError):
    """The database is not ready for generated data, or the request cannot be met."""


class GenerateInterrupted(Exception):
    """Stopped by Ctrl-C: the batch being written was rolled back; `stats` says what stays."""

    def __init__(self, stats: GenerateStats):
        super().__init__(stats.interrupted_line())
        self.stats = stats


@dataclass
class GenerateStats:
    requests: int = 0
    persons: int = 0
    person_names: int = 0
    identifiers: int = 0
    subjects: int = 0
    timeline_events: int = 0
    enquiries: int = 0
    officers_created: int = 0
    seconds: float = 0.0
    analyze_seconds: float = 0.0
    # What is committed, against what was asked for (they differ after an interruption).
    requests_written: int = 0
    requests_wanted: int = 0
    enquiries_written: int = 0
    enquiries_wanted: int = 0
    by_office: Counter = field(default_factory=Counter)
    by_category: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        def share(counter: Counter) -> str:
            return ", ".join(f"{k} {v}" for k, v in counter.most_common())

        return [
            f"{self.requests} requests, {self.persons} persons ({self.person_names} other "
            f"spellings, {self.identifiers} identifiers), {self.subjects} subject links, "
            f"{self.timeline_events} timeline events, {self.enquiries} enquiries, "
            f"{self.officers_created} officer accounts, in {self.seconds:.1f} s; statistics "
            f"gathered (ANALYZE) in {self.analyze_seconds:.1f} s",
            f"offices: {share(self.by_office)}",
            f"categories: {share(self.by_category)}",
            f"statuses: {share(self.by_status)}",
        ]

    def interrupted_line(self) -> str:
        line = f"interrupted: {self.requests_written} of {self.requests_wanted} requests written"
        if self.requests_written == self.requests_wanted and self.enquiries_wanted:
            line += f", {self.enquiries_written} of {self.enquiries_wanted} enquiries"
        return line


def generate(requests: int, seed: int, *, police_cases: int = 0, until: date | None = None,
             enquiries: int | None = None, batch_size: int = 5000,
             progress: Callable[[str, int, int], object] | None = None) -> GenerateStats:
    """Add `requests` generated consular requests (and `enquiries`, by default half as many).

    Commits every `batch_size` requests (or enquiries), each batch with the reference counters
    and id sequences moved on to match: a run that stops leaves whole batches, and the
    application (and a later run) carries on from them. `progress(what, done, total)` is
    called after each commit. Ctrl-C (KeyboardInterrupt) rolls back the batch being written
    and raises `GenerateInterrupted`, which says how much was written.
    """
    if police_cases:
        raise GenerateError("police cases come later: use 0 for now")
    if requests < 0:
        raise GenerateError("the number of requests cannot be negative")
    if batch_size < 1:
        raise GenerateError("the batch size must be at least 1")
    started = clock.perf_counter()
    generator = _Generator(seed, until or datetime.now(UTC).date(), batch_size,
                           progress or (lambda what, done, total: None))
    stats = generator.stats
    stats.requests_wanted = requests
    stats.enquiries_wanted = requests // 2 if enquiries is None else enquiries
    try:
        with unit_of_work():
            generator.prepare()
        generator.requests(requests)
        generator.enquiries(stats.enquiries_wanted)
    except KeyboardInterrupt:
        stats.seconds = clock.perf_counter() - started
        raise GenerateInterrupted(stats) from None
    except Exception as error:
        if is_disk_full(error):
            raise GenerateError(f"the disk is full: {stats.requests_written} of "
                                f"{stats.requests_wanted} requests written") from error
        raise
    stats.seconds = clock.perf_counter() - started
    stats.analyze_seconds = gather_statistics()
    return stats


def gather_statistics() -> float:
    """ANALYZE after a bulk load, so the planner knows the new sizes at once (on a server with
    autovacuum off or slow, the first list after a million rows otherwise took 1.35 s and a
    search 6.4 s); the seconds it took."""
    started = clock.perf_counter()
    db.session.commit()
    with db.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    return clock.perf_counter() - started


def _weighted(rng: random.Random, shares: dict):
    keys = list(shares)
    return rng.choices(keys, weights=[shares[k] for k in keys])[0]


@lru_cache(maxsize=None)
def _due(local_day: date, days: int, time_zone: str) -> datetime:
    """add_working_days depends on the local day only; cached (100,000 calls, ~2,000 days)."""
    start = datetime.combine(local_day, time(12), tzinfo=ZoneInfo(time_zone))
    return add_working_days(start, days, time_zone)


class _Generator:
    def __init__(self, seed: int, until: date, batch_size: int, progress):
        self.rng = random.Random(seed)
        self.until = until
        # Everything generated happened before the start of `until` (UTC).
        self.now = datetime.combine(until, time.min, tzinfo=UTC)
        self.batch_size = batch_size
        self.progress = progress
        self.stats = GenerateStats()

    # --- set-up -----------------------------------------------------------------------------

    def prepare(self) -> None:
        offices = {o.code: o for o in db.session.scalars(
            select(Office).where(Office.code.in_(OFFICE_SHARES)))}
        missing = sorted(set(OFFICE_SHARES) - set(offices))
        if missing:
            raise GenerateError(f"offices {', '.join(missing)} are missing: run "
                                f"`flask demo load` first")
        self.manager = db.session.scalar(
            select(User).where(User.role == Role.MANAGER, User.active.is_(True))
            .order_by(User.id).limit(1))
        demo_officers = db.session.scalar(
            select(func.count()).select_from(User)
            .where(User.role == Role.CONSULAR_OFFICER, User.email.like("%@tracker.example")))
        if self.manager is None or not demo_officers:
            raise GenerateError("the demo accounts are missing: run `flask demo load` first")
        self.offices = offices
        self._add_officers()
        self.officers = {
            code: list(db.session.scalars(
                select(User.id).where(User.office_id == office.id, User.active.is_(True),
                                      User.role == Role.CONSULAR_OFFICER).order_by(User.id)))
            for code, office in offices.items()}
        stored = {t.category: t.working_days for t in db.session.scalars(select(ServiceTarget))}
        self.target_days = {c: stored.get(c, c.info.default_target_days) for c in Category}
        self.counters = {(r.prefix, r.year): r.last_number
                         for r in db.session.scalars(select(ReferenceCounter))}
        self.counters_before = dict(self.counters)
        self.ids = {table: (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
                    for table in (Case.__table__, Person.__table__, PersonName.__table__,
                                  PersonIdentifier.__table__, TimelineEvent.__table__,
                                  Enquiry.__table__)}
        # Identifiers already stored, so that a second run never reuses one.
        self.used_identifiers = {tuple(row) for row in db.session.execute(
            select(PersonIdentifier.kind, PersonIdentifier.value))}
        self.people: list[int] = []  # ids of generated subjects, for returning clients
        self.request_offices: list[tuple[int, str, datetime]] = []

    def _add_officers(self) -> None:
        rows = []
        for code, count in EXTRA_OFFICERS.items():
            for n in range(1, count + 1):
                email = GENERATED_EMAIL.format(code=code.lower(), n=n)
                name = synthetic.person_name(self.rng, pakistani=n % 2 == 0)
                if db.session.scalar(select(User.id).where(User.email == email)) is None:
                    rows.append({"email": email, "display_name": name,
                                 "role": Role.CONSULAR_OFFICER.value,
                                 "office_id": self.offices[code].id, "active": True,
                                 "reads_all_offices": False,
                                 # Nobody knows this password: an administrator sets one.
                                 "password_hash": hash_password(secrets.token_urlsafe(32)),
                                 "password_changed_at": self.now, "created_at": self.now,
                                 "version": 1})
        if rows:
            db.session.execute(insert(User.__table__), rows)
        self.stats.officers_created = len(rows)

    def _next_id(self, table) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    # --- requests ---------------------------------------------------------------------------

    def requests(self, count: int) -> None:
        rng = self.rng
        days = [FIRST_DAY + timedelta(days=n) for n in range((self.until - FIRST_DAY).days)]
        if not days:
            raise GenerateError("`until` must be after 1 January 2022")
        weights = []
        for day in days:
            weekday = (1.0, 1.0, 1.0, 1.0, 0.9, 0.25, 0.15)[day.weekday()]
            # Summer holidays (Norwegian-Pakistani families travel) and the winter break.
            season = {6: 1.3, 7: 1.5, 8: 1.3, 12: 1.2}.get(day.month, 1.0)
            growth = 1.0 + 0.08 * (day - FIRST_DAY).days / 365.25
            weights.append(weekday * season * growth)
        picked = rng.choices(days, weights=weights, k=count)
        planned = []
        for day in picked:
            office = _weighted(rng, OFFICE_SHARES)
            zone = ZoneInfo(self.offices[office].time_zone)
            if day.weekday() < 5 and rng.random() < 0.85:
                seconds = rng.randint(8 * 3600, 17 * 3600)  # opening hours
            else:
                seconds = rng.randint(0, 86399)
            local = datetime.combine(day, time.min, tzinfo=zone) + timedelta(seconds=seconds)
            planned.append((local.astimezone(UTC), office))
        planned.sort(key=lambda p: p[0])
        # References in order of opening, per office and year in the office's time zone.
        for start in range(0, len(planned), self.batch_size):
            batch = planned[start:start + self.batch_size]
            with unit_of_work():
                self._batch(batch)
                self._settle()
            self.stats.requests_written += len(batch)
            self.progress("requests", self.stats.requests_written, count)

    def _batch(self, planned: list[tuple[datetime, str]]) -> None:
        rows = {name: [] for name in ("persons", "names", "identifiers", "cases",
                                      "consular", "subjects", "timeline")}
        for opened, code in planned:
            self._one_request(opened, code, rows)
        for table, name in ((Person.__table__, "persons"), (PersonName.__table__, "names"),
                            (PersonIdentifier.__table__, "identifiers"),
                            (Case.__table__, "cases"),
                            (ConsularRequest.__table__, "consular"),
                            (request_subjects, "subjects"),
                            (TimelineEvent.__table__, "timeline")):
            if rows[name]:
                db.session.execute(insert(table), rows[name])
        self.stats.persons += len(rows["persons"])
        self.stats.person_names += len(rows["names"])
        self.stats.identifiers += len(rows["identifiers"])
        self.stats.subjects += len(rows["subjects"])
        self.stats.timeline_events += len(rows["timeline"])

    def _reference(self, code: str, year: int) -> str:
        """The office's next request reference of the year (CODE-YEAR-NNNNN)."""
        number = self.counters.get((code, year), 0) + 1
        self.counters[(code, year)] = number
        return f"{code}-{year}-{number:05d}"

    def _timeline_rows(self, case_id: int, events: list, rows: dict) -> None:
        for at, actor, kind, name, old, new, comment in events:
            rows["timeline"].append({
                "id": self._next_id(TimelineEvent.__table__), "case_id": case_id, "at": at,
                "actor_id": actor, "kind": kind, "transition": name, "from_status": old,
                "to_status": new, "comment": comment, "note_id": None, "attachment_id": None})

    def _one_request(self, opened: datetime, code: str, rows: dict) -> None:
        rng = self.rng
        office = self.offices[code]
        category = _weighted(rng, CATEGORY_SHARES)
        info = CATEGORIES[category]
        subcategory = _weighted(rng, SUBCATEGORY_SHARES[category])
        priority = self._priority(category, subcategory)
        urgent = priority != "routine"
        channel = _weighted(rng, URGENT_CHANNELS if urgent else CHANNELS)
        summary = rng.choice(SUMMARIES[f"{category.value}:{subcategory}"]).format(
            city=rng.choice(CITIES[code]), n=rng.randint(2, 6))
        officers = self.officers[code] or self.officers["ISB"]
        officer = rng.choice(officers)
        creator = rng.choice(officers)
        local_day = office_today(office.time_zone, opened)
        due = _due(local_day, self.target_days[category], office.time_zone)
        if due <= opened:
            due = opened + timedelta(days=1)

        case_id = self._next_id(Case.__table__)
        reference = self._reference(code, local_day.year)

        state = self._life(category, info, priority, opened, due, officer, rng,
                           ZoneInfo(office.time_zone))
        events = state.pop("events")
        assigned = officer
        if state["status"] == Status.NEW and rng.random() < 0.6:
            assigned = None  # not yet picked up
        subject_ids = self._subjects(category, subcategory, opened, creator, rows)
        requester_id, relationship = None, None
        if rng.random() < REPORTED_BY_OTHERS.get(category, 0.05):
            requester_id = self._requester(opened, creator, rows)
            relationship = rng.choice(RELATIONSHIPS)

        rows["cases"].append({
            "id": case_id, "kind": CaseKind.CONSULAR_REQUEST.value, "reference": reference,
            "office_id": office.id, "status": state["status"].value, "priority": priority,
            "summary": summary, "description": f"Generated test data. {summary}.",
            "assigned_to_id": assigned, "created_by_id": creator, "opened_at": opened,
            "due_at": state["due_at"], "waiting_since": state["waiting_since"],
            "waiting_on": state["waiting_on"], "waiting_reason": state["waiting_reason"],
            "hold_until": state["hold_until"], "paused_seconds": state["paused_seconds"],
            "resolved_at": state["resolved_at"], "closed_at": state["closed_at"],
            "closing_reason": state["closing_reason"],
            "approval_requested_by_id": state["approval_requested_by_id"], "version": 1})
        rows["consular"].append({
            "id": case_id, "category": category.value, "subcategory": subcategory,
            "channel": channel, "requester_id": requester_id,
            "requester_relationship": relationship})
        for person_id in subject_ids:
            rows["subjects"].append({"request_id": case_id, "person_id": person_id})
        self._timeline_rows(case_id, events, rows)
        self.request_offices.append((case_id, code, opened))
        self.stats.requests += 1
        self.stats.by_office[code] += 1
        self.stats.by_category[category.value] += 1
        self.stats.by_status[state["status"].value] += 1

    def _priority(self, category: Category, subcategory: str) -> str:
        shares = {"routine": 100}
        if subcategory == "emergency":
            shares = {"urgent": 60, "emergency": 40}
        elif subcategory == "lost_or_stolen":
            shares = {"routine": 70, "urgent": 30}
        elif category in (Category.DEATH, Category.ARREST, Category.MISSING_PERSON,
                          Category.REPORT_OF_CONCERN):
            shares = {"emergency": 25, "urgent": 60, "routine": 15}
        elif category is Category.HOSPITALISATION:
            shares = {"emergency": 20, "urgent": 60, "routine": 20}
        elif category in (Category.VICTIM_OF_CRIME, Category.FINANCIAL_DISTRESS):
            shares = {"urgent": 40, "routine": 60}
        return _weighted(self.rng, shares)

    def _life(self, category, info, priority, opened, due, officer, rng, zone) -> dict:
        """The request's history up to now, as the workflow engine would have written it."""
        hour, day = timedelta(hours=1), timedelta(days=1)
        t_start = opened + _hours_to_start(priority, rng) * hour
        plan = [(t_start, officer, "start", Status.NEW, Status.IN_PROGRESS, None)]
        wait = None  # (waiting_on, reason, hold_until or None, t_wait, t_resume)
        if rng.random() < 0.025:  # cancelled: a duplicate, or withdrawn before work started
            t_cancel = opened + rng.uniform(1, 240) * hour
            reason = "duplicate" if rng.random() < 0.4 else "withdrawn"
            plan = [] if t_cancel <= t_start else plan
            source = Status.NEW if t_cancel <= t_start else Status.IN_PROGRESS
            plan.append((t_cancel, officer, "cancel", source, Status.CANCELLED, None))
            closing = {"cancel": reason}
        else:
            handle = (due - opened) * rng.lognormvariate(-0.4, 0.5)
            if rng.random() < LONG_RUNNING.get(category, 0.005):
                handle *= rng.uniform(4, 25)
            handle = max(handle, 2 * hour)
            t_resolve = t_start + handle
            waits = {Category.PASSPORT: 0.3, Category.NATIONAL_ID: 0.3, Category.DEATH: 0.4,
                     Category.ARREST: 0.4, Category.NOTARIAL: 0.3}.get(category, 0.2)
            if rng.random() < waits:
                t_wait = t_start + handle * rng.uniform(0.1, 0.7)
                waiting_on = rng.choice(tuple(WAITING_REASONS))
                reason = rng.choice(WAITING_REASONS[waiting_on])
                if rng.random() < 0.55:  # a hold date: the tracker resumes it that morning
                    hold = (t_wait + rng.uniform(2, 30) * day).astimezone(zone).date()
                    t_resume = datetime.combine(hold, time(6), tzinfo=zone).astimezone(UTC)
                    resumer, comment = None, f"Hold date {hold:%d %b %Y} reached"
                else:
                    hold = None
                    t_resume = t_wait + max(rng.expovariate(1 / 6) * day, 4 * hour)
                    resumer, comment = officer, None
                wait = (waiting_on, reason, hold, t_wait, t_resume)
                plan.append((t_wait, officer, "wait", Status.IN_PROGRESS, Status.WAITING, None))
                plan.append((t_resume, resumer, "resume", Status.WAITING, Status.IN_PROGRESS,
                             comment))
                t_resolve += t_resume - t_wait
            reasons = list(info.closing_reasons)
            outcome = rng.choices(reasons, weights=[90] + [10 / max(1, len(reasons) - 1)] * (
                len(reasons) - 1))[0]
            if info.needs_approval:
                t_approve = t_resolve + rng.uniform(2, 72) * hour
                plan.append((t_resolve, officer, "request_approval", Status.IN_PROGRESS,
                             Status.PENDING_APPROVAL, None))
                plan.append((t_approve, self.manager.id, "approve", Status.PENDING_APPROVAL,
                             Status.RESOLVED, None))
                t_resolved = t_approve
            else:
                plan.append((t_resolve, officer, "resolve", Status.IN_PROGRESS,
                             Status.RESOLVED, None))
                t_resolved = t_resolve
            t_close = t_resolved + hour + rng.expovariate(1 / 4) * day
            plan.append((t_close, officer, "close", Status.RESOLVED, Status.CLOSED, None))
            closing = {"resolve": outcome}
        return self._replay(plan, wait, closing, opened, due, officer)

    def _replay(self, plan, wait, closing, opened, due, officer) -> dict:
        """The request's state after the planned moves that have happened by now."""
        state = {"status": Status.NEW, "due_at": due, "waiting_since": None,
                 "waiting_on": None, "waiting_reason": None, "hold_until": None,
                 "paused_seconds": 0, "resolved_at": None, "closed_at": None,
                 "closing_reason": None, "approval_requested_by_id": None,
                 "events": [(opened, officer, TimelineKind.OPENED.value, None, None,
                             Status.NEW.value, None)]}
        for at, actor, name, old, new, comment in plan:
            if at > self.now:
                break
            state["events"].append((at, actor, TimelineKind.STATUS.value, name, old.value,
                                    new.value, comment))
            state["status"] = new
            if name == "wait":
                state["waiting_since"] = at
                state["waiting_on"], state["waiting_reason"], state["hold_until"] = wait[:3]
            elif name == "resume":
                paused = at - state["waiting_since"]
                state["paused_seconds"] += int(paused.total_seconds())
                state["due_at"] += paused
                state["waiting_since"] = state["waiting_on"] = None
                state["waiting_reason"] = state["hold_until"] = None
            elif name in ("resolve", "request_approval"):
                state["closing_reason"] = closing["resolve"]
                if name == "request_approval":
                    state["approval_requested_by_id"] = actor
                else:
                    state["resolved_at"] = at
            elif name == "approve":
                state["resolved_at"] = at
            elif name == "close":
                state["closed_at"] = at
            elif name == "cancel":
                state["closing_reason"] = closing["cancel"]
                state["closed_at"] = at
        return state

    # --- persons ----------------------------------------------------------------------------

    def _subjects(self, category, subcategory, opened, creator, rows) -> list[int]:
        rng = self.rng
        if self.people and rng.random() < 0.15:  # a returning client
            first = self.people[int(len(self.people) * rng.random() ** 0.5)]
            subjects = [first]
        else:
            subjects = [self._person(category, subcategory, opened, creator, rows)]
        if category is Category.PASSPORT and rng.random() < 0.05:  # siblings together
            subjects.append(self._person(category, "new", opened, creator, rows, child=True))
        return subjects

    def _person(self, category, subcategory, opened, creator, rows, child=False) -> int:
        rng = self.rng
        nationality = _weighted(rng, {"dual": 45, "norwegian": 40, "pakistani": 10,
                                      "other": 5})
        pakistani = nationality in ("dual", "pakistani") or rng.random() < 0.3
        name = synthetic.person_name(rng, pakistani)
        if pakistani and rng.random() < 0.3:
            given, family = name.split(" ", 1)
            middle = rng.choice([g for g in synthetic.PAKISTANI_GIVEN if g != given])
            name = f"{given} {middle} {family}"
        other_names = []
        parts = name.split()
        if pakistani and rng.random() < 0.25 and all(p in URDU for p in parts):
            other_names.append(" ".join(URDU[p] for p in parts))
        today = opened.date()
        if child or (category is Category.PASSPORT and subcategory == "new"
                     and rng.random() < 0.7):
            age = rng.uniform(0, 17)
        elif category is Category.DEATH:
            age = rng.uniform(40, 92)
        else:
            age = rng.uniform(18, 85)
        birth = today - timedelta(days=int(age * 365.25))
        birth = max(birth, date(1930, 1, 1))
        identifiers = []
        if nationality in ("dual", "norwegian") and rng.random() < 0.95:
            identifiers.append(("norwegian_id", self._unique(
                "norwegian_id", lambda: synthetic.norwegian_id(birth, rng)), None))
        if nationality == "pakistani" and rng.random() < 0.5:
            identifiers.append(("norwegian_id", self._unique(
                "norwegian_id", lambda: synthetic.norwegian_id(birth, rng, d_number=True)),
                None))
        if nationality == "pakistani" or (nationality == "dual" and rng.random() < 0.7):
            identifiers.append(("cnic", self._unique("cnic", lambda: synthetic.cnic(rng)),
                                None))
        if nationality in ("dual", "norwegian") and rng.random() < 0.4:
            identifiers.append(("passport", self._unique(
                "passport", lambda: synthetic.norwegian_passport(rng)), "NO"))
        person_id = self._next_id(Person.__table__)
        rows["persons"].append({
            "id": person_id, "compartment": "consular", "full_name": name,
            # Exactly the key tracker.people.services stores, so searches find these.
            "folded_name": _search_key(name, other_names), "date_of_birth": birth,
            "sex": rng.choice(("female", "male")), "nationality": nationality,
            "other_nationality": None, "phone": self._phone(pakistani), "email": None,
            "address": None, "created_at": opened, "created_by_id": creator, "version": 1})
        for other in other_names:
            rows["names"].append({"id": self._next_id(PersonName.__table__),
                                  "person_id": person_id, "name": other})
        for kind, value, country in identifiers:
            rows["identifiers"].append({"id": self._next_id(PersonIdentifier.__table__),
                                        "person_id": person_id, "kind": kind, "value": value,
                                        "country": country})
        if not child:
            self.people.append(person_id)
        return person_id

    def _requester(self, opened, creator, rows) -> int:
        rng = self.rng
        name = synthetic.person_name(rng, rng.random() < 0.7)
        person_id = self._next_id(Person.__table__)
        rows["persons"].append({
            "id": person_id, "compartment": "consular", "full_name": name,
            "folded_name": _search_key(name, []), "date_of_birth": None, "sex": None,
            "nationality": None, "other_nationality": None, "phone": self._phone(True),
            "email": None, "address": None, "created_at": opened, "created_by_id": creator,
            "version": 1})
        return person_id

    def _phone(self, pakistani: bool) -> str:
        rng = self.rng
        if pakistani and rng.random() < 0.7:
            return f"+92 3{rng.randint(0, 49):02d} {rng.randint(1000000, 9999999)}"
        return f"+47 {rng.choice('49')}{rng.randint(0, 99):02d} {rng.randint(10, 99)} " \
               f"{rng.randint(100, 999)}"

    def _unique(self, kind: str, draw) -> str:
        for _ in range(1000):
            value = draw()
            if (kind, value) not in self.used_identifiers:
                self.used_identifiers.add((kind, value))
                return value
        raise GenerateError(f"could not draw a unique {kind}")

    # --- enquiries and the end --------------------------------------------------------------

    def enquiries(self, count: int) -> None:
        rng = self.rng
        rows = []
        span = (self.until - FIRST_DAY).days
        for _ in range(count):
            became = None
            if self.request_offices and rng.random() < 0.05:  # the question became a request
                became, code, opened = rng.choice(self.request_offices)
                received_at = opened - timedelta(minutes=rng.randint(5, 120))
            else:
                code = _weighted(rng, OFFICE_SHARES)
                day = FIRST_DAY + timedelta(days=rng.randrange(span))
                zone = ZoneInfo(self.offices[code].time_zone)
                received_at = (datetime.combine(day, time(8), tzinfo=zone)
                               + timedelta(seconds=rng.randint(0, 9 * 3600))).astimezone(UTC)
            office = self.offices[code]
            rows.append({"id": self._next_id(Enquiry.__table__), "office_id": office.id,
                         "received_on": office_today(office.time_zone, received_at),
                         "channel": _weighted(rng, CHANNELS),
                         "topic": _weighted(rng, ENQUIRY_TOPICS).value,
                         "handled_by_id": rng.choice(self.officers[code] or
                                                     self.officers["ISB"]),
                         "became_request_id": became, "created_at": received_at})
            if len(rows) >= self.batch_size:
                self._enquiry_batch(rows, count)
                rows = []
        if rows:
            self._enquiry_batch(rows, count)

    def _enquiry_batch(self, rows: list[dict], count: int) -> None:
        with unit_of_work():
            db.session.execute(insert(Enquiry.__table__), rows)
            self._settle()
        self.stats.enquiries = self.stats.enquiries_written = \
            self.stats.enquiries_written + len(rows)
        self.progress("enquiries", self.stats.enquiries_written, count)

    def _settle(self) -> None:
        """Leave the reference counters at the last number given; move the id sequences on
        (in each batch's commit, so that what is committed is consistent on its own)."""
        for (prefix, year), last in sorted(self.counters.items()):
            before = self.counters_before.get((prefix, year))
            if before is None:
                db.session.execute(insert(ReferenceCounter.__table__),
                                   [{"prefix": prefix, "year": year, "last_number": last}])
            elif last != before:
                db.session.execute(update(ReferenceCounter.__table__)
                                   .where(ReferenceCounter.prefix == prefix,
                                          ReferenceCounter.year == year)
                                   .values(last_number=last))
        self.counters_before = dict(self.counters)
        if db.session.get_bind().dialect.name == "postgresql":
            for table in (*self.ids, User.__table__):
                db.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT max(id) FROM {table.name}))"))
        # SQLite gives the next rowid as one past the largest: nothing to do there.
