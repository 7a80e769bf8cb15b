"""Identity numbers on the forms: the birth date typed must be the number's own, a number is
never dropped for want of a kind, and a person may hold several (added from the person page on
both compartments, only for a person the officer sees)."""
from __future__ import annotations

import random
from datetime import date

import pytest

from tests.conftest import audit_rows, count, make_office, make_person, make_request, reload
from tests.consular.helpers import new_request_form
from tests.police.helpers import (field_error, open_case, page, party_form, police_person,
                                  row_counts)
from tracker.auth.models import Role
from tracker.consular.models import ConsularRequest
from tracker.extensions import db
from tracker.people import synthetic
from tracker.people.models import Person, PersonIdentifier, PossibleDuplicate
from tracker.police import services as police_services

BORN = date(1985, 4, 17)
CHOOSE_KIND = "Choose what kind of number this is."


def fnr(seed: int, born: date = BORN, d_number: bool = False) -> str:
    return synthetic.norwegian_id(born, random.Random(seed), d_number=d_number)




@pytest.fixture
def consular(login_as):
    return login_as(Role.CONSULAR_OFFICER)


@pytest.fixture
def liaison(login_as):
    return login_as(Role.POLICE_LIAISON_OFFICER)


# --- the birth date against the number's own date --------------------------------------------

@pytest.mark.parametrize("kind, number", [
    ("norwegian_id", fnr(1)),
    ("norwegian_id", fnr(2, d_number=True)),
    ("swedish_id", synthetic.swedish_id(BORN, random.Random(3))),
    ("swedish_id", synthetic.swedish_id(BORN, random.Random(4), samordning=True)),
    ("danish_id", synthetic.danish_id(BORN, random.Random(5))),
    ("finnish_id", synthetic.finnish_id(BORN, random.Random(6))),
    ("icelandic_id", synthetic.icelandic_id(BORN, random.Random(7))),
])
def test_a_birth_date_the_number_contradicts_is_refused_next_to_the_date(
        consular, kind, number):
    before = count(Person), count(ConsularRequest)
    response = consular.post("/consular/requests/new", new_request_form(
        date_of_birth="1985-04-18", identifier_kind=kind, identifier_value=number))
    assert response.status_code == 422
    [error] = field_error(page(response), "date_of_birth")
    assert "17 April 1985" in error and "18 April 1985" in error
    assert (count(Person), count(ConsularRequest)) == before
    agreeing = consular.post("/consular/requests/new", new_request_form(
        date_of_birth="1985-04-17", identifier_kind=kind, identifier_value=number))
    assert agreeing.status_code == 302, page(agreeing)
    assert count(Person) == before[0] + 1


def test_the_police_party_form_checks_the_birth_date_too(liaison):
    case = open_case(liaison.user)
    before = row_counts()
    response = liaison.post(f"/police/cases/{case.reference}/parties", party_form(
        date_of_birth="1986-04-17", identifier_kind="norwegian_id",
        identifier_value=fnr(8, d_number=True)))
    assert response.status_code == 422
    assert "17 April 1985" in " ".join(field_error(page(response), "date_of_birth"))
    assert row_counts() == before


# --- a number typed with the kind left at "None" ---------------------------------------------

def test_a_number_without_its_kind_is_refused_not_dropped(consular, liaison):
    before = count(Person), count(ConsularRequest)
    response = consular.post("/consular/requests/new", new_request_form(identifier_value=fnr(9)))
    assert response.status_code == 422
    assert field_error(page(response), "identifier_kind") == [CHOOSE_KIND]
    assert fnr(9) in page(response)  # what was typed is still in the field
    assert (count(Person), count(ConsularRequest)) == before
    case = open_case(liaison.user)
    response = liaison.post(f"/police/cases/{case.reference}/parties",
                            party_form(identifier_value="35202-1234567-1"))
    assert response.status_code == 422
    assert field_error(page(response), "identifier_kind") == [CHOOSE_KIND]


def test_a_swedish_number_is_accepted_and_shown_in_swedish_notation(consular):
    response = consular.post("/consular/requests/new", new_request_form(
        full_name="Elsa Testsson", date_of_birth="1970-10-03", identifier_kind="swedish_id",
        identifier_value="701063-2391"))
    assert response.status_code == 302, page(response)
    html = page(consular.get(response.headers["Location"]))
    assert "19701063-2391" in html


# --- another identity number from the person page --------------------------------------------

def _consular_person(officer, **fields):
    subject = make_person("Ayaan Testkhan", date_of_birth=BORN, **fields)
    make_request(officer=officer.user, subject=subject)
    return subject


def _add(signed_in, compartment: str, person, **fields):
    data = {"identifier_kind": "", "identifier_value": "", "identifier_country": ""}
    data.update(fields)
    return signed_in.post(f"/{compartment}/persons/{person.id}/identifiers", data)


def test_a_consular_officer_adds_a_second_number_and_the_page_lists_both(consular):
    person = _consular_person(consular)
    assert "Add another identity number" in page(consular.get(f"/consular/persons/{person.id}"))
    first = _add(consular, "consular", person, identifier_kind="norwegian_id",
                 identifier_value=fnr(10))
    assert first.status_code == 302, page(first)
    second = _add(consular, "consular", person, identifier_kind="danish_id",
                  identifier_value=synthetic.danish_id(BORN, random.Random(11)))
    assert second.status_code == 302, page(second)
    html = page(consular.get(f"/consular/persons/{person.id}"))
    assert fnr(10) in html and "Danish CPR number" in html
    assert len(reload(person).identifiers) == 2
    assert len(audit_rows(person.id, "person.identifier_added")) == 2


