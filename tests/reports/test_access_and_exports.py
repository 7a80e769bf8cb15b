"""Rules 5 and 6: who sees which part of the report, what the exports contain, that formula-like
text stays text, and that every export (page, command line) is audited.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.conftest import make_liaison_case, make_office, make_request, make_user
from tracker.audit.models import AuditEvent
from tracker.auth.models import OfficeKind, Role
from tracker.db import utcnow
from tracker.extensions import db
from tracker.reports.periods import Month

from .pages import csv_tables, html_tables, pdf_text, xlsx_sheet, xlsx_tables

CONSULAR_TITLES = {"Enquiries by topic and channel", "Requests by category",
                   "Requests by office", "Days to resolution (time on hold excluded)",
                   "Past the service target", "Counts for publication",
                   "Persons helped and requests opened"}
POLICE_TITLES = {"Liaison cases by kind", "Liaison cases by the country they are handled for",
                 "Exchanges with counterparts", "Child abduction: cases and children",
                 "Outcomes of cases closed in the month"}
FORMATS = ("csv", "xlsx", "pdf")
FORMULAS = ("=1+1", "+cmd", "-2+3", "@SUM(A1)")


def this_month() -> Month:
    return Month.containing(utcnow(), "Asia/Karachi")


@pytest.fixture
def world(app):
    """Two offices with requests (3 at the embassy, 2 at Karachi) and one liaison case."""
    embassy = make_office(kind=OfficeKind.EMBASSY, name="Embassy Islamabad")
    karachi = make_office(kind=OfficeKind.HONORARY_CONSULATE, name="Consulate Karachi")
    for office, n in ((embassy, 3), (karachi, 2)):
        officer = make_user(Role.CONSULAR_OFFICER, office=office)
        for _ in range(n):
            make_request(officer=officer)
    make_liaison_case(make_user(Role.POLICE_LIAISON_OFFICER, office=embassy))
    return embassy, karachi


def _titles(tables) -> set[str]:
    return set(tables) & (CONSULAR_TITLES | POLICE_TITLES)


def _exported(client, fmt: str, query: str):
    response = client.get(f"/reports/export/{fmt}?{query}")
    assert response.status_code == 200, (fmt, response.status_code)
    return response


def _export_titles(client, query: str) -> dict[str, set[str]]:
    titles = CONSULAR_TITLES | POLICE_TITLES
    found = {"csv": set(csv_tables(_exported(client, "csv", query).data, titles)),
             "xlsx": set(xlsx_tables(_exported(client, "xlsx", query).data, titles))}
    text = pdf_text(_exported(client, "pdf", query).data)
    found["pdf"] = {t for t in titles if any(line.strip() == t for line in text.splitlines())}
    return found


def test_a_manager_reads_both_parts_for_any_office(login_as, world):
    embassy, karachi = world
    manager = login_as(Role.MANAGER, office=embassy)
    month = this_month()
    html = manager.get(f"/reports/?month={month}&office=all").get_data(as_text=True)
    tables = html_tables(html)
    assert _titles(tables) == CONSULAR_TITLES | POLICE_TITLES
    assert tables["Requests by office"].row(embassy.name)[0] == "3"
    assert tables["Requests by office"].row(karachi.name)[0] == "2"
    for fmt, titles in _export_titles(manager, f"month={month}&office=all").items():
        assert titles == CONSULAR_TITLES | POLICE_TITLES, fmt
    html = manager.get(f"/reports/?month={month}&office={karachi.code}").get_data(as_text=True)
    by_office = html_tables(html)["Requests by office"]
    assert [row[0] for row in by_office.rows] == [karachi.name]
    assert by_office.row(karachi.name)[0] == "2"


def test_a_consular_officer_gets_the_consular_part_of_their_own_office_only(login_as, world):
    embassy, karachi = world
    officer = login_as(Role.CONSULAR_OFFICER, office=karachi)
    month = this_month()
    for query in (f"month={month}", f"month={month}&office={embassy.code}",
                  f"month={month}&office=all", f"month={month}&section=police"):
        html = officer.get(f"/reports/?{query}").get_data(as_text=True)
        tables = html_tables(html)
        assert _titles(tables) == CONSULAR_TITLES, query
        assert [row[0] for row in tables["Requests by office"].rows] == [karachi.name]
        assert tables["Requests by category"].total("Opened") == "2", query
        assert "Police liaison" not in html and "Liaison cases" not in html, query
        assert officer.post("/reports/publish", {"month": str(month)}).status_code == 403
        for fmt, titles in _export_titles(officer, query).items():
            assert titles == CONSULAR_TITLES, (fmt, query)


def test_the_liaison_officer_gets_the_police_part_only(login_as, world):
    embassy, _ = world
    liaison = login_as(Role.POLICE_LIAISON_OFFICER, office=embassy)
    month = this_month()
    html = liaison.get(f"/reports/?month={month}&office={embassy.code}").get_data(as_text=True)
    tables = html_tables(html)
    assert _titles(tables) == POLICE_TITLES
    assert "Consular section" not in html
    charts = json.loads(html.split('id="chart-data">')[1].split("</script>")[0])
    assert [c["section"] for c in charts["charts"]] == ["police"]
    for fmt, titles in _export_titles(liaison, f"month={month}").items():
        assert titles == POLICE_TITLES, fmt
    assert liaison.post("/reports/publish", {"month": str(month)}).status_code == 403


def test_administrators_are_refused(login_as, world):
    admin = login_as(Role.ADMINISTRATOR)
    month = this_month()
    assert admin.get(f"/reports/?month={month}").status_code == 403
    for fmt in FORMATS:
        assert admin.get(f"/reports/export/{fmt}?month={month}").status_code == 403
    assert admin.post("/reports/publish", {"month": str(month)}).status_code == 403


def _export_audits() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "report.exported").order_by(AuditEvent.id)))


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CONSULAR_OFFICER,
                                  Role.POLICE_LIAISON_OFFICER])
def test_every_export_is_audited_with_its_format(login_as, world, role):
    embassy, _ = world
    reader = login_as(role, office=embassy)
    month = this_month()
    before = len(_export_audits())
    for fmt in FORMATS:
        _exported(reader, fmt, f"month={month}")
    rows = _export_audits()[before:]
    assert [json.loads(r.details)["format"] for r in rows] == list(FORMATS)
    for row in rows:
        assert row.actor_id == reader.user.id
        assert row.object_id.startswith(f"{month}/")
    assert reader.get("/reports/export/docx").status_code == 404


def test_the_command_line_writes_the_pdf_and_is_audited(context_app, world, tmp_path):
    target = tmp_path / "october.pdf"
    before = len(_export_audits())
    result = context_app.test_cli_runner().invoke(args=[
        "reports", "monthly", "--month", "2026-10", "--office", "all", "--format", "pdf",
        "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"%PDF")
    [row] = _export_audits()[before:]
    assert row.object_id == "2026-10/all"
    assert json.loads(row.details)["format"] == "pdf"
    bad = context_app.test_cli_runner().invoke(args=[
        "reports", "monthly", "--month", "2026-13", "--output", str(tmp_path / "x.pdf")])
    assert bad.exit_code != 0 and not (tmp_path / "x.pdf").exists()


# --- formula-like text ----------------------------------------------------------------------


@pytest.fixture
def formula_offices(app):
    offices = []
    for name in (*FORMULAS, "2026"):
        office = make_office(kind=OfficeKind.HONORARY_CONSULATE, name=name)
        make_request(officer=make_user(Role.CONSULAR_OFFICER, office=office))
        offices.append(office)
    return offices


def test_formula_like_office_names_stay_text_in_the_spreadsheet(login_as, formula_offices):
    manager = login_as(Role.MANAGER, office=formula_offices[0])
    month = this_month()
    sheet = xlsx_sheet(_exported(manager, "xlsx", f"month={month}&office=all").data)
    labels = {}
    for row in sheet.iter_rows():
        if row[0].value in (*FORMULAS, "2026"):
            labels[row[0].value] = row
    assert set(labels) == {*FORMULAS, "2026"}
    for name, row in labels.items():
        assert row[0].data_type == "s" and row[0].value == name, name
        opened = row[1]
        assert opened.value == 1 and opened.data_type == "n", name
    # An office's own report: its name is in the heading line too.
    office = formula_offices[0]
    sheet = xlsx_sheet(_exported(manager, "xlsx", f"month={month}&office={office.code}").data)
    heading = [c for c in sheet[1] if c.value == office.name]
    assert heading and heading[0].data_type == "s"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_formula_like_office_names_are_quoted_in_the_csv(login_as, formula_offices):
    import csv
    import io

    manager = login_as(Role.MANAGER, office=formula_offices[0])
    month = this_month()
    body = _exported(manager, "csv", f"month={month}&office=all").data.decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(body)) for c in row]
    for name in FORMULAS:
        assert "'" + name in cells, name
        assert name not in cells, name
    assert "2026" in cells
    body = _exported(manager, "csv",
                     f"month={month}&office={formula_offices[0].code}").data.decode("utf-8-sig")
    first = next(csv.reader(io.StringIO(body)))
    assert first[1] == "'" + formula_offices[0].name
