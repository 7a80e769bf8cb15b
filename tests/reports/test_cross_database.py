"""Rule 2: the same data gives the same figures on PostgreSQL and on SQLite.

One fixed dataset (seeded, timestamps around Karachi month boundaries) goes into a fresh
PostgreSQL database and a fresh SQLite one, each made by the migrations in an application of
its own; every cell of live_report (all offices, and each office) must agree.
"""
from __future__ import annotations

import random

import pytest
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.engine import make_url

import tracker
import tracker.config
from tests.conftest import sibling_database
from tracker.auth.models import Office
from tracker.extensions import db
from tracker.reports.periods import Month
from tracker.reports.report import live_report

from .data import (
    RandomChooser,
    cell_differences,
    expected_report,
    load,
    make_dataset,
    make_offices,
    make_staff,
    office_names,
)


def _figures(url: str, data) -> dict:
    """Migrate a fresh database, load the dataset, and return every report as plain data."""
    app = tracker.create_app(tracker.config.make_test_config(url))
    with app.app_context():
        try:
            upgrade()
            offices = make_offices()
            load(data, offices, make_staff(offices))
            db.session.commit()
            figures = {}
            names = office_names()
            for code in (None, *offices):
                office = db.session.scalar(select(Office).where(Office.code == code)) \
                    if code else None
                report = live_report(data.month, office)
                # Each database must also agree with the count in Python.
                problems = cell_differences(report, expected_report(data, code, names))
                assert not problems, f"{url.split(':')[0]} {code}: " + "\n".join(problems)
                figures[code or "all"] = report.to_dict()
            return figures
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.mark.own_database
def test_postgresql_and_sqlite_give_the_same_figures(database_url, tmp_path):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://... to "
                    "compare it with SQLite")
    data = make_dataset(RandomChooser(random.Random(20261031)), Month(2026, 10),
                        max_requests=60, max_enquiries=40, max_police=30, at_least=20)
    assert len(data.requests) > 10 and len(data.police) > 5
    postgres = _figures(sibling_database(database_url, "cross", tmp_path), data)
    sqlite = _figures(sibling_database(f"sqlite:///{tmp_path / 'x.sqlite3'}", "cross",
                                       tmp_path), data)
    assert postgres.keys() == sqlite.keys() == {"all", "ISB", "KHI", "LHE"}
    for scope in postgres:
        assert postgres[scope] == sqlite[scope], scope
