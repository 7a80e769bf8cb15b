"""Logging a request: the duplicate warning, picking a known person or confirming a new one."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import make_office, make_person, make_request, make_user
from tests.consular.helpers import a_cnic, audit_rows, count, fnr, in_urdu_digits
from tests.consular.helpers import person_with_id
from tracker.auth.models import Role
from tracker.consular.models import ConsularRequest
from tracker.extensions import db
from tracker.people.models import Compartment, IdentifierKind, Person, PersonIdentifier
from tracker.people.names import fold_name


@pytest.fixture
def officer(login_as):
    return login_as(Role.CONSULAR_OFFICER)


def form(**fields) -> dict:
    data = {"kind": "passport:lost_or_stolen", "priority": "urgent", "channel": "walk_in",
            "summary": "Passport stolen in Saddar", "description": "Police report attached",
            "assigned_to": "0", "full_name": "Sana Qureshi", "identifier_kind": "",
            "identifier_value": ""}
    data.update(fields)
    return data


def newest_request() -> ConsularRequest:
    return db.session.scalars(select(ConsularRequest).order_by(ConsularRequest.id.desc())
                              ).first()


def test_a_new_person_and_request(officer):
    number = fnr(31)
    persons, requests = count(Person), count(ConsularRequest)
    response = officer.post("/consular/requests/new", form(
        full_name="Sana Qureshi", date_of_birth="1985-04-17", identifier_kind="norwegian_id",
        identifier_value=f"{number[:6]} {number[6:]}", nationality="dual",
        phone="+92 300 0000000", assigned_to=str(officer.user.id),
        requester_name="Hira Qureshi", requester_relationship="sister"))
    assert response.status_code == 302, response.get_data(as_text=True)
    request = newest_request()
    assert response.headers["Location"].endswith(f"/consular/requests/{request.reference}")
    assert count(Person) == persons + 2 and count(ConsularRequest) == requests + 1
    [subject] = request.subjects
    assert subject.full_name == "Sana Qureshi" and subject.created_by_id == officer.user.id
    assert [(i.kind.value, i.value) for i in subject.identifiers] == [("norwegian_id",
                                                                       number)]
    assert request.requester.full_name == "Hira Qureshi"
    assert request.requester_relationship == "sister"
    assert (request.category.value, request.subcategory, request.priority.value,
            request.channel.value) == ("passport", "lost_or_stolen", "urgent", "walk_in")
    assert request.assigned_to_id == officer.user.id and request.office_id == \
        officer.user.office_id
    assert len(audit_rows(request.reference, "consular_request.created")) == 1


@pytest.mark.parametrize("token", ["", "a forged token"], ids=["no token", "forged token"])
def test_a_form_without_a_valid_csrf_token_saves_nothing(officer, token):
    """Tests make their tokens without fetching a page; this proves a real one is still needed."""
    persons, requests = count(Person), count(ConsularRequest)
    data = form(full_name="Sana Qureshi")
    if token:
        data["csrf_token"] = token
    response = officer.client.post("/consular/requests/new", data=data)
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)
    assert (count(Person), count(ConsularRequest)) == (persons, requests)
    # The same form with the session's token is accepted.
    assert officer.post("/consular/requests/new", form(full_name="Sana Qureshi")
                        ).status_code == 302


@pytest.mark.parametrize("typed", ["dashes", "urdu"])
def test_same_identifier_shows_the_known_person(officer, typed):
    cnic = a_cnic(41)
    known = person_with_id("Usman Rana", "cnic", cnic)
    make_request(office=officer.user.office, officer=officer.user, subject=known)
    value = cnic if typed == "dashes" else in_urdu_digits(cnic.replace("-", ""))
    persons, requests = count(Person), count(ConsularRequest)
    response = officer.post("/consular/requests/new", form(
        full_name="Osman Rana", identifier_kind="cnic", identifier_value=value))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This person may be known already" in html
    assert f'value="{known.id}"' in html and "Usman Rana" in html
    assert count(Person) == persons and count(ConsularRequest) == requests
    # The officer picks the known person: linked to it, no new person.
    response = officer.post("/consular/requests/new", form(
        full_name="Osman Rana", identifier_kind="cnic", identifier_value=value,
        use_person=str(known.id)))
    assert response.status_code == 302
    assert count(Person) == persons and count(ConsularRequest) == requests + 1
    assert [p.id for p in newest_request().subjects] == [known.id]


def test_same_birth_date_and_a_folded_name_match(officer):
    known = make_person("Muhammad Chaudhry", date_of_birth=date(1990, 2, 14))
    same_name_other_day = make_person("Muhammad Chaudhry", date_of_birth=date(1991, 2, 14))
    other_name_same_day = make_person("Imran Khan", date_of_birth=date(1990, 2, 14))
    for person in (known, same_name_other_day, other_name_same_day):  # known to this office
        make_request(office=officer.user.office, officer=officer.user, subject=person)
    response = officer.post("/consular/requests/new", form(
        full_name="Mohammed Chaudhary", date_of_birth="1990-02-14"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # The candidates' radio buttons (a bare value="N" could be an officer in the assignee list).
    assert f'id="use_person-{known.id}"' in html
    assert f'id="use_person-{same_name_other_day.id}"' not in html
    assert f'id="use_person-{other_name_same_day.id}"' not in html


def test_confirming_a_new_person(officer):
    make_person("Muhammad Chaudhry", date_of_birth=date(1990, 2, 14))
    persons = count(Person)
    response = officer.post("/consular/requests/new", form(
        full_name="Mohammed Chaudhary", date_of_birth="1990-02-14", use_person="new"))
    assert response.status_code == 302
    assert count(Person) == persons + 1
    [subject] = newest_request().subjects
    assert subject.full_name == "Mohammed Chaudhary"


def test_no_warning_without_a_match(officer):
    make_person("Muhammad Chaudhry", date_of_birth=date(1990, 2, 14))
    response = officer.post("/consular/requests/new", form(full_name="Mohammed Chaudhary"))
    assert response.status_code == 302  # no date of birth, no identifier: nothing to match


def test_police_persons_are_never_candidates(officer):
    cnic = a_cnic(43)
    police = Person(compartment=Compartment.POLICE, full_name="Tariq Mirza",
                    folded_name=fold_name("Tariq Mirza"), date_of_birth=date(1980, 1, 1),
                    identifiers=[PersonIdentifier(kind=IdentifierKind.CNIC, value=cnic)])
    db.session.add(police)
    db.session.commit()
    persons = count(Person)
    response = officer.post("/consular/requests/new", form(
        full_name="Tariq Mirza", date_of_birth="1980-01-01", identifier_kind="cnic",
        identifier_value=cnic))
    assert response.status_code == 302  # no warning: the police person does not exist here
    assert count(Person) == persons + 1
    assert police.id not in [p.id for p in newest_request().subjects]
    # Nor can it be picked by its number.
    response = officer.post("/consular/requests/new", form(use_person=str(police.id)))
    assert response.status_code == 422
    assert count(Person) == persons + 1


def test_only_a_listed_candidate_can_be_picked(officer):
    """A person who is not among the possible duplicates cannot be slipped in by id."""
    hidden_office = make_office()
    stranger = make_person("Maryam Abbasi")
    make_request(office=hidden_office, subject=stranger)
    requests = count(ConsularRequest)
    response = officer.post("/consular/requests/new", form(
        full_name="Sana Qureshi", use_person=str(stranger.id)))
    assert response.status_code == 422
    assert "Choose one of the persons listed" in response.get_data(as_text=True)
    assert count(ConsularRequest) == requests


def test_a_request_for_a_known_person_from_their_page(officer):
    person = make_person("Fatima Hussain")
    make_request(office=officer.user.office, officer=officer.user, subject=person)
    page = officer.get(f"/consular/requests/new?person={person.id}")
    assert page.status_code == 200 and "Fatima Hussain" in page.get_data(as_text=True)
    persons = count(Person)
    response = officer.post(f"/consular/requests/new?person={person.id}",
                            form(full_name="", kind="national_id:question"))
    assert response.status_code == 302
    assert count(Person) == persons
    assert [p.id for p in newest_request().subjects] == [person.id]


def test_a_person_of_another_office_cannot_be_named_in_the_url(officer):
    person = make_person("Hamza Butt")
    make_request(office=make_office(), subject=person)
    assert officer.get(f"/consular/requests/new?person={person.id}").status_code == 404
    assert officer.post("/consular/requests/new",
                        form(person_id=str(person.id))).status_code == 404


@pytest.mark.parametrize("fields, message", [
    ({"full_name": "  "}, "Write the person"),
    ({"identifier_kind": "norwegian_id", "identifier_value": "12345678901"}, ""),
    ({"identifier_kind": "cnic", "identifier_value": "1234"}, ""),
    ({"date_of_birth": "2999-01-01"}, "future"),
    ({"summary": ""}, "This field is required"),
    ({"kind": "passport:repatriation"}, "Not a valid choice"),
    ({"assigned_to": "999999"}, "Choose an active consular officer"),
    ({"requester_name": "x" * 201}, "200"),
])
def test_bad_input_is_refused_next_to_the_field(officer, fields, message):
    persons, requests = count(Person), count(ConsularRequest)
    response = officer.post("/consular/requests/new", form(**fields))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error"' in html or "alert-error" in html
    assert message in html
    assert count(Person) == persons and count(ConsularRequest) == requests


def test_assigning_to_an_officer_of_another_office_is_refused(officer):
    stranger = make_user(Role.CONSULAR_OFFICER, office=make_office())
    requests = count(ConsularRequest)
    response = officer.post("/consular/requests/new", form(assigned_to=str(stranger.id)))
    assert response.status_code == 422
    assert count(ConsularRequest) == requests
