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
    DemoAccount("police.deputy@tracker.example", "Mikael Lindqvist", Role.POLICE_LIAISON_OFFICER,
                "ISB", "demo deputy liaison"),
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
    return created + load_demo_requests() + load_demo_police() + load_demo_letter_templates()


def load_demo_letter_templates() -> int:
    """The sample letter templates, made in code, uploaded by the demo administrator (only
    into an empty table), and an address for the embassy's letterhead."""
    import io

    from werkzeug.datastructures import FileStorage

    from tracker.consular.categories import Category
    from tracker.letters import service as letters
    from tracker.letters.models import LetterTemplate
    from tracker.letters.samples import SAMPLE_TEMPLATES, docx_with

    embassy = db.session.scalar(select(Office).where(Office.code == "ISB"))
    if embassy is not None and not embassy.address:
        embassy.address = "Sector G-5, Diplomatic Enclave\nIslamabad"
    if db.session.scalar(select(LetterTemplate.id).limit(1)) is not None:
        return 0
    admin = db.session.scalar(select(User).where(User.role == Role.ADMINISTRATOR)
                              .order_by(User.id))
    for name, category, language, title, paragraphs in SAMPLE_TEMPLATES:
        content = docx_with(*paragraphs, title=title)
        letters.upload_template(admin, name=name, category=category, language=language,
                                upload=FileStorage(io.BytesIO(content), filename=f"{name}.docx"),
                                categories={c.value for c in Category})
    return len(SAMPLE_TEMPLATES)


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


def _demo_subject(n: int, rng, actor):
    """An invented person a demo request is about."""
    from datetime import date

    from tracker.people import services as people
    from tracker.people import synthetic

    birth = date(rng.randint(1950, 2015), rng.randint(1, 12), rng.randint(1, 28))
    pakistani = rng.random() < 0.5
    identifiers = [people.IdentifierInput(
        "norwegian_id", synthetic.norwegian_id(birth, rng, d_number=n % 7 == 3))]
    if pakistani:
        identifiers.append(people.IdentifierInput("cnic", synthetic.cnic(rng)))
    return people.create_person(
        people.Compartment.CONSULAR,
        people.PersonInput(full_name=synthetic.person_name(rng, pakistani),
                           date_of_birth=birth,
                           nationality="dual" if pakistani else "norwegian",
                           phone=f"+92 3{rng.randint(0, 49):02d} {rng.randint(1000000, 9999999)}",
                           identifiers=identifiers),
        actor)


def load_demo_requests(seed: int = 2026) -> int:
    """A few dozen requests across categories, offices and statuses; only into an empty table."""
    import random
    from datetime import timedelta

    from sqlalchemy import func

    from tracker.cases import journal
    from tracker.consular import services as consular
    from tracker.consular.models import ConsularRequest
    from tracker.db import utcnow

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
        subject = _demo_subject(n, rng, actor)
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


# --- police liaison cases -------------------------------------------------------------------

# (title, category, country, agency, counterpart, operation, steps, restricted)
DEMO_POLICE_CASES = (
    ("Child taken to Pakistan by a parent", "child_abduction", "SE", "Polismyndigheten/NOA",
     "fia", None, ["activate"], False),
    ("Lime case: trafficking of workers to Norway", "human_trafficking", "NO", "Kripos", "fia",
     "Lime", ["activate"], True),
    ("Drug money through hawala to Oslo", "money_laundering", "NO", "Oslo politidistrikt",
     "anf", "Tøyenløftet", ["activate", "request_mla"], False),
    ("Suspect in a Copenhagen homicide seen in Gujrat", "homicide", "DK", "Rigspolitiet",
     "punjab_police", None, ["activate", "await_counterpart"], False),
    ("Young woman taken abroad to be married", "forced_marriage", "FI",
     "KRP (Keskusrikospoliisi)", "ict_police", None, ["activate", "close"], False),
    ("Investment fraud against Icelandic pensioners", "fraud", "IS", "Ríkislögreglustjóri",
     "courts", None, ["activate", "suspend"], False),
)


