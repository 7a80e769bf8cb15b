"""References: OFFICE-YEAR-NNNNN, unique, one sequence per office and year."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.conftest import make_office, make_person, make_user
from tests.consular.helpers import REFERENCE
from tracker.auth.models import Role
from tracker.cases.references import next_reference
from tracker.consular import services

UTC = timezone.utc


def _log(officer, opened_at=None):
    return services.create_request(officer, officer.office, services.RequestInput(
        category="passport", subcategory="renewal", priority="routine", channel="phone",
        summary="Reference test"), [make_person()], opened_at=opened_at)


def test_the_reference_reads_office_year_and_five_digits(app):
    office = make_office("ISB")
    officer = make_user(Role.CONSULAR_OFFICER, office=office)
    request = _log(officer, datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    assert request.reference == "ISB-2026-00001"
    assert REFERENCE.match(request.reference)


def test_sequential_per_office_and_year(app):
    first, second = make_office(), make_office()
    a = make_user(Role.CONSULAR_OFFICER, office=first)
    b = make_user(Role.CONSULAR_OFFICER, office=second)
    at = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    refs = [_log(a, at).reference, _log(a, at).reference, _log(b, at).reference,
            _log(a, at).reference, _log(b, at).reference]
    assert refs == [f"{first.code}-2026-00001", f"{first.code}-2026-00002",
                    f"{second.code}-2026-00001", f"{first.code}-2026-00003",
                    f"{second.code}-2026-00002"]
    assert len(set(refs)) == len(refs)
    # A new year starts again at 1; the old year's sequence goes on where it was.
    assert _log(a, datetime(2027, 2, 1, tzinfo=UTC)).reference == f"{first.code}-2027-00001"
    assert _log(a, at).reference == f"{first.code}-2026-00004"


def test_the_year_is_the_offices_year(app):
    office = make_office(time_zone="Asia/Karachi")
    officer = make_user(Role.CONSULAR_OFFICER, office=office)
    # 20:00 UTC on New Year's Eve is already 01:00 on 1 January in Islamabad.
    request = _log(officer, datetime(2025, 12, 31, 20, 0, tzinfo=UTC))
    assert request.reference == f"{office.code}-2026-00001"
    request = _log(officer, datetime(2025, 12, 31, 18, 59, tzinfo=UTC))
    assert request.reference == f"{office.code}-2025-00001"


def test_more_than_five_digits_still_unique(app):
    office = make_office()
    from tracker.cases.models import ReferenceCounter
    from tracker.extensions import db

    db.session.add(ReferenceCounter(prefix=office.code, year=2026, last_number=99_999))
    db.session.flush()
    assert next_reference(office.code, 2026) == f"{office.code}-2026-100000"


def test_the_reference_is_unique_in_the_database(app):
    from sqlalchemy.exc import IntegrityError

    from tracker.extensions import db

    office = make_office("ISB")
    officer = make_user(Role.CONSULAR_OFFICER, office=office)
    first = _log(officer, datetime(2026, 6, 1, tzinfo=UTC))
    assert first.reference == "ISB-2026-00001"
    second = _log(officer, datetime(2026, 6, 1, tzinfo=UTC))
    second.reference = first.reference
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
