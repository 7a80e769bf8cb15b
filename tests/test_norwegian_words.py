"""The words the Python code gives the pages (labels of closed lists, workflow steps, form
fields, rule errors, report tables) in bokmål for a Norwegian reader, unchanged in English; and
what is stored stays as written, whoever writes it."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.conftest import make_office, make_request, make_user, reload
from tests.consular.helpers import new_request_form
from tracker.auth.models import OfficeKind, Role
from tracker.cases.models import TimelineEvent, TimelineKind
from tracker.consular import services as consular
from tracker.consular.categories import Category, WaitingOn
from tracker.db import utcnow
from tracker.extensions import db
from tracker.police.categories import HandlingCode, PartyRole
from tracker.reports.models import ReportSnapshot
from tracker.reports.periods import Month

NB = {"Accept-Language": "nb-NO,nb;q=0.9"}


def page(response) -> str:
    return response.get_data(as_text=True)


# --- closed lists and dates -----------------------------------------------------------------


@pytest.mark.parametrize("header, death, handling", [
    ("nb", "Dødsfall i utlandet", "H2 – ikke til videreformidling uten avgiverens tillatelse"),
    ("en", "Death abroad", "H2 – not to be passed on without the provider's permission"),
])
def test_a_label_is_said_in_the_readers_language_when_it_is_shown(app, header, death,
                                                                   handling):
    with app.test_request_context(headers={"Accept-Language": header}):
        assert str(Category.DEATH.label) == death
        assert str(HandlingCode.H2.label) == handling
        assert f"{PartyRole.ABDUCTED_CHILD.label}" == (
            "Bortført barn" if header == "nb" else "Abducted child")


def test_outside_a_page_labels_and_months_are_english(app):
    # Commands and jobs run without a request: no browser to ask, so English.
    assert str(Role.POLICE_LIAISON_OFFICER.label) == "Police liaison officer"
    assert Month(2026, 11).label == "November 2026"


def test_a_month_is_named_in_the_readers_language(app):
    with app.test_request_context(headers=NB):
        assert Month(2026, 11).label == "november 2026"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert Month(2026, 11).label == "November 2026"


# --- forms and rule errors ------------------------------------------------------------------


def test_the_new_request_form_is_norwegian_for_a_norwegian_reader(login_as):
    officer = login_as(Role.CONSULAR_OFFICER, language="nb")
    html = page(officer.get("/consular/requests/new"))
    for words in ("Hva gjelder det", "Velg type henvendelse", "Nødpass", "Velg prioritet",
                  "Navn, slik personen skriver det", "Fødselsnummer eller D-nummer",
                  "Personlig oppmøte"):
        assert words in html, words
    assert "What is it about" not in html


def test_the_new_request_form_keeps_its_english(login_as):
    html = page(login_as(Role.CONSULAR_OFFICER).get("/consular/requests/new"))
    for words in ("What is it about", "Choose the kind of request", "Emergency passport",
                  "Name, as the person writes it", "Fødselsnummer or D-number"):
        assert words in html, words


def test_rule_errors_come_back_in_norwegian_next_to_their_field(login_as):
    officer = login_as(Role.CONSULAR_OFFICER, language="nb")
    response = officer.post("/consular/requests/new", new_request_form(
        kind="", summary="x" * 201, identifier_kind="norwegian_id",
        identifier_value="1234567890"))
    html = page(response)
    assert response.status_code == 422
    assert "Velg hva henvendelsen gjelder." in html
    assert "Høyst 200 tegn; du skrev 201." in html
    assert "Et fødselsnummer har 11 sifre." in html


def test_rule_errors_keep_their_english(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    html = page(officer.post("/consular/requests/new", new_request_form(
        kind="", identifier_kind="norwegian_id", identifier_value="1234567890")))
    assert "Choose what the request is about." in html
    assert "A fødselsnummer has 11 digits." in html


def test_a_large_limit_is_written_with_norwegian_digit_grouping(app):
    from tracker.domain import too_long

    with app.test_request_context(headers=NB):
        assert too_long(20_000, 20_412) == "Høyst 20\xa0000 tegn; du skrev 20\xa0412."
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert too_long(20_000, 20_412) == "At most 20,000 characters; you typed 20,412."


# --- workflow: steps in the reader's language, the timeline as written ----------------------


def test_workflow_steps_and_statuses_are_norwegian_on_the_case_page(login_as):
    officer = login_as(Role.CONSULAR_OFFICER, language="nb")
    request = make_request(officer=officer.user)
    html = page(officer.get(f"/consular/requests/{request.reference}"))
    assert "Start arbeidet" in html
    assert "Sett på vent" in html


def test_the_step_page_says_what_a_step_will_do_in_norwegian(login_as):
    officer = login_as(Role.CONSULAR_OFFICER, language="nb")
    request = make_request(officer=officer.user)
    html = page(officer.get(f"/consular/requests/{request.reference}/steps/cancel"))
    assert ("Henvendelsen avbrytes av grunnen du velger og forsvinner fra de åpne køene; "
            "den telles ikke som løst.") in html
    assert "Trukket før arbeidet startet" in html


def test_a_refused_step_says_why_in_norwegian(login_as):
    officer = login_as(Role.CONSULAR_OFFICER, language="nb")
    request = make_request(officer=officer.user)
    response = officer.post(f"/consular/requests/{request.reference}/steps/wait",
                            {"waiting_on": "", "waiting_reason": ""})
    html = page(response)
    assert response.status_code == 422
    assert "Velg hvem henvendelsen venter på." in html
    assert "Skriv hva henvendelsen venter på." in html


def test_what_a_norwegian_officer_records_on_the_timeline_is_stored_as_written_in_english(
        login_as):
    officer = login_as(Role.CONSULAR_OFFICER, language="nb")
    request = make_request(officer=officer.user)
    hold = (utcnow() + timedelta(days=10)).date()
    response = officer.post(f"/consular/requests/{request.reference}/steps/wait",
                            {"waiting_on": WaitingOn.HOST_AUTHORITIES.value,
                             "waiting_reason": "Police report", "hold_until": hold.isoformat()})
    assert response.status_code == 302, page(response)
    db.session.expire_all()
    event = db.session.scalars(select(TimelineEvent).where(
        TimelineEvent.case_id == request.id, TimelineEvent.kind == TimelineKind.STATUS)).one()
    assert event.detail.startswith("Waiting on host-country authorities: Police report; "
                                   "back to work on ")
    assert reload(request).status == "waiting"


def test_a_party_added_by_a_norwegian_liaison_officer_is_stored_in_english(app):
    from tests.conftest import make_liaison_case
    from tracker.people import services as people
    from tracker.people.models import Compartment
    from tracker.police import services as police

    officer = make_user(Role.POLICE_LIAISON_OFFICER, language="nb")
    case, _party, _link = make_liaison_case(officer)
    person = people.create_person(Compartment.POLICE,
                                  people.PersonInput(full_name="Sara Testdottir"), officer)
    with force_locale("nb"):  # as on a Norwegian page
        assert str(PartyRole.WITNESS.label) == "Vitne"
        police.add_party(case, officer, person, "witness")
    comments = db.session.scalars(select(TimelineEvent.comment).where(
        TimelineEvent.case_id == case.id, TimelineEvent.kind == TimelineKind.EDITED)).all()
    assert "Witness: Sara Testdottir" in comments


# --- reports --------------------------------------------------------------------------------


@pytest.fixture
def reported(app):
    embassy = make_office(kind=OfficeKind.EMBASSY)
    officer = make_user(Role.CONSULAR_OFFICER, office=embassy)
    for _ in range(2):
        make_request(officer=officer)
    return embassy, Month.containing(utcnow(), "Asia/Karachi")


def test_the_monthly_report_is_norwegian_for_a_norwegian_manager(login_as, reported):
    embassy, month = reported
    manager = login_as(Role.MANAGER, office=embassy, language="nb")
    html = page(manager.get(f"/reports/?month={month}&office=all"))
    for words in ("Henvendelser etter kategori", "Dødsfall i utlandet", "Opprettet",
                  "Åpne ved månedsslutt", "Forespørsler etter emne og kanal", "Sum",
                  "et antall mellom 1 og 4, ikke vist"):
        assert words in html, words
    assert "Requests by category" not in html


def test_exports_have_norwegian_headers_but_machine_readable_numbers(login_as, reported):
    embassy, month = reported
    manager = login_as(Role.MANAGER, office=embassy, language="nb")
    body = manager.get(f"/reports/export/csv?month={month}&office=all").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    with force_locale("nb"):
        assert rows[0][0] == f"Månedsrapport {month.label}"
    assert rows[0][0].split()[1].islower()  # "desember 2026"
    assert rows[0][1] == "Alle utenriksstasjoner"
    assert rows[0][2].startswith("Laget ") and "(løpende tall, ikke publisert)" in rows[0][2]
    assert ["Henvendelser etter kategori"] in rows
    start = rows.index(["Henvendelser etter kategori"]) + 1
    assert rows[start] == ["Kategori", "Opprettet", "Løst", "Lukket", "Åpne ved månedsslutt"]
    passport = next(r for r in rows[start:] if r and r[0] == "Pass")
    assert passport[1] == "2"


def test_numbers_on_the_page_follow_the_language_but_csv_and_xlsx_do_not(app):
    from tracker.reports.suppression import Cell, display

    with app.test_request_context(headers=NB):
        assert display(Cell(12345), 5, local=True) == "12\xa0345"
        assert display(Cell(2.5), 5, "days", local=True) == "2,5"
        assert display(Cell(12345), 5) == "12,345"
        assert display(Cell(2.5), 5, "days") == "2.5"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert display(Cell(12345), 5, local=True) == "12,345"
        assert display(Cell(2.5), 5, "days", local=True) == "2.5"


def test_a_published_report_is_stored_in_english_and_read_in_norwegian(login_as, reported,
                                                                        monkeypatch):
    embassy, month = reported
    later = utcnow() + timedelta(days=40)
    monkeypatch.setattr("tracker.reports.report.utcnow", lambda: later)
    manager = login_as(Role.MANAGER, office=embassy, language="nb")
    assert manager.post("/reports/publish", {"month": str(month), "office": "all"}
                        ).status_code == 302
    db.session.expire_all()
    stored = json.loads(db.session.scalars(select(ReportSnapshot.figures)).one())
    titles = {t["title"] for t in stored["consular"]}
    assert "Requests by category" in titles
    by_category = next(t for t in stored["consular"] if t["key"] == "requests_by_category")
    assert by_category["rows"][2][0] == "Death abroad"
    assert stored["trends"]["labels"][-1] == f"{month.first_day:%b %Y}"
    html = page(manager.get(f"/reports/?month={month}&office=all"))
    assert "Henvendelser etter kategori" in html and "Dødsfall i utlandet" in html
    english = page(login_as(Role.MANAGER, office=embassy).get(
        f"/reports/?month={month}&office=all"))
    assert "Requests by category" in english and "Death abroad" in english


def test_the_trend_chart_names_its_months_in_norwegian(app):
    from tracker.reports.charts import month_label

    with app.test_request_context(headers=NB):
        assert month_label("Dec 2026") == "des 2026"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert month_label("Dec 2026") == "Dec 2026"


def test_a_norwegian_birth_date_mismatch_names_both_dates_in_norwegian(app):
    import random

    from tracker.people.services import (
        IdentifierInput,
        PersonError,
        check_birth_date,
        check_identifier,
    )
    from tracker.people.synthetic import norwegian_id

    number = norwegian_id(date(1985, 4, 17), random.Random(3))
    checked = check_identifier(IdentifierInput("norwegian_id", number))
    with app.test_request_context(headers=NB):
        with pytest.raises(PersonError) as refused:
            check_birth_date(checked, date(1985, 5, 17))
        assert str(refused.value) == (
            "Identitetsnummeret har fødselsdatoen 17. april 1985, ikke 17. mai 1985: sjekk "
            "begge for skrivefeil.")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(PersonError) as refused:
            check_birth_date(checked, date(1985, 5, 17))
        assert str(refused.value) == (
            "The identity number carries the date of birth 17 April 1985, not 17 May 1985: "
            "check both for typing errors.")


def test_consular_services_need_no_page_to_give_their_errors(app):
    # A service called from a command (no request) raises its rule in English.
    officer = make_user(Role.CONSULAR_OFFICER)
    with pytest.raises(consular.RequestError, match="Choose a category."):
        consular.create_request(officer, officer.office, consular.RequestInput(
            category="nonsense", subcategory="", priority="routine", channel="phone",
            summary="x"), [])
