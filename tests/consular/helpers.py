"""Small helpers shared by the consular and case tests (not fixtures: plain functions)."""
from __future__ import annotations

import random
import re
from datetime import date

from tests.conftest import audit_rows, count, make_person, timeline  # noqa: F401  (shared)
from tracker.people.synthetic import cnic, norwegian_id, norwegian_passport

REFERENCE = re.compile(r"^[A-Z]{3}-\d{4}-\d{5}$")





def fnr(seed: int, born: date = date(1985, 4, 17), d_number: bool = False) -> str:
    return norwegian_id(born, random.Random(seed), d_number=d_number)


def a_cnic(seed: int) -> str:
    return cnic(random.Random(seed))


def a_passport(seed: int) -> str:
    return norwegian_passport(random.Random(seed))


def person_with_id(name: str, kind: str, value: str, **fields):
    from tracker.people.services import IdentifierInput

    return make_person(name, identifiers=[IdentifierInput(kind, value)], **fields)


URDU_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def in_urdu_digits(text: str) -> str:
    return text.translate(URDU_DIGITS)


def new_request_form(**fields) -> dict:
    """What an officer posts to log a request: a lost passport, a new person; `fields` replace."""
    values = {"kind": "passport:lost_or_stolen", "priority": "urgent", "channel": "walk_in",
              "summary": "Passport stolen in Saddar", "description": "", "assigned_to": "0",
              "full_name": "Sana Testesen", "identifier_kind": "", "identifier_value": ""}
    values.update(fields)
    return values
