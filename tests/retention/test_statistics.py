"""Statistics survive retention: every monthly report, as a page, CSV and XLSX, for every office
and for all, shows the same figures before and after everything closed is anonymised."""
from __future__ import annotations

import random
from datetime import datetime, timezone

from sqlalchemy import func, select

from tests.reports import data
from tests.reports.pages import csv_tables, html_tables, xlsx_tables
from tracker.auth.models import Role
from tracker.cases.models import Case
from tracker.extensions import db
from tracker.reports.periods import Month
from tracker.reports.report import live_report
from tracker.retention import service

MONTHS = (Month(2026, 1), Month(2026, 3), Month(2026, 6), Month(2026, 10))
LATER = datetime(2060, 1, 1, tzinfo=timezone.utc)  # every period has run out by then
TITLES = {"Enquiries by topic and channel", "Requests by category", "Requests by office",
          "Days to resolution (time on hold excluded)", "Past the service target",
          "Counts for publication", "Persons helped and requests opened",
          "Liaison cases by kind", "Liaison cases by the country they are handled for",
          "Exchanges with counterparts", "Child abduction: cases and children",
          "Outcomes of cases closed in the month"}


def everything_shown(manager, offices) -> dict:
    """Every month x office: the raw tables, and the page, CSV and XLSX as a reader sees them."""
    shown = {}
    for month in MONTHS:
        for office in [None, *offices.values()]:
            code = office.code if office else "all"
            raw = live_report(month, office)
            shown[(str(month), code, "raw")] = [t.as_dict() for t in raw.consular + raw.police]
            query = f"month={month}&office={code}"
            page = manager.get(f"/reports/?{query}")
            assert page.status_code == 200
            shown[(str(month), code, "page")] = {
                k: (v.header, v.rows, v.footer)
                for k, v in html_tables(page.get_data(as_text=True)).items()}
            for fmt, read in (("csv", csv_tables), ("xlsx", xlsx_tables)):
                body = manager.get(f"/reports/export/{fmt}?{query}")
                assert body.status_code == 200
                shown[(str(month), code, fmt)] = {
                    k: (v.header, v.rows, v.footer) for k, v in read(body.data, TITLES).items()}
    return shown


def test_every_report_shows_the_same_figures_after_retention(app, login_as):
    rng = random.Random(20261201)
    offices = data.make_offices()
    staff = data.make_staff(offices)
    for month in MONTHS:
        data.load(data.make_dataset(data.RandomChooser(rng), month, max_requests=25,
                                    max_enquiries=8, max_police=10, at_least=6),
                  offices, staff)
    db.session.commit()
    manager = login_as(Role.MANAGER)
    before = everything_shown(manager, offices)
    assert any(rows for key, tables in before.items() if key[2] == "page"
               for _, rows, _ in tables.values())
    record = service.run(as_of=LATER)
    closed = db.session.scalar(select(func.count()).select_from(Case)
                               .where(Case.closed_at.is_not(None)))
    assert record.anonymised == closed > 20
    assert db.session.scalar(select(func.count()).select_from(Case).where(
        Case.closed_at.is_not(None), Case.anonymised_at.is_(None))) == 0
    after = everything_shown(manager, offices)
    assert after.keys() == before.keys()
    differing = [key for key in before if before[key] != after[key]]
    assert differing == []
