"""Rule 7: a bad month is a 400, never a 500; a month is a calendar month in Asia/Karachi."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_office, make_person, make_user
from tracker.auth.models import OfficeKind, Role
from tracker.consular import services as consular
from tracker.consular.categories import Category
from tracker.extensions import db
from tracker.reports.periods import Month
from tracker.reports.report import live_report

from .pages import html_tables

BAD_MONTHS = ("2026-13", "2026-00", "2026-1x", "26-10", "2026/10", "2026-10-01", "October",
              "1999-12", "2101-01", "-2026-10", "2026--1", "9" * 400, "2026-10\x00",
              "%00", "<script>", "2026-10; DROP TABLE cases", " ")


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, month", [("2026-10", Month(2026, 10)),
                                         ("2026-1", Month(2026, 1)),
                                         (" 2000-01 ", Month(2000, 1)),
                                         ("2100-12", Month(2100, 12))])
def test_months_parse(text, month):
    assert Month.parse(text) == month


@pytest.mark.parametrize("text", BAD_MONTHS + ("", None))
def test_bad_months_do_not_parse(text):
    with pytest.raises(ValueError):
        Month.parse(text)


def test_a_month_is_bounded_in_karachi_time():
    start, end = Month(2026, 10).bounds("Asia/Karachi")
    assert start == utc(2026, 9, 30, 19) and end == utc(2026, 10, 31, 19)
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2026, 3).last_months(12)[0] == Month(2025, 4)
    assert Month.containing(utc(2026, 10, 31, 20), "Asia/Karachi") == Month(2026, 11)
    assert Month.containing(utc(2026, 10, 31, 18, 59, 59), "Asia/Karachi") == Month(2026, 10)


@pytest.fixture
def manager(login_as):
    return login_as(Role.MANAGER, office=make_office(kind=OfficeKind.EMBASSY))


@pytest.mark.parametrize("month", BAD_MONTHS)
def test_a_bad_month_in_the_url_is_a_400(manager, month):
    assert manager.get("/reports/", query_string={"month": month}).status_code == 400
    for fmt in ("csv", "xlsx", "pdf"):
        assert manager.get(f"/reports/export/{fmt}", query_string={"month": month}
                           ).status_code == 400
    assert manager.post("/reports/publish", {"month": month}).status_code == 400


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(month=st.text(max_size=20), office=st.text(max_size=10))
def test_no_month_or_office_is_a_500(manager, month, office):
    response = manager.get("/reports/", query_string={"month": month, "office": office})
    assert response.status_code in (200, 400, 404), (month, office, response.status_code)


@pytest.mark.parametrize("office", ["ISB\x00", "x" * 300, "is'b", "ÅÆØ"])
def test_a_strange_office_code_is_not_found(manager, office):
    assert manager.get("/reports/", query_string={"month": "2026-10", "office": office}
                       ).status_code == 404


def test_a_request_opened_in_the_evening_of_the_31st_utc_counts_in_november(manager):
    office = manager.user.office
    officer = make_user(Role.CONSULAR_OFFICER, office=office)
    for opened in (utc(2026, 10, 31, 18, 59, 59), utc(2026, 10, 31, 19), utc(2026, 10, 31, 20),
                   utc(2026, 9, 30, 18, 59, 59)):
        consular.create_request(officer, office, consular.RequestInput(
            category="passport", subcategory="renewal", priority="routine", channel="phone",
            summary="Late evening", assigned_to_id=officer.id), [make_person()],
            opened_at=opened)
    db.session.commit()
    label = Category.PASSPORT.label
    october = live_report(Month(2026, 10), None)
    november = live_report(Month(2026, 11), office)
    assert october.consular[1].value(label, "Opened") == 1  # only 18:59:59 on the 31st
    assert november.consular[1].value(label, "Opened") == 2  # 19:00 and 20:00 UTC
    assert october.trends["consular_opened"][-2:] == [1, 1]  # September's 23:59:59 local
    for month, opened in (("2026-10", "1"), ("2026-11", "2"), ("2026-09", "1")):
        html = manager.get(f"/reports/?month={month}&office=all").get_data(as_text=True)
        assert html_tables(html)["Requests by category"].row(label)[0] == opened, month


def test_enquiries_count_by_their_local_day(manager):
    from tracker.consular.models import Enquiry

    office = manager.user.office
    for day in (date(2026, 10, 31), date(2026, 11, 1)):
        db.session.add(Enquiry(office_id=office.id, received_on=day, channel="phone",
                               topic="passport", handled_by_id=manager.user.id))
    db.session.commit()
    october = live_report(Month(2026, 10), office)
    assert october.consular[0].value(Category.PASSPORT.label, "Phone") == 1
    assert october.trends["enquiries"][-1] == 1
