"""Rule 1: every figure of the monthly report is what a plain count of the data gives.

Hypothesis makes small datasets whose timestamps crowd around month boundaries in
Asia/Karachi; they go straight into the tables (Core inserts), and every cell of
live_report, for all offices and for one office, is compared with a count in Python
(tests/reports/data.py: expected_report).
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from tracker.consular.categories import Category
from tracker.extensions import db
from tracker.reports.periods import Month
from tracker.reports.report import live_report

from .data import (
    Dataset,
    RequestRow,
    cell_differences,
    datasets,
    expected_report,
    load,
    make_offices,
    make_staff,
    nearest_rank,
    office_names,
)

# REPORT_EXAMPLES=1000 for a longer search.
PROPERTY = settings(max_examples=int(os.environ.get("REPORT_EXAMPLES", 60)), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture
def setting(app):
    offices = make_offices()
    return offices, make_staff(offices)


@PROPERTY
@given(data=datasets())
def test_every_cell_matches_a_plain_count(setting, data):
    offices, staff = setting
    savepoint = db.session.begin_nested()
    try:
        load(data, offices, staff)
        names = office_names()
        for code in (None, "KHI"):
            report = live_report(data.month, offices[code] if code else None)
            problems = cell_differences(report, expected_report(data, code, names))
            assert not problems, f"office {code or 'all'}:\n" + "\n".join(problems)
    finally:
        savepoint.rollback()


def test_nearest_rank_is_the_ceiling_rank():
    assert nearest_rank([5], 50) == 5
    assert nearest_rank([1, 2], 50) == 1  # rank ceil(1.0) = 1
    assert nearest_rank([1, 2, 3], 50) == 2  # rank ceil(1.5) = 2
    assert nearest_rank(list(range(1, 11)), 90) == 9  # rank 9
    assert nearest_rank(list(range(1, 12)), 90) == 10  # rank ceil(9.9) = 10


def _utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def test_days_are_rounded_half_up_and_exclude_time_on_hold(setting):
    """Resolved after 6 hours (0.25 days) and after 42 hours with 24 on hold (0.75 days): the
    tenth is rounded up on both databases alike (a float round() gives 0.2 and 0.8)."""
    offices, staff = setting
    month = Month(2026, 10)
    opened = _utc(2026, 10, 5, 8)
    rows = [RequestRow("ISB", Category.PASSPORT, "renewal", "resolved", opened,
                       _utc(2026, 10, 5, 14), None, 0, None, "issued", [0]),
            RequestRow("ISB", Category.PASSPORT, "renewal", "resolved", opened,
                       _utc(2026, 10, 7, 2), None, 24 * 3600, None, "issued", [0])]
    load(Dataset(month, requests=rows, persons=1, children=1), offices, staff)
    report = live_report(month, None)
    days = next(t for t in report.consular if t.key == "time_to_resolution")
    assert days.value(Category.PASSPORT.label, "Resolved") == 2
    assert days.value(Category.PASSPORT.label, "Median days") == 0.3
    assert days.value(Category.PASSPORT.label, "90th percentile days") == 0.8


def test_days_on_a_rounding_edge_are_exact(setting):
    """Durations of an odd number of twentieths of a day (4320 s) sit exactly on a rounding
    edge; SQLite's julianday() is a floating-point day count, off by microseconds about half
    the time, which tipped such a value down. Whole seconds count the same on both databases."""
    offices, staff = setting
    month = Month(2026, 10)
    rows = []
    for k, category in enumerate(Category):
        opened = _utc(2026, 10, 1, 3) + k * timedelta(hours=17, minutes=13, seconds=41)
        duration = timedelta(seconds=4320 * (2 * k + 1))
        rows.append(RequestRow("ISB", category, next(iter(category.info.subcategories)),
                               "resolved", opened, opened + duration, None, 0, None, None, [0]))
    load(Dataset(month, requests=rows, persons=1, children=1), offices, staff)
    days = next(t for t in live_report(month, None).consular if t.key == "time_to_resolution")
    for k, category in enumerate(Category):
        twentieths = 2 * k + 1  # (2k+1)/20 days, rounded half up to a tenth
        expected = float((Decimal(twentieths) / 20).quantize(Decimal("0.1"), ROUND_HALF_UP))
        assert days.value(category.label, "Median days") == expected, category
