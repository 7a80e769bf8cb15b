"""Small helpers shared by the consular and case tests (not fixtures: plain functions)."""
from __future__ import annotations

import random
import re
from datetime import date

from sqlalchemy import func, select

from tests.conftest import make_person
from tracker.audit.models import AuditEvent
from tracker.cases.models import TimelineEvent
from tracker.extensions import db
from tracker.people.synthetic import cnic, norwegian_id, norwegian_passport

REFERENCE = re.compile(r"^[A-Z]{3}-\d{4}-\d{5}$")


def count(model, *where) -> int:
    stmt = select(func.count()).select_from(model)
    if where:
        stmt = stmt.where(*where)
    return db.session.scalar(stmt)


def audit_rows(reference: str, action: str | None = None) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.object_id == reference)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


def timeline(case) -> list[TimelineEvent]:
    return list(db.session.scalars(select(TimelineEvent).where(TimelineEvent.case_id == case.id)
                                   .order_by(TimelineEvent.at, TimelineEvent.id)))


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
