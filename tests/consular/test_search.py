"""Search: by reference, by an identifier in any notation, by name with variants folded."""
from __future__ import annotations

import re
from datetime import date

import pytest

from tests.conftest import make_person, make_request
from tests.consular.helpers import a_cnic, a_passport, fnr, in_urdu_digits, person_with_id
from tracker.auth.models import Role
from tracker.extensions import db
from tracker.people.models import Compartment, IdentifierKind, Person, PersonIdentifier
from tracker.people.names import fold_name

ROW = re.compile(r'<a href="/consular/requests/([A-Z]{3}-\d{4}-\d{5})">\1</a>')
PERSON = re.compile(r'<a href="/consular/persons/(\d+)">')


@pytest.fixture
def officer(login_as):
    return login_as(Role.CONSULAR_OFFICER)


def found(officer, query: str) -> tuple[list[str], list[int]]:
    response = officer.get("/consular/search", query_string={"q": query})
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    return ROW.findall(html), [int(i) for i in PERSON.findall(html)]


def _request_for(officer, person):
    return make_request(office=officer.user.office, officer=officer.user, subject=person)


def test_by_reference_goes_straight_to_the_request(officer):
    request = _request_for(officer, make_person())
    for typed in (request.reference, request.reference.lower(), f"  {request.reference} "):
        response = officer.get("/consular/search", query_string={"q": typed})
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/consular/requests/{request.reference}")


def test_by_fodselsnummer_with_a_space(officer):
    number = fnr(11)
    person = person_with_id("Ingrid Hansen", "norwegian_id", number)
    request = _request_for(officer, person)
    _request_for(officer, make_person("Someone Else"))
    for typed in (number, f"{number[:6]} {number[6:]}", f" {number[:6]}  {number[6:]} "):
        requests, persons = found(officer, typed)
        assert requests == [request.reference], typed
        assert persons == [person.id], typed


def test_by_d_number(officer):
    number = fnr(5, date(1979, 11, 2), d_number=True)
    person = person_with_id("Olsen Tariq", "norwegian_id", number)
    request = _request_for(officer, person)
    assert found(officer, f"{number[:6]} {number[6:]}")[0] == [request.reference]


@pytest.mark.parametrize("notation", ["dashes", "digits", "urdu", "urdu_dashes", "spaces"])
def test_by_cnic_in_any_notation(officer, notation):
    canonical = a_cnic(3)
    digits = canonical.replace("-", "")
    typed = {"dashes": canonical, "digits": digits, "urdu": in_urdu_digits(digits),
             "urdu_dashes": in_urdu_digits(canonical),
             "spaces": f"{digits[:5]} {digits[5:12]} {digits[12]}"}[notation]
    person = person_with_id("Ayesha Malik", "cnic", digits)
    request = _request_for(officer, person)
    requests, persons = found(officer, typed)
    assert requests == [request.reference]
    assert persons == [person.id]


def test_the_brief_example_in_urdu_digits(officer):
    person = person_with_id("Bilal Awan", "cnic", "35202-1234567-1")
    request = _request_for(officer, person)
    assert found(officer, "۳۵۲۰۲۱۲۳۴۵۶۷۱")[0] == [request.reference]


def test_by_passport_number(officer):
    number = a_passport(9)
    person = person_with_id("Nora Berg", "passport", number)
    request = _request_for(officer, person)
    assert found(officer, number.lower())[0] == [request.reference]


@pytest.mark.parametrize("typed", ["Mohammed Chaudhary", "muhammad chaudhry", "MOHAMAD",
                                   "Chaudhri", "mohammed  CHOUDHRY"])
def test_by_name_with_variants_folded(officer, typed):
    person = make_person("Muhammad Chaudhry")
    request = _request_for(officer, person)
    other = _request_for(officer, make_person("Imran Khan"))
    requests, persons = found(officer, typed)
    assert request.reference in requests and other.reference not in requests
    assert person.id in persons


def test_by_another_spelling_and_norwegian_letters(officer):
    person = make_person("Øyvind Ærø Åsen", other_names=["Oyvind Aero Aasen"])
    request = _request_for(officer, person)
    assert found(officer, "øyvind")[0] == [request.reference]
    assert found(officer, "Aero")[0] == [request.reference]


def test_a_requester_is_found_too(officer):
    from tracker.consular import services

    reporter = make_person("Hira Siddiqui")
    request = services.create_request(officer.user, officer.user.office, services.RequestInput(
        category="missing_person", subcategory="adult", priority="urgent", channel="phone",
        summary="Son missing", requester_relationship="mother"), [make_person("Ali Siddiqui")],
        requester=reporter)
    assert request.reference in found(officer, "Hira")[0]


def test_a_consular_search_never_finds_police_persons(officer, login_as):
    cnic = a_cnic(21)
    number = fnr(21)
    police = Person(compartment=Compartment.POLICE, full_name="Muhammad Chaudhry",
                    folded_name=fold_name("Muhammad Chaudhry"), date_of_birth=date(1985, 4, 17),
                    identifiers=[PersonIdentifier(kind=IdentifierKind.CNIC, value=cnic),
                                 PersonIdentifier(kind=IdentifierKind.NORWEGIAN_ID,
                                                  value=number)])
    db.session.add(police)
    db.session.commit()
    manager = login_as(Role.MANAGER)
    reader = login_as(Role.CONSULAR_OFFICER, reads_all_offices=True)
    for user in (officer, manager, reader):
        for typed in (cnic, cnic.replace("-", ""), number, "Mohammed Chaudhary", "Chaudhry"):
            requests, persons = found(user, typed)
            assert police.id not in persons, typed
            assert requests == []
        assert user.get(f"/consular/persons/{police.id}").status_code == 404
        assert user.get(f"/consular/requests/new?person={police.id}").status_code == 404


def test_search_text_is_shown_back_escaped(officer):
    html = officer.get("/consular/search", query_string={
        "q": "<script>alert(1)</script>"}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
