"""Cases full of a marker word, closed long ago, for the retention tests."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import String, Text, inspect, text, update

from tests.conftest import PDF_BYTES, make_document, make_office, make_user
from tracker.auth.models import Role
from tracker.cases import holds, journal
from tracker.cases.models import Case
from tracker.consular import services as consular
from tracker.extensions import db
from tracker.people import services as people
from tracker.people.models import Compartment
from tracker.people.synthetic import norwegian_id
from tracker.police import services as police

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
LONG_AGO = NOW - timedelta(days=365 * 12)  # past every default period (10 years at most)
LATELY = NOW - timedelta(days=30)


def close(case: Case, at: datetime) -> None:
    """Mark the case closed at `at` (the workflow is tested elsewhere; here only the date
    counts). A Core statement: the status listener guards ORM writes."""
    db.session.execute(update(Case.__table__).where(Case.__table__.c.id == case.id).values(
        status="closed", closed_at=at, resolved_at=at, closing_reason="withdrawn"
        if case.kind == "consular_request" else "other"))
    db.session.commit()
    db.session.expire_all()


def marked_person(marker: str, compartment: Compartment, officer=None):
    birth = date(1984, 5, 17)
    identifier = norwegian_id(birth, random.Random(hash(marker) & 0xFFFF))
    return people.create_person(compartment, people.PersonInput(
        full_name=f"Kari {marker}sen", date_of_birth=birth, phone="+47 912 34 567",
        email=f"{marker.lower()}@example.org", address=f"{marker}veien 1, Oslo",
        other_nationality=f"{marker}land", other_names=[f"Karima {marker}"],
        identifiers=[people.IdentifierInput("norwegian_id", identifier)]), officer)


def marked_request(marker: str, *, office=None, officer=None, category: str = "passport",
                   subcategory: str = "renewal", closed_at: datetime | None = LONG_AGO,
                   subject=None):
    """A consular request whose every free text, person and document holds `marker`."""
    office = office or make_office()
    officer = officer or make_user(Role.CONSULAR_OFFICER, office=office)
    subject = subject or marked_person(marker, Compartment.CONSULAR, officer)
    requester = people.create_person(Compartment.CONSULAR, people.PersonInput(
        full_name=f"Ola {marker}sen", phone="+92 300 1234567"), officer)
    people.relate(requester, subject, "parent", actor=officer)
    request = consular.create_request(officer, office, consular.RequestInput(
        category=category, subcategory=subcategory, priority="routine", channel="phone",
        summary=f"Renewal for {marker}", description=f"Lost in {marker}abad",
        assigned_to_id=officer.id, requester_relationship=f"{marker} father",
        place_of_event=f"{marker}pur"), [subject], requester)
    journal.add_note(request, officer, f"Called about {marker} today")
    journal.add_contact(request, officer, "call", f"{marker} hospital", f"Said {marker} is fine")
    db.session.commit()
    make_document(request, officer, PDF_BYTES.replace(b"1 0 obj", f"%{marker}\n1 0 obj".encode()),
                  filename=f"{marker}-letter.pdf")
    if closed_at is not None:
        close(request, closed_at)
    return db.session.get(type(request), request.id)


def marked_liaison_case(marker: str, *, officer=None, closed_at: datetime | None = LONG_AGO,
                        category: str = "child_abduction"):
    """A liaison case whose every free text, party and document holds `marker`."""
    officer = officer or make_user(Role.POLICE_LIAISON_OFFICER)
    case = police.open_case(officer, police.CaseInput(
        title=f"Child {marker} taken abroad", category=category, country="SE",
        requesting_agency=f"{marker} police", counterpart="fia",
        agency_reference=f"{marker}-1", operation_name=f"{marker}løftet",
        counterpart_reference=f"FIA/{marker}", fir_number=f"FIR {marker}",
        description=f"{marker} details"))
    child = marked_person(marker, Compartment.POLICE, officer)
    police.add_party(case, officer, child, "abducted_child")
    police.add_notice(case, officer, "yellow", f"{marker[:6]}-2026")
    police.add_exchange(case, officer, police.ExchangeInput(
        exchanged_on=date(2014, 3, 4), direction="received", channel="siena",
        counterpart=f"{marker} desk", summary=f"{marker} seen in Lahore", handling_code="H3",
        restriction=f"Not to {marker}"))
    police.break_glass(case, officer, f"Covering {marker}")
    journal.add_note(case, officer, f"Note on {marker}")
    db.session.commit()
    make_document(case, officer, filename=f"{marker}-siena.pdf")
    if closed_at is not None:
        close(case, closed_at)
    return db.session.get(type(case), case.id)


def hold(case, officer, reason: str):
    holds.place_hold(case, officer, reason)
    db.session.commit()


def text_columns_holding(word: str) -> list[str]:
    """`table.column` of every text column (audit log aside) where `word` occurs, any case."""
    found = []
    inspector = inspect(db.session.connection())
    for table in inspector.get_table_names():
        if table == "audit_events":
            continue
        for column in inspector.get_columns(table):
            if not isinstance(column["type"], (String, Text)):
                continue
            hits = db.session.execute(text(
                f'SELECT count(*) FROM "{table}" WHERE lower(CAST("{column["name"]}" AS TEXT))'
                " LIKE :word"), {"word": f"%{word.lower()}%"}).scalar()
            if hits:
                found.append(f"{table}.{column['name']}")
    if db.session.get_bind().dialect.name == "sqlite":  # the full-text indexes themselves
        for fts in ("search_fts", "police_search_fts"):
            if db.session.execute(text(f"SELECT count(*) FROM {fts} WHERE {fts} MATCH :w"),
                                  {"w": word.lower()}).scalar():
                found.append(fts)
    return found


def files_holding(folder, word: str) -> list[str]:
    return [p.name for p in folder.iterdir() if p.is_file() and word.encode() in p.read_bytes()]
