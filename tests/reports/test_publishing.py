"""Rule 4: a published month stays as it was published, on the page and in every export; the
page says when the live figures have changed and which cells; publishing twice keeps the first.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import make_liaison_case, make_office, make_person, make_request, make_user
from tracker.audit.models import AuditEvent
from tracker.auth.models import OfficeKind, Role
from tracker.consular import services as consular
from tracker.consular.categories import Category
from tracker.db import utcnow
from tracker.extensions import db
from tracker.reports.models import ReportSnapshot
from tracker.reports.periods import Month

from .pages import csv_tables, html_tables, pdf_after, pdf_row, pdf_text, xlsx_tables

PASSPORT = Category.PASSPORT.label
TITLES = {"Requests by category", "Requests by office", "Counts for publication"}
CHANGED = "The live figures have changed since this report was published."


@pytest.fixture(autouse=True)
def month_is_over(monkeypatch):
    """These tests publish the month they create data in; let the publisher see it as over
    (a month still running cannot be published: see test_a_running_month_is_not_published)."""
    later = utcnow() + timedelta(days=40)
    monkeypatch.setattr("tracker.reports.report.utcnow", lambda: later)
    monkeypatch.setattr("tracker.reports.views.utcnow", lambda: later)


@pytest.fixture
def embassy(app):
    return make_office(kind=OfficeKind.EMBASSY)


@pytest.fixture
def officer(embassy):
    return make_user(Role.CONSULAR_OFFICER, office=embassy)


@pytest.fixture
def manager(login_as, embassy):
    return login_as(Role.MANAGER, office=embassy)


def this_month() -> Month:
    return Month.containing(utcnow(), "Asia/Karachi")


def snapshots(month: Month, scope: str = "all") -> list[ReportSnapshot]:
    db.session.expire_all()
    return list(db.session.scalars(select(ReportSnapshot).where(
        ReportSnapshot.month == str(month), ReportSnapshot.scope == scope)))


def resolve(request, actor, at=None):
    consular.move(request, actor, "start", at=at)
    consular.move(request, actor, "resolve", closing_reason="issued", at=at)


def test_the_published_figures_stay_when_a_case_changes_afterwards(manager, officer):
    month = this_month()
    first = make_request(officer=officer)
    second = make_request(officer=officer)
    page = manager.get(f"/reports/?month={month}&office=all").get_data(as_text=True)
    assert "Live figures: not published yet." in page
    response = manager.post("/reports/publish", {"month": str(month), "office": "all"})
    assert response.status_code == 302
    [snapshot] = snapshots(month)
    assert snapshot.published_by_id == manager.user.id
    published = json.loads(snapshot.figures)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "report.published",
        AuditEvent.object_id == f"{month}/all")) == 1

    # Afterwards: one of the month's requests is resolved, and another one is logged.
    resolve(first, officer, at=utcnow())
    make_request(officer=officer)

    html = manager.get(f"/reports/?month={month}&office=all").get_data(as_text=True)
    shown = html_tables(html)["Requests by category"]
    assert shown.row(PASSPORT)[:2] == ["2", "0"], "the published figures are shown"
    assert CHANGED in html
    assert f"Requests by category · {PASSPORT} · Opened: published 2, now 3" in html
    assert f"Requests by category · {PASSPORT} · Resolved: published 0, now 1" in html
    assert f"Requests by category · {PASSPORT} · Open at month end: published 2, now 2" \
        not in html
    assert "Publish " + month.label not in html  # no second publish button

    for fmt, read in (("csv", csv_tables), ("xlsx", xlsx_tables)):
        body = manager.get(f"/reports/export/{fmt}?month={month}&office=all").data
        assert read(body, TITLES)["Requests by category"].row(PASSPORT)[:2] == ["2", "0"], fmt
    text = pdf_text(manager.get(f"/reports/export/pdf?month={month}&office=all").data)
    assert pdf_row(pdf_after(text, "Requests by category"), PASSPORT)[0][:2] == ["2", "0"]
    assert "published" in text

    # The snapshot itself is untouched.
    assert json.loads(snapshots(month)[0].figures) == published
    assert second  # (still open: counted as open at month end in both)


def test_publishing_twice_keeps_the_first(manager, officer, login_as, embassy):
    month = this_month()
    make_request(officer=officer)
    assert manager.post("/reports/publish", {"month": str(month), "office": "all"}
                        ).status_code == 302
    [first] = snapshots(month)
    figures = first.figures
    make_request(officer=officer)
    other = login_as(Role.MANAGER, office=embassy)
    response = other.post("/reports/publish", {"month": str(month), "office": "all"},
                          follow_redirects=True)
    assert response.status_code == 200
    assert "was published already" in response.get_data(as_text=True)
    [kept] = snapshots(month)
    assert kept.id == first.id and kept.figures == figures
    assert kept.published_by_id == manager.user.id


def test_each_office_is_published_on_its_own(manager, officer, embassy):
    month = this_month()
    make_request(officer=officer)
    manager.post("/reports/publish", {"month": str(month), "office": embassy.code})
    assert len(snapshots(month, embassy.code)) == 1
    assert snapshots(month) == []


def test_a_request_opened_later_with_a_date_in_the_month_changes_only_the_live_figures(
        manager, officer):
    month = this_month().previous()
    start, end = month.bounds("Asia/Karachi")
    assert manager.post("/reports/publish", {"month": str(month), "office": "all"}
                        ).status_code == 302
    consular.create_request(officer, officer.office, consular.RequestInput(
        category="passport", subcategory="renewal", priority="routine", channel="phone",
        summary="Logged late", assigned_to_id=officer.id), [make_person()],
        opened_at=start + timedelta(days=3))
    db.session.commit()
    html = manager.get(f"/reports/?month={month}&office=all").get_data(as_text=True)
    assert html_tables(html)["Requests by category"].row(PASSPORT)[0] == "0"
    assert CHANGED in html
    assert f"Requests by category · {PASSPORT} · Opened: published 0, now 1" in html


def test_a_resolution_dated_in_a_past_month_counts_in_that_month(manager, officer):
    """The workflow with `at=` (history loaded later): the resolution counts in its own month,
    changing that month's live figures, not the published ones."""
    month = this_month().previous().previous()
    start, _ = month.bounds("Asia/Karachi")
    request = consular.create_request(officer, officer.office, consular.RequestInput(
        category="passport", subcategory="renewal", priority="routine", channel="phone",
        summary="Old request", assigned_to_id=officer.id), [make_person()],
        opened_at=start + timedelta(days=1))
    db.session.commit()
    manager.post("/reports/publish", {"month": str(month), "office": "all"})
    resolve(request, officer, at=start + timedelta(days=10))
    html = manager.get(f"/reports/?month={month}&office=all").get_data(as_text=True)
    assert f"Requests by category · {PASSPORT} · Resolved: published 0, now 1" in html


