"""The retention pages and the legal hold, as officers, managers and administrators meet them."""
from __future__ import annotations

import random
import string

from sqlalchemy import select, text

from tests.conftest import audit_rows, make_office, make_user, reload
from tracker.auth.models import Role
from tracker.cases import scope
from tracker.cases.models import Case, LegalHold
from tracker.extensions import db
from tracker.people.models import Compartment
from tracker.retention import service
from tracker.retention.models import RetentionRule

from .helpers import LONG_AGO, NOW, marked_liaison_case, marked_request


def fresh(word: str) -> str:
    return word + "".join(random.choice(string.ascii_lowercase) for _ in range(8))


def test_an_officer_places_and_lifts_a_legal_hold_with_a_reason(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    request = marked_request(fresh("Qzwhold"), officer=officer.user, office=officer.user.office)
    url = f"/consular/requests/{request.reference}"
    empty = officer.post(f"{url}/legal-hold", {"reason": "  "})
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.get_data(as_text=True)
    assert db.session.scalars(select(LegalHold)).all() == []
    assert officer.post(f"{url}/legal-hold", {"reason": "Claim by the family"}).status_code == 302
    page = officer.get(url).get_data(as_text=True)
    assert "Under a legal hold" in page and "Claim by the family" in page
    again = officer.post(f"{url}/legal-hold", {"reason": "Twice"})
    assert again.status_code == 422 and "under a legal hold already" in again.get_data(as_text=True)
    assert officer.post(f"{url}/legal-hold/lift", {"reason": "Claim settled"}).status_code == 302
    page = officer.get(url).get_data(as_text=True)
    assert "Under a legal hold" not in page and "Claim settled" in page  # earlier holds
    assert [e.reason for e in audit_rows(request.reference, "consular_request.legal_hold_placed")
            ] == ["Claim by the family"]
    assert [e.reason for e in audit_rows(request.reference, "consular_request.legal_hold_lifted")
            ] == ["Claim settled"]
    nothing = officer.post(f"{url}/legal-hold/lift", {"reason": "Again"})
    assert nothing.status_code == 422 and "not under a legal hold" in nothing.get_data(as_text=True)


def test_another_office_and_the_other_compartment_cannot_hold_a_case(login_as):
    request = marked_request(fresh("Qzwother"))
    stranger = login_as(Role.CONSULAR_OFFICER)  # another office
    assert stranger.post(f"/consular/requests/{request.reference}/legal-hold",
                         {"reason": "x"}).status_code == 404
    liaison = login_as(Role.POLICE_LIAISON_OFFICER)
    case = marked_liaison_case(fresh("Qzwpolh"), officer=liaison.user, closed_at=None)
    for role in (Role.CONSULAR_OFFICER, Role.MANAGER, Role.ADMINISTRATOR):
        outsider = login_as(role)
        assert outsider.post(f"/police/cases/{case.reference}/legal-hold",
                             {"reason": "x"}).status_code == 404, role
    assert liaison.post(f"/police/cases/{case.reference}/legal-hold",
                        {"reason": "Extradition pending"}).status_code == 302
    assert "Extradition pending" in liaison.get(f"/police/cases/{case.reference}").get_data(
        as_text=True)
    assert reload(case).legal_hold is not None


def test_managers_see_what_is_due_and_held_and_police_cases_only_as_counts(login_as):
    office = make_office()
    officer = make_user(Role.CONSULAR_OFFICER, office=office)
    due = marked_request(fresh("Qzwdue"), office=office, officer=officer)
    held = marked_request(fresh("Qzwheld"), office=office, officer=officer)
    from tracker.cases import holds
    holds.place_hold(held, officer, "Ombud inquiry 2026/17")
    police_marker = fresh("Qzwpolsecret")
    police_case = marked_liaison_case(police_marker)
    holds.place_hold(police_case, make_user(Role.POLICE_LIAISON_OFFICER), "Trial in Oslo")
    db.session.commit()
    # Read before any request: on PostgreSQL a request as a manager leaves the test's shared
    # connection outside the police compartment, where the row cannot be refreshed.
    due_ref, police_ref = due.reference, police_case.reference
    manager = login_as(Role.MANAGER, office=make_office())  # another office than the requests'
    page = manager.get("/retention/").get_data(as_text=True)
    assert due_ref in page and "Ombud inquiry 2026/17" in page
    assert police_ref not in page and police_marker not in page
    assert "Trial in Oslo" not in page
    assert "Liaison cases: 1" in page  # on hold, a count
    admin = login_as(Role.ADMINISTRATOR)
    page = admin.get("/retention/").get_data(as_text=True)
    assert due_ref not in page and "Ombud inquiry" not in page  # no case content
    assert police_ref not in page
    for role in (Role.CONSULAR_OFFICER, Role.POLICE_LIAISON_OFFICER):
        assert login_as(role).get("/retention/").status_code == 403


def test_the_last_runs_show_what_they_anonymised(login_as):
    request = marked_request(fresh("Qzwrun"), category="advice", subcategory="general")
    record = service.run(as_of=NOW)
    manager = login_as(Role.MANAGER)
    page = manager.get("/retention/").get_data(as_text=True)
    assert "Consular advice: 1" in page
    assert record.anonymised >= 1
    assert "Anonymised on" in manager.get(f"/consular/requests/{request.reference}").get_data(
        as_text=True)


def test_an_administrator_changes_a_period_and_it_is_audited(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    rule = db.session.scalar(select(RetentionRule).where(
        RetentionRule.compartment == Compartment.CONSULAR, RetentionRule.category == "advice"))
    assert rule.years == 2
    form = {"rule": rule.id, "version": rule.version}
    for bad in ("0", "101", "two", ""):
        answer = admin.post("/retention/rules", {**form, "years": bad})
        assert answer.status_code == 422, bad
        assert f'id="err-{rule.id}"' in answer.get_data(as_text=True), bad
    assert reload(rule).years == 2
    assert admin.post("/retention/rules", {**form, "years": "3"}).status_code == 302
    assert reload(rule).years == 3
    [event] = audit_rows("consular/advice", "retention_rule.changed")
    assert event.actor_id == admin.user.id and '"years_before": 2' in event.details
    stale = admin.post("/retention/rules", {**form, "years": "4"})  # the old version
    assert stale.status_code == 409 and reload(rule).years == 3


def test_the_run_needs_no_reader_and_reaches_the_police_compartment(app):
    """A job outside any request reads nothing unless it says so; retention says so, and on
    PostgreSQL row security lets it anonymise police rows."""
    marker = fresh("Qzwrls")
    case = marked_liaison_case(marker)
    scope.set_outside_requests(None)
    try:
        record = service.run(as_of=NOW)
    finally:
        scope.set_outside_requests(scope.EVERYTHING)
    assert record.per_rule["police/child_abduction"] == 1
    db.session.expire_all()
    assert db.session.get(Case, case.id).anonymised_at is not None
    if db.session.get_bind().dialect.name == "postgresql":
        with scope.reading_as(make_user(Role.POLICE_LIAISON_OFFICER)):
            rows = db.session.execute(text(
                "SELECT count(*) FROM police_search_entries WHERE case_id = :id"),
                {"id": case.id}).scalar()
            summary = db.session.execute(text("SELECT summary FROM cases WHERE id = :id"),
                                         {"id": case.id}).scalar()
        assert rows == 0 and summary == ""


def test_a_case_closed_long_ago_is_listed_as_due_with_its_date(login_as):
    request = marked_request(fresh("Qzwlisted"), closed_at=LONG_AGO)
    page = login_as(Role.MANAGER).get("/retention/").get_data(as_text=True)
    assert request.reference in page


def test_an_anonymised_case_can_be_read_but_no_longer_worked(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    request = marked_request(fresh("Qzwread"), officer=officer.user, office=officer.user.office)
    service.run(as_of=NOW)
    url = f"/consular/requests/{request.reference}"
    page = officer.get(url).get_data(as_text=True)
    assert "Anonymised on" in page and "Add a note" not in page and "Reopen" not in page
    assert officer.post(f"{url}/notes", {"text": "New personal data"}).status_code == 404
    assert officer.get(f"{url}/steps/reopen").status_code == 404
    assert officer.post(f"{url}/legal-hold", {"reason": "Too late"}).status_code == 404
