"""Small helpers for the police compartment's tests (plain functions, not fixtures)."""
from __future__ import annotations

from html import unescape
import random
import re
from datetime import date

from tests.conftest import audit_rows, count, make_user, timeline  # noqa: F401  (shared)
from tracker.audit.models import AuditEvent
from tracker.auth.models import Role
from tracker.cases.models import Attachment, Case, TimelineEvent
from tracker.extensions import db
from tracker.people import services as people
from tracker.people.models import Compartment, Person, PersonIdentifier, PersonName
from tracker.people.synthetic import cnic, norwegian_id
from tracker.police import services as police
from tracker.cases.links import ConsularLink
from tracker.police.models import (
    BreakGlass,
    CaseParty,
    Exchange,
    InterpolNotice,
    LiaisonCase,
    liaison_case_officers,
)

P = Role.POLICE_LIAISON_OFFICER
REFERENCE = re.compile(r"^POL-\d{4}-\d{4}$")


def liaison(**fields):
    return make_user(P, **fields)



# Every table a police form could write to: "nothing half-saved" compares all of them.
TABLES = (LiaisonCase, Case, CaseParty, Person, PersonIdentifier, PersonName, Exchange,
          InterpolNotice, BreakGlass, ConsularLink, TimelineEvent, Attachment, AuditEvent,
          liaison_case_officers)


def row_counts() -> dict:
    db.session.expire_all()
    return {getattr(t, "__tablename__", getattr(t, "name", str(t))): count(t) for t in TABLES}




def case_input(**fields) -> police.CaseInput:
    values = dict(title="Heroin shipment via Karachi port", category="drug_trafficking",
                  country="NO", requesting_agency="Kripos", counterpart="anf")
    values.update(fields)
    return police.CaseInput(**values)


def open_case(officer=None, **fields) -> LiaisonCase:
    case = police.open_case(officer or liaison(), case_input(**fields))
    db.session.commit()  # services flush; the test's unit of work ends here
    return case


def case_form(**fields) -> dict:
    """What the new-case form sends, all required fields filled in."""
    values = {"title": "Girl taken from Drammen to Jhelum", "category": "child_abduction",
              "country": "NO", "requesting_agency": "Oslo politidistrikt",
              "counterpart": "punjab_police", "priority": "urgent",
              "agency_reference": "", "operation_name": "", "counterpart_reference": "",
              "description": ""}
    values.update(fields)
    return values


def exchange_form(**fields) -> dict:
    values = {"exchanged_on": "", "direction": "received", "channel": "siena",
              "counterpart": "FIA Anti-Human Trafficking Circle, Lahore",
              "summary": "Suspect seen in Gujrat.", "handling_code": "H0", "restriction": "",
              "source_grade": "", "information_grade": ""}
    values.update(fields)
    return values


def exchange_input(**fields) -> police.ExchangeInput:
    values = dict(exchanged_on=None, direction="sent", channel="email", counterpart="Kripos",
                  summary="Status report sent.", handling_code="H0")
    values.update(fields)
    return police.ExchangeInput(**values)


def police_person(name: str = "Bilal Testmann", officer=None, **fields) -> Person:
    person = people.create_person(Compartment.POLICE, people.PersonInput(full_name=name, **fields),
                                  officer)
    db.session.commit()
    return person


def fnr(seed: int, born: date = date(1988, 3, 9), d_number: bool = False) -> str:
    return norwegian_id(born, random.Random(seed), d_number=d_number)


def a_cnic(seed: int) -> str:
    return cnic(random.Random(seed))


def wrong_check_digit(number: str) -> str:
    """The same number with its last check digit changed: never valid."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def page(response) -> str:
    return response.get_data(as_text=True)


def field_error(html: str, field_id: str) -> list[str]:
    """The error messages shown next to one field (the form macro's markup), as read."""
    return [unescape(m.strip()) for m in re.findall(
        rf'<p class="error" id="{re.escape(field_id)}-error-\d+"><span class="visually-hidden">'
        r'Error:</span>\s*(.*?)</p>', html, re.S)]


def results(html: str) -> str:
    """The part of the case list below its search form."""
    return html.split('aria-label="Find liaison cases"', 1)[1].split("</form>", 1)[1]


def party_form(**fields) -> dict:
    """What an officer posts to add a person to a case: a new suspect; `fields` replace."""
    values = {"role": "suspect", "full_name": "Tariq Testmann", "other_names": "",
              "date_of_birth": "", "nationality": "", "identifier_kind": "",
              "identifier_value": "", "identifier_country": ""}
    values.update(fields)
    return values