def _demo_exchanges(case, officer, n: int, counterpart: str, rng) -> None:
    """Three invented exchanges, one of each of three handling codes."""
    from datetime import date, timedelta

    from tracker.police import services as police

    for code, direction in (("H0", "received"), ("H2" if n % 2 == 0 else "H1", "sent"),
                            ("H3", "received")):
        police.add_exchange(case, officer, police.ExchangeInput(
            exchanged_on=date.today() - timedelta(days=rng.randint(1, 30)),
            direction=direction, channel=rng.choice(["siena", "email", "meeting"]),
            counterpart={"fia": "FIA, Islamabad", "anf": "ANF, Rawalpindi",
                         "courts": "Ministry of Interior (MLA)",
                         "punjab_police": "Punjab Police, Gujrat",
                         "ict_police": "ICT Police"}[counterpart],
            summary=f"Invented demo exchange {code}: information on the whereabouts "
                    f"of a party.", handling_code=code,
            restriction="Not to be shared with the consular section." if code == "H3"
            else None,
            source_grade="B" if direction == "received" else None,
            information_grade="2" if direction == "received" else None))


def _demo_steps(case, officer, steps) -> None:
    """Move an invented case through its steps, with what each step asks for."""
    from datetime import date, timedelta

    from tracker.police import services as police

    for step in steps:
        details = {}
        if step == "await_counterpart":
            details = {"waiting_reason": "Arrest report from Gujrat police",
                       "hold_until": date.today() + timedelta(days=10)}
        comment = "Waiting for the trial in Helsinki." if step == "suspend" else None
        if step == "close":
            details = {"closing_reason": "voluntary_return"}
        police.move(case, officer, step, comment=comment, **details)


def load_demo_police(seed: int = 4711) -> int:
    """A handful of liaison cases across the five countries; only into an empty table."""
    import random
    from datetime import date

    from sqlalchemy import func

    from tracker.consular.models import ConsularRequest
    from tracker.people import services as people
    from tracker.people import synthetic
    from tracker.police import services as police
    from tracker.police.models import LiaisonCase

    if db.session.scalar(select(func.count()).select_from(LiaisonCase)):
        return 0
    rng = random.Random(seed)
    officer = db.session.scalar(select(User).where(User.email == "police@tracker.example"))
    for n, (title, category, country, agency, counterpart, operation, steps,
            restricted) in enumerate(DEMO_POLICE_CASES):
        case = police.open_case(officer, police.CaseInput(
            title=title, category=category, country=country, requesting_agency=agency,
            counterpart=counterpart, operation_name=operation,
            agency_reference=f"{country}-{rng.randint(1000, 9999)}/{2026 - n % 2}",
            priority="urgent" if category in ("child_abduction", "homicide") else "routine",
            description="Invented demo case."))
        roles = {"child_abduction": ["abducted_child", "parent_or_complainant", "suspect"],
                 "forced_marriage": ["victim"], "homicide": ["suspect", "witness"]}.get(
            category, ["suspect"])
        for role in roles:
            child = role == "abducted_child"
            birth = date(2017, 4, 9) if child else date(rng.randint(1960, 1999),
                                                        rng.randint(1, 12), rng.randint(1, 28))
            person = people.create_person(people.Compartment.POLICE, people.PersonInput(
                full_name=synthetic.person_name(rng, pakistani=role == "suspect"),
                date_of_birth=birth, nationality="dual",
                identifiers=[people.IdentifierInput(
                    "norwegian_id" if country == "NO" or child else "cnic",
                    synthetic.norwegian_id(birth, rng) if country == "NO" or child
                    else synthetic.cnic(rng))]), officer)
            police.add_party(case, officer, person, role)
        _demo_exchanges(case, officer, n, counterpart, rng)
        if operation == "Tøyenløftet":
            police.add_notice(case, officer, "red", f"A-{rng.randint(1000, 9999)}/5-2026")
        _demo_steps(case, officer, steps)
        if restricted:
            police.set_restriction(case, officer, True, [officer.id])
        if category == "child_abduction":
            concern = db.session.scalar(select(ConsularRequest).where(
                ConsularRequest.category == "report_of_concern",
                ConsularRequest.subcategory == "child_at_risk"))
            if concern is not None:
                police.share_link(police.link_consular(case, officer, concern.reference),
                                  officer)
    return len(DEMO_POLICE_CASES)
