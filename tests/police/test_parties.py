"""Persons involved in a liaison case: the police person registry, identifier validation,
the duplicate warning, and the wall between police and consular persons."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import make_person, make_request, reload
from tests.police.helpers import (
    P,
    a_cnic,
    audit_rows,
    count,
    field_error,
    fnr,
    liaison,
    open_case,
    page,
    party_form,
    police_person,
    row_counts,
    wrong_check_digit,
)
from tracker.extensions import db
from tracker.people import services as people
from tracker.people.models import Compartment, Person, PersonIdentifier
from tracker.police import services
from tracker.police.categories import PartyRole
from tracker.police.models import CaseParty


@pytest.fixture
def officer(login_as):
    return login_as(P)



def post_party(officer, case, **fields):
    return officer.post(f"/police/cases/{case.reference}/parties", party_form(**fields))


def parties(case) -> list[CaseParty]:
    db.session.expire_all()
    return list(db.session.scalars(select(CaseParty).where(CaseParty.case_id == case.id)
                                   .order_by(CaseParty.id)))


def test_a_person_added_goes_to_the_police_registry(officer):
    case = open_case(officer.user)
    number = fnr(1)
    response = post_party(officer, case, full_name="Øyvind Ærø Åsen", date_of_birth="1988-03-09",
                          nationality="norwegian", identifier_kind="norwegian_id",
                          identifier_value=f"{number[:6]} {number[6:]}",
                          other_names="Oyvind Aero Aasen")
    assert response.status_code == 302, page(response)
    [party] = parties(case)
    assert party.role is PartyRole.SUSPECT
    person = party.person
    assert person.compartment is Compartment.POLICE
    assert person.full_name == "Øyvind Ærø Åsen"
    assert [i.value for i in person.identifiers] == [number]
    assert [n.name for n in person.other_names] == ["Oyvind Aero Aasen"]
    assert len(audit_rows(case.reference, "liaison_case.party_added")) == 1
    html = page(officer.get(f"/police/cases/{case.reference}"))
    assert "Øyvind Ærø Åsen" in html and "Suspect" in html
    assert f"/police/persons/{person.id}" in html


@pytest.mark.parametrize("role", list(PartyRole))
def test_every_role(officer, role):
    case = open_case(officer.user)
    assert post_party(officer, case, role=role.value).status_code == 302
    assert parties(case)[0].role is role


def test_urdu_names_and_cnic_in_urdu_digits(officer):
    case = open_case(officer.user)
    number = a_cnic(3)
    urdu = number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    response = post_party(officer, case, full_name="محمد چوہدری", identifier_kind="cnic",
                          identifier_value=urdu)
    assert response.status_code == 302
    person = parties(case)[0].person
    assert person.full_name == "محمد چوہدری"
    assert person.identifiers[0].value == number


def test_a_wrong_check_digit_is_a_message_next_to_number(officer):
    case = open_case(officer.user)
    before = row_counts()
    response = post_party(officer, case, identifier_kind="norwegian_id",
                          identifier_value=wrong_check_digit(fnr(2)))
    assert response.status_code == 422
    errors = field_error(page(response), "identifier_value")
    assert errors and "check digit" in errors[0].lower(), errors
    assert row_counts() == before


@pytest.mark.parametrize("kind, value", [
    ("norwegian_id", "123"),
    ("norwegian_id", "31029912345"),  # 31 February
    ("cnic", "8123456789012"),  # no region 8
    ("cnic", "12345"),
    ("passport", "AB12"),  # Norwegian passports have 8 characters
])
def test_invalid_identifiers_are_refused_next_to_number(officer, kind, value):
    case = open_case(officer.user)
    before = row_counts()
    response = post_party(officer, case, identifier_kind=kind, identifier_value=value,
                          identifier_country="NO" if kind == "passport" else "")
    assert response.status_code == 422
    assert field_error(page(response), "identifier_value")
    assert row_counts() == before


def test_a_name_is_required(officer):
    case = open_case(officer.user)
    before = row_counts()
    response = post_party(officer, case, full_name="  ")
    assert response.status_code == 422
    assert field_error(page(response), "full_name")
    assert row_counts() == before


def test_a_future_date_of_birth_is_refused(officer):
    case = open_case(officer.user)
    before = row_counts()
    response = post_party(officer, case, date_of_birth="2999-01-01")
    assert response.status_code == 422
    assert field_error(page(response), "date_of_birth")
    assert row_counts() == before


def test_an_unknown_role_is_refused(officer):
    case = open_case(officer.user)
    before = row_counts()
    response = post_party(officer, case, role="informant")
    assert response.status_code == 422
    assert field_error(page(response), "role")
    assert row_counts() == before


# --- the duplicate warning -----------------------------------------------------------------------


def test_same_identifier_warns_and_the_officer_picks(officer):
    number = fnr(4)
    known = police_person("Kari Nordmann Test", identifiers=[
        people.IdentifierInput("norwegian_id", number)])
    case = open_case(officer.user)
    before = row_counts()
    # Another notation of the same number.
    response = post_party(officer, case, full_name="K. Nordmann",
                          identifier_kind="norwegian_id",
                          identifier_value=f"{number[:6]}-{number[6:]}")
    assert response.status_code == 422
    html = page(response)
    assert "may be known already" in html
    assert f'id="use_person-{known.id}"' in html and "Kari Nordmann Test" in html
    assert row_counts() == before
    response = post_party(officer, case, full_name="K. Nordmann",
                          identifier_kind="norwegian_id", identifier_value=number,
                          use_person=str(known.id))
    assert response.status_code == 302
    assert [p.person_id for p in parties(case)] == [known.id]
    assert count(Person, Person.compartment == Compartment.POLICE) == before["persons"] and (
        count(Person) == before["persons"])


def test_same_birth_date_and_folded_name_warns_and_the_officer_confirms_new(officer):
    known = police_person("Muhammad Chaudhry", date_of_birth=date(1979, 1, 2))
    case = open_case(officer.user)
    before = row_counts()
    response = post_party(officer, case, full_name="Mohammed Chaudhary",
                          date_of_birth="1979-01-02")
    assert response.status_code == 422
    assert f'id="use_person-{known.id}"' in page(response)
    assert row_counts() == before
    response = post_party(officer, case, full_name="Mohammed Chaudhary",
                          date_of_birth="1979-01-02", use_person="new")
    assert response.status_code == 302
    [party] = parties(case)
    assert party.person_id != known.id
    assert party.person.full_name == "Mohammed Chaudhary"


def test_a_different_birth_date_is_not_a_duplicate(officer):
    police_person("Muhammad Chaudhry", date_of_birth=date(1979, 1, 2))
    case = open_case(officer.user)
    response = post_party(officer, case, full_name="Mohammed Chaudhary",
                          date_of_birth="1980-01-02")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/police/cases/{case.reference}#parties"
    [party] = parties(case)
    assert party.person.full_name == "Mohammed Chaudhary"
    assert party.person.date_of_birth == date(1980, 1, 2)
    html = page(officer.get(response.headers["Location"]))
    assert "Mohammed Chaudhary" in html and "Muhammad Chaudhry" not in html


def test_consular_persons_are_never_duplicate_candidates(officer):
    number = fnr(5)
    consular = make_person("Consular Only Person", identifiers=[
        people.IdentifierInput("norwegian_id", number)])
    case = open_case(officer.user)
    response = post_party(officer, case, full_name="Consular Only Person",
                          identifier_kind="norwegian_id", identifier_value=number)
    assert response.status_code == 302
    html = page(officer.get(f"/police/cases/{case.reference}"))
    assert f'id="use_person-{consular.id}"' not in html
    person = parties(case)[0].person
    assert person.id != consular.id and person.compartment is Compartment.POLICE


def test_a_consular_person_cannot_be_added_to_a_police_case(officer):
    number = fnr(6)
    consular = make_person("Zainab Consular Qureshi", identifiers=[
        people.IdentifierInput("norwegian_id", number)])
    case = open_case(officer.user)
    before = row_counts()
    response = post_party(officer, case, full_name="Zainab Consular Qureshi",
                          identifier_kind="norwegian_id", identifier_value=number,
                          use_person=str(consular.id))
    assert response.status_code == 422
    assert row_counts() == before
    # The person's page is drawn again without offering (or naming) the consular person.
    assert "Zainab Consular Qureshi" not in re.sub(r'<input[^>]*>', "", page(response))
    with pytest.raises(services.CaseError):
        services.add_party(case, officer.user, consular, "victim")
    db.session.rollback()
    assert parties(case) == []


def test_picking_a_person_the_warning_did_not_list_is_refused(officer):
    """An id slipped into the form must not add someone the officer was never shown."""
    stranger = police_person("Somebody Else Entirely", date_of_birth=date(1960, 6, 6))
    case = open_case(officer.user)
    before = row_counts()
    response = post_party(officer, case, full_name="Tariq Testmann",
                          use_person=str(stranger.id))
    assert response.status_code == 422
    assert row_counts() == before


@pytest.mark.parametrize("chosen", ["abc", "²", "-1", "99999999999999999999999", "0"])
def test_a_garbled_choice_is_a_message_not_an_error(officer, chosen):
    case = open_case(officer.user)
    before = row_counts()
    response = post_party(officer, case, use_person=chosen)
    assert response.status_code == 422
    assert "Choose one of the persons listed." in page(response)
    assert row_counts() == before


def test_the_same_person_twice_in_one_role_is_refused(officer):
    person = police_person("Usman Twice Testmann")
    case = open_case(officer.user)
    services.add_party(case, officer.user, person, "suspect")
    db.session.commit()  # services flush; saved here, as the unit of work would
    with pytest.raises(services.CaseError) as refused:
        services.add_party(case, officer.user, person, "suspect")
    assert refused.value.field == "role"
    db.session.rollback()
    services.add_party(reload(case), officer.user, person, "witness")
    assert [p.role for p in parties(case)] == [PartyRole.SUSPECT, PartyRole.WITNESS]


# --- the two registries never meet ----------------------------------------------------------


def test_a_police_person_never_appears_in_consular_search(app):
    number = fnr(7)
    cnic_number = a_cnic(7)
    officer = liaison()
    case = open_case(officer)
    person = police_person("Hamza Hidden Malik", identifiers=[
        people.IdentifierInput("norwegian_id", number),
        people.IdentifierInput("cnic", cnic_number)])
    services.add_party(case, officer, person, "suspect")
    for text in ("Hamza Hidden Malik", "Hamza", "Malik", number, cnic_number,
                 cnic_number.replace("-", "")):
        assert people.find_persons(Compartment.CONSULAR, text) == []
        assert person in people.find_persons(Compartment.POLICE, text)
    same = people.PersonInput(full_name="Hamza Hidden Malik",
                              identifiers=[people.IdentifierInput("norwegian_id", number)])
    assert people.duplicate_candidates(Compartment.CONSULAR, same) == []


def test_the_consular_pages_never_show_a_police_person(login_as):
    officer = liaison()
    case = open_case(officer)
    person = police_person("Hamza Hidden Malik")
    services.add_party(case, officer, person, "suspect")
    consular = login_as(Role_C())
    request = make_request(officer=consular.user)
    assert consular.get(f"/consular/persons/{person.id}").status_code == 404
    for query in ("Hamza Hidden Malik", "Malik"):
        response = consular.get("/consular/search", query_string={"q": query})
        assert response.status_code == 200
        html = page(response).split("<main", 1)[1]
        assert f"/persons/{person.id}" not in html
    assert request.reference


def Role_C():
    from tracker.auth.models import Role

    return Role.CONSULAR_OFFICER


def test_the_person_page_lists_the_cases_and_is_logged(officer):
    person = police_person("Sana Testdatter", date_of_birth=date(2015, 2, 3),
                           identifiers=[people.IdentifierInput("cnic", a_cnic(9))])
    first, second = open_case(officer.user, title="First"), open_case(officer.user,
                                                                        title="Second")
    services.add_party(first, officer.user, person, "abducted_child")
    services.add_party(second, officer.user, person, "witness")
    response = officer.get(f"/police/persons/{person.id}")
    assert response.status_code == 200
    html = page(response)
    assert first.reference in html and second.reference in html
    assert "Abducted child" in html and "Witness" in html
    assert a_cnic(9) in html
    rows = audit_rows(str(person.id), "police_person.viewed")
    assert len(rows) == 1 and rows[0].actor_id == officer.user.id


def test_the_police_person_page_does_not_open_a_consular_person(officer):
    consular = make_person("Kari Consular Only")
    assert officer.get(f"/police/persons/{consular.id}").status_code == 404
    assert officer.get("/police/persons/2147483647").status_code == 404
    assert officer.get("/police/persons/99999999999999999999").status_code == 404


def test_no_police_identifier_is_shared_with_consular_identifiers(app):
    number = fnr(8)
    police_person("Police Copy", identifiers=[people.IdentifierInput("norwegian_id", number)])
    make_person("Consular Copy", identifiers=[people.IdentifierInput("norwegian_id", number)])
    rows = db.session.scalars(select(PersonIdentifier).where(PersonIdentifier.value == number))
    compartments = sorted(str(db.session.get(Person, r.person_id).compartment) for r in rows)
    assert compartments == ["consular", "police"]