def test_the_same_number_twice_and_a_number_another_person_holds_are_refused(consular):
    holder = _consular_person(consular, identifiers=[])
    number = fnr(12)
    assert _add(consular, "consular", holder, identifier_kind="norwegian_id",
                identifier_value=number).status_code == 302
    again = _add(consular, "consular", holder, identifier_kind="norwegian_id",
                 identifier_value=f"{number[:6]} {number[6:]}")
    assert again.status_code == 422
    assert field_error(page(again), "identifier_value") == [
        "This person holds this number already."]
    other = _consular_person(consular)
    before = count(PersonIdentifier)
    taken = _add(consular, "consular", other, identifier_kind="norwegian_id",
                 identifier_value=number)
    assert taken.status_code == 422
    [error] = field_error(page(taken), "identifier_value")
    assert "Ayaan Testkhan holds this number already" in error
    assert count(PersonIdentifier) == before


def test_a_holder_the_officer_cannot_see_is_queued_not_shown(consular):
    number = fnr(13)
    hidden = make_person("Hidden Testperson", date_of_birth=BORN)
    make_request(office=make_office(), subject=hidden)  # another office's request only
    db.session.add(PersonIdentifier(person_id=hidden.id, kind="norwegian_id", value=number))
    db.session.commit()
    person = _consular_person(consular)
    response = _add(consular, "consular", person, identifier_kind="norwegian_id",
                    identifier_value=number)
    assert response.status_code == 302, page(response)
    assert "Hidden Testperson" not in page(consular.get(f"/consular/persons/{person.id}"))
    assert count(PossibleDuplicate, PossibleDuplicate.person_id == person.id,
                 PossibleDuplicate.other_id == hidden.id) == 1


def test_an_added_number_is_checked_like_any_other(consular):
    person = _consular_person(consular)
    before = count(PersonIdentifier)
    no_kind = _add(consular, "consular", person, identifier_value=fnr(14))
    assert no_kind.status_code == 422
    assert field_error(page(no_kind), "identifier_kind") == [CHOOSE_KIND]
    wrong_date = _add(consular, "consular", person, identifier_kind="finnish_id",
                      identifier_value=synthetic.finnish_id(date(1985, 4, 16),
                                                            random.Random(15)))
    assert wrong_date.status_code == 422
    assert "16 April 1985" in " ".join(field_error(page(wrong_date), "identifier_value"))
    bad_check = _add(consular, "consular", person, identifier_kind="icelandic_id",
                     identifier_value="120160-3379")
    assert bad_check.status_code == 422
    assert field_error(page(bad_check), "identifier_value")
    assert count(PersonIdentifier) == before


def test_another_offices_or_compartments_person_cannot_be_targeted(consular, login_as,
                                                                     liaison):
    person = _consular_person(consular)
    outsider = login_as(Role.CONSULAR_OFFICER)  # another office
    police_side = police_person("Rashid Testmann")
    before = count(PersonIdentifier)
    valid = {"identifier_kind": "norwegian_id", "identifier_value": fnr(16)}
    assert _add(outsider, "consular", person, **valid).status_code == 404
    assert _add(liaison, "police", person, **valid).status_code == 404
    assert _add(consular, "consular", police_side, **valid).status_code == 404
    assert _add(consular, "police", police_side, **valid).status_code == 404  # hidden pages
    assert count(PersonIdentifier) == before


def test_a_person_known_only_from_a_restricted_case_cannot_be_given_a_number(login_as):
    """A liaison officer not named on the restricted case: the person does not exist for them,
    until they break the glass."""
    named = login_as(Role.POLICE_LIAISON_OFFICER)
    case = open_case(named.user)
    person = police_person("Qasim Informant Testmann", named.user)
    police_services.add_party(case, named.user, person, "witness")
    police_services.set_restriction(case, named.user, True, [])
    db.session.commit()
    outsider = login_as(Role.POLICE_LIAISON_OFFICER)
    before = count(PersonIdentifier)
    response = _add(outsider, "police", person, identifier_kind="norwegian_id",
                    identifier_value=fnr(18))
    assert response.status_code == 404
    assert count(PersonIdentifier) == before
    assert _add(named, "police", person, identifier_kind="norwegian_id",
                identifier_value=fnr(18)).status_code == 302


def test_a_liaison_officer_adds_a_second_number(liaison):
    person = police_person("Bilal Testmann", date_of_birth=BORN)
    html = page(liaison.get(f"/police/persons/{person.id}"))
    assert "Add another identity number" in html
    response = _add(liaison, "police", person, identifier_kind="swedish_id",
                    identifier_value=synthetic.swedish_id(BORN, random.Random(17)))
    assert response.status_code == 302, page(response)
    response = _add(liaison, "police", person, identifier_kind="passport",
                    identifier_value="fh 123456", identifier_country="no")
    assert response.status_code == 302, page(response)
    html = page(liaison.get(f"/police/persons/{person.id}"))
    assert "Swedish personnummer" in html and "FH123456" in html
    assert len(audit_rows(person.id, "person.identifier_added")) == 2