def test_the_change_list_never_tells_a_hidden_count_nor_another_compartment(login_as, embassy,
                                                                           officer):
    month = this_month()
    make_request(officer=officer, category="death:notification")
    for _ in range(4):  # the death's cover: 4, so that death + cover leaves it 1 to 4
        make_request(officer=officer, category="advice:general")
    for _ in range(5):
        make_request(officer=officer)
    manager = login_as(Role.MANAGER, office=embassy)
    assert manager.post("/reports/publish", {"month": str(month), "office": embassy.code}
                        ).status_code == 302
    # Afterwards: a second death (still under five), a passport, and a liaison case.
    make_request(officer=officer, category="death:notification")
    make_request(officer=officer)
    liaison = make_user(Role.POLICE_LIAISON_OFFICER, office=embassy)
    make_liaison_case(liaison, category="forced_marriage")

    consular_officer = login_as(Role.CONSULAR_OFFICER, office=embassy)
    for who, client in (("manager", manager), ("consular officer", consular_officer)):
        html = client.get(f"/reports/?month={month}&office={embassy.code}").get_data(
            as_text=True)
        assert CHANGED in html, who
        assert f"Requests by category · {PASSPORT} · Opened: published 5, now 6" in html, who
        changes = [line for line in html.splitlines() if "published" in line and "now" in line]
        assert not [line for line in changes if str(Category.DEATH.label) in line
                    or "Deaths" in line], who  # "<5" then and now: nothing to tell
        if who == "consular officer":
            assert "Liaison cases" not in html and "Police liaison" not in html
    html = manager.get(f"/reports/?month={month}&office={embassy.code}").get_data(as_text=True)
    assert "Liaison cases by kind · Forced marriage · Opened: published 0, now &lt;5" in html


def test_two_managers_publishing_at_once_keep_the_first(manager, officer, embassy,
                                                       monkeypatch):
    """The second publisher passed the "already published?" check before the first one
    committed: the unique (month, scope) refuses the second snapshot, not with a 500."""
    from tracker.reports import report as reports

    month = this_month()
    make_request(officer=officer)
    assert manager.post("/reports/publish", {"month": str(month), "office": "all"}
                        ).status_code == 302
    [first] = snapshots(month)
    monkeypatch.setattr(reports, "_snapshot", lambda month, office: None)
    with pytest.raises(reports.AlreadyPublished):
        reports.publish(month, None, make_user(Role.MANAGER, office=embassy))
    db.session.rollback()  # what the unit of work does with the refusal
    [kept] = snapshots(month)
    assert kept.id == first.id and kept.published_by_id == manager.user.id


def test_a_running_month_is_not_published(manager, monkeypatch):
    monkeypatch.setattr("tracker.reports.report.utcnow", utcnow)
    monkeypatch.setattr("tracker.reports.views.utcnow", utcnow)
    month = this_month()
    page = manager.get(f"/reports/?month={month}&office=all").get_data(as_text=True)
    assert "Publish " + month.label not in page
    response = manager.post("/reports/publish", {"month": str(month), "office": "all"},
                            follow_redirects=True)
    assert "is not over yet" in response.get_data(as_text=True)
    assert snapshots(month) == []
