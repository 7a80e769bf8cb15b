"""Demonstration data: invented people only, loaded once (running it again changes nothing)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tracker.auth import services
from tracker.auth.models import Office, OfficeKind, Role, User
from tracker.extensions import db


@dataclass(frozen=True)
class DemoOffice:
    code: str
    name: str
    kind: OfficeKind
    time_zone: str = "Asia/Karachi"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    display_name: str
    role: Role
    office: str
    password: str


DEMO_OFFICES = (
    DemoOffice("ISB", "Royal Norwegian Embassy, Islamabad", OfficeKind.EMBASSY),
    DemoOffice("KHI", "Honorary Consulate of Norway, Karachi", OfficeKind.HONORARY_CONSULATE),
    DemoOffice("LHE", "Honorary Consulate of Norway, Lahore", OfficeKind.HONORARY_CONSULATE),
)

# Invented names; passwords are for the demo only and meet the password rules.
DEMO_ACCOUNTS = (
    DemoAccount("consular@tracker.example", "Kari Nordmann", Role.CONSULAR_OFFICER, "ISB",
                "demo consular officer"),
    DemoAccount("consular.lahore@tracker.example", "Imran Qadeer", Role.CONSULAR_OFFICER, "LHE",
                "demo lahore consular"),
    DemoAccount("police@tracker.example", "Ola Nordmann", Role.POLICE_LIAISON_OFFICER, "ISB",
                "demo police liaison"),
    DemoAccount("manager@tracker.example", "Ingrid Fjellvang", Role.MANAGER, "ISB",
                "demo head of mission"),
    DemoAccount("admin@tracker.example", "Sindre Aasmul", Role.ADMINISTRATOR, "ISB",
                "demo system administrator"),
)


def load_demo() -> int:
    """Create whatever demo offices, accounts and requests are missing; returns how many."""
    created = 0
    offices = {}
    for spec in DEMO_OFFICES:
        office = db.session.scalar(select(Office).where(Office.code == spec.code))
        if office is None:
            office = services.create_office(code=spec.code, name=spec.name, kind=spec.kind,
                                            time_zone=spec.time_zone)
            created += 1
        offices[spec.code] = office
    for spec in DEMO_ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.email == spec.email)) is None:
            services.create_user(email=spec.email, display_name=spec.display_name,
                                 role=spec.role, office=offices[spec.office],
                                 password=spec.password)
            created += 1
    return created + load_demo_requests()


# --- consular requests ----------------------------------------------------------------------

# (office, category:kind, priority, summary, steps taken since, days ago opened)
DEMO_REQUESTS = (
    ("ISB", "arrest:arrest", "emergency", "Arrested at Islamabad airport, family called at night",
     ["start"], 1),
    ("LHE", "arrest:detention", "urgent", "Detained in Lahore after a traffic accident",
     ["start", "note", "request_approval"], 9),
    ("ISB", "passport:emergency", "urgent", "Passport stolen, flight to Oslo on Friday",
     ["start", "note", "document"], 2),
    ("ISB", "passport:renewal", "routine", "Passport renewal for a child born in Norway",
     ["start", "wait"], 12),
    ("KHI", "passport:lost_or_stolen", "routine", "Lost passport reported in Karachi", [], 0),
    ("ISB", "passport:new", "routine", "First passport for a newborn (D-number parent)",
     ["start", "resolve", "close"], 30),
    ("ISB", "death:repatriation", "urgent", "Death in Rawalpindi, family wants repatriation",
     ["start", "contact", "request_approval"], 6),
    ("LHE", "death:local_burial", "routine", "Death in Lahore, local burial arranged",
     ["start", "request_approval", "approve", "close"], 40),
    ("ISB", "hospitalisation:accident", "urgent", "Road accident near Murree, in hospital",
     ["start", "contact"], 3),
    ("KHI", "hospitalisation:illness", "routine", "Dengue fever, admitted in Karachi",
     ["start", "resolve"], 15),
    ("ISB", "report_of_concern:forced_marriage", "emergency",
     "Young woman fears forced marriage during summer visit", ["start", "note"], 2),
    ("LHE", "report_of_concern:child_at_risk", "urgent",
     "School reports a pupil not returned after holiday", ["start", "wait"], 20),
    ("ISB", "missing_person:adult", "urgent", "Relative missing since trip to Gilgit",
     ["start", "contact"], 5),
    ("ISB", "national_id:d_number", "routine", "D-number application for a spouse", ["start"],
     8),
    ("KHI", "national_id:question", "routine", "Question about a fødselsnummer on old papers",
     ["start", "resolve", "close"], 25),
    ("ISB", "financial_distress:repatriation", "urgent", "Stranded without money after robbery",
     ["start", "wait"], 4),
    ("ISB", "victim_of_crime:theft", "routine", "Robbed in Saddar, needs police report",
     ["start", "resolve"], 11),
    ("LHE", "notarial:legalisation", "routine", "Legalisation of a marriage certificate",
     ["start", "resolve", "close"], 35),
    ("ISB", "advice:travel", "routine", "Advice on travelling to Khyber Pakhtunkhwa",
     ["cancel"], 14),
    ("ISB", "passport:emergency", "emergency", "Emergency passport for hospital discharge",
     ["start", "resolve", "reopen"], 18),
    ("KHI", "arrest:prison_visit", "routine", "Prison visit to a detained citizen in Karachi",
     ["start", "contact", "wait"], 50),
    ("ISB", "passport:renewal", "routine", "Renewal, applicant abroad until next month",
     ["start", "wait"], 60),
    ("LHE", "passport:new", "routine", "New passport for a teenager", ["start"], 21),
    ("ISB", "other:other", "routine", "Request for a certificate of life", [], 1),
)


def load_demo_requests(seed: int = 2026) -> int:
    """A few dozen requests across categories, offices and statuses; only into an empty table."""
    import random
    from datetime import date, timedelta

    from sqlalchemy import func

    from tracker.cases import journal
    from tracker.consular import services as consular
    from tracker.consular.models import ConsularRequest
    from tracker.db import utcnow
    from tracker.people import services as people
    from tracker.people import synthetic

    if db.session.scalar(select(func.count()).select_from(ConsularRequest)):
        return 0
    rng = random.Random(seed)
    officers = {a.office: db.session.scalar(select(User).where(User.email == a.email))
                for a in DEMO_ACCOUNTS if a.role is Role.CONSULAR_OFFICER}
    manager = db.session.scalar(select(User).where(User.role == Role.MANAGER))
    offices = {o.code: o for o in db.session.scalars(select(Office))}
    now = utcnow()
    for n, (code, kind, priority, summary, steps, days_ago) in enumerate(DEMO_REQUESTS):
        office = offices[code]
        officer = officers.get(code) or officers["ISB"]
        actor = officer if officer.office_id == office.id else manager
        birth = date(rng.randint(1950, 2015), rng.randint(1, 12), rng.randint(1, 28))
        pakistani = rng.random() < 0.5
        identifiers = [people.IdentifierInput(
            "norwegian_id", synthetic.norwegian_id(birth, rng, d_number=n % 7 == 3))]
        if pakistani:
            identifiers.append(people.IdentifierInput("cnic", synthetic.cnic(rng)))
        subject = people.create_person(
            people.Compartment.CONSULAR,
            people.PersonInput(full_name=synthetic.person_name(rng, pakistani),
                               date_of_birth=birth,
                               nationality="dual" if pakistani else "norwegian",
                               phone=f"+92 3{rng.randint(0, 49):02d} {rng.randint(1000000, 9999999)}",
                               identifiers=identifiers),
            actor)
        category, _, subcategory = kind.partition(":")
        opened = now - timedelta(days=days_ago, hours=rng.randint(0, 8))
        request = consular.create_request(
            actor, office, consular.RequestInput(
                category=category, subcategory=subcategory, priority=priority,
                channel=rng.choice(["phone", "email", "walk_in", "web_form"]), summary=summary,
                description="Invented demo request. " + summary + ".",
                assigned_to_id=officer.id if officer.office_id == office.id else None),
            [subject], opened_at=opened)
        info = request.category.info
        for i, step in enumerate(steps):
            at = opened + timedelta(hours=6 * (i + 1))
            if step == "note":
                journal.add_note(request, actor, "Spoke to the family; next step agreed.")
            elif step == "contact":
                journal.add_contact(request, actor, "call", "the family",
                                    "Explained what the embassy can and cannot do.")
            elif step == "document":
                continue  # documents are uploaded by hand in the demo
            else:
                who = manager if step == "approve" else actor
                workflow_step(request, step, who, at, info, rng)
    return len(DEMO_REQUESTS)


def workflow_step(request, step, actor, at, info, rng) -> None:
    """Take one workflow step with the details it needs, as an officer would."""
    from datetime import date, timedelta

    from tracker.consular import services as consular

    details = {}
    comment = None
    if step == "wait":
        details = {"waiting_on": "host_authorities", "waiting_reason": "Papers from the court",
                   "hold_until": date.today() + timedelta(days=rng.randint(2, 14))}
    elif step in ("resolve", "request_approval"):
        details = {"closing_reason": next(iter(info.closing_reasons))}
    elif step == "cancel":
        details = {"cancel_reason": "withdrawn"}
    elif step == "reopen":
        comment = "The applicant came back: the passport was issued with a wrong name."
    consular.move(request, actor, step, comment=comment, at=at, **details)
