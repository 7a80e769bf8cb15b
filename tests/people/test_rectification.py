"""Rectification: a person's details corrected with a reason, the history of corrections on
the person's page, the duplicate check run again; never past the scope, never over another
officer's correction, never half-saved."""
from __future__ import annotations

import random
from datetime import date

import pytest

from tests.conftest import audit_rows, count, make_person, make_request, reload
from tests.police.helpers import field_error, page, police_person
from tracker.auth.models import Role
from tracker.people import services as people
from tracker.people import synthetic
from tracker.people.models import (
    Compartment,
    Person,
    PersonCorrection,
    PersonIdentifier,
    PossibleDuplicate,
)

BORN = date(1985, 4, 17)
REASON = "The person showed their passport at the counter"


def fnr(seed: int, born: date = BORN) -> str:
    return synthetic.norwegian_id(born, random.Random(seed))


@pytest.fixture
def consular(login_as):
    return login_as(Role.CONSULAR_OFFICER)


@pytest.fixture
def liaison(login_as):
    return login_as(Role.POLICE_LIAISON_OFFICER)


def subject_of(officer, name="Ayaan Testkhan", **fields) -> Person:
    person = make_person(name, date_of_birth=BORN, **fields)
    make_request(officer=officer.user, subject=person)
    return person


def form(person: Person, **changes) -> dict:
    """The correction form as it opens (the details as recorded), with `changes` typed."""
    data = {"full_name": person.full_name,
            "other_names": "; ".join(n.name for n in person.other_names),
            "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
            "sex": person.sex.value if person.sex else "",
            "nationality": person.nationality.value if person.nationality else "",
            "phone": person.phone or "", "email": person.email or "",
            "address": person.address or "", "reason": REASON,
            "version": str(person.version)}
    data.update(changes)
    return data


def correct(officer, person, compartment="consular", **changes):
    return officer.post(f"/{compartment}/persons/{person.id}/correct", form(person, **changes))


def test_the_form_opens_with_the_details_as_recorded(consular):
    person = subject_of(consular, phone="+92 300 1234567")
    html = page(consular.get(f"/consular/persons/{person.id}/correct"))
    assert 'value="Ayaan Testkhan"' in html and 'value="+92 300 1234567"' in html
    assert "Correct the details" in page(consular.get(f"/consular/persons/{person.id}"))


def test_a_correction_changes_the_record_and_is_kept_with_its_reason(consular):
    person = subject_of(consular)
    response = correct(consular, person, full_name="Ayan Testkhan", date_of_birth="16.04.1985",
                       phone="+47 912 34 567")
    assert response.status_code == 302, page(response)
    person = reload(person)
    assert (person.full_name, person.date_of_birth, person.phone) == (
        "Ayan Testkhan", date(1985, 4, 16), "+47 912 34 567")
    [correction] = person.corrections
    assert correction.field_keys == ["full_name", "date_of_birth", "phone"]
    assert correction.reason == REASON and correction.corrected_by_id == consular.user.id
    [row] = audit_rows(person.id, "person.corrected")
    assert row.actor_id == consular.user.id
    html = page(consular.get(f"/consular/persons/{person.id}"))
    assert "Corrections" in html and REASON in html and "Name, Date of birth, Phone" in html


def test_the_corrected_name_is_found_and_the_wrong_one_no_longer(consular):
    person = subject_of(consular, name="Zubair Wrongname")
    assert correct(consular, person, full_name="Zubair Rightname").status_code == 302
    assert [p.id for p in people.find_persons(Compartment.CONSULAR, "Rightname")] == [person.id]
    assert people.find_persons(Compartment.CONSULAR, "Wrongname") == []


def test_other_spellings_are_replaced_as_typed(consular):
    person = subject_of(consular, other_names=["Ayaan Testkhaan"])
    assert correct(consular, person, other_names="Aayan Testkhan").status_code == 302
    assert [n.name for n in reload(person).other_names] == ["Aayan Testkhan"]


@pytest.mark.parametrize("changes, field, message", [
    ({"reason": ""}, "reason", "Say why the details are corrected."),
    ({"reason": "typo"}, "reason", "at least 10 characters"),
    ({"full_name": " "}, "full_name", "Write the person's name as they write it."),
    ({"date_of_birth": "31.12.2099"}, "date_of_birth", "The date of birth is in the future."),
    ({"sex": "unknown"}, "sex", "Not a valid choice."),
])
def test_a_broken_rule_is_shown_next_to_its_field_and_nothing_changes(consular, changes,
                                                                      field, message):
    person = subject_of(consular)
    response = correct(consular, person, phone="+47 912 34 567", **changes)
    assert response.status_code == 422
    assert message in " ".join(field_error(page(response), field))
    assert reload(person).phone is None and count(PersonCorrection) == 0


def test_a_correction_that_changes_nothing_is_refused(consular):
    person = subject_of(consular)
    response = correct(consular, person)
    assert response.status_code == 422
    assert "Nothing was changed" in page(response)
    assert count(PersonCorrection) == 0


def test_a_number_recorded_in_error_is_dropped_and_the_birth_date_checked_against_the_rest(
        consular):
    person = subject_of(consular, identifiers=[people.IdentifierInput("norwegian_id", fnr(1))])
    [number] = person.identifiers
    # The number carries 17 April 1985: a birth date of 18 April contradicts it...
    response = correct(consular, person, date_of_birth="18.04.1985")
    assert response.status_code == 422
    assert "17 April 1985" in " ".join(field_error(page(response), "date_of_birth"))
    # ...unless the number itself was the mistake and goes in the same correction.
    response = consular.post(f"/consular/persons/{person.id}/correct", {
        **form(person, date_of_birth="18.04.1985"), "drop_identifiers": str(number.id)})
    assert response.status_code == 302, page(response)
    person = reload(person)
    assert person.identifiers == [] and person.date_of_birth == date(1985, 4, 18)
    assert person.corrections[0].field_keys == ["date_of_birth", "identifiers"]


def test_another_person_s_number_cannot_be_dropped_through_the_form(consular):
    """An insider edits the form to name another person's identifier: refused, kept."""
    person = subject_of(consular)
    other = make_person("Other Testperson",
                        identifiers=[people.IdentifierInput("norwegian_id", fnr(2))])
    [theirs] = other.identifiers
    response = consular.post(f"/consular/persons/{person.id}/correct", {
        **form(person, phone="+47 912 34 567"), "drop_identifiers": str(theirs.id)})
    assert response.status_code == 422
    assert count(PersonIdentifier, PersonIdentifier.id == theirs.id) == 1
    assert reload(person).phone is None


def test_two_officers_correcting_at_once_never_overwrite_each_other(consular, login_as):
    person = subject_of(consular)
    colleague = login_as(Role.CONSULAR_OFFICER, office=consular.user.office)
    opened = form(person)
    assert correct(colleague, person, phone="+47 912 34 567").status_code == 302
    late = consular.post(f"/consular/persons/{person.id}/correct",
                         {**opened, "phone": "+92 300 7654321"})
    assert late.status_code == 409
    assert reload(person).phone == "+47 912 34 567"
    assert count(PersonCorrection) == 1


def test_a_person_outside_the_officer_s_scope_or_compartment_cannot_be_corrected(
        consular, login_as, liaison):
    person = subject_of(consular)
    outsider = login_as(Role.CONSULAR_OFFICER)  # another office
    police_side = police_person("Rashid Testmann")
    for officer, compartment, target in ((outsider, "consular", person),
                                         (liaison, "police", person),
                                         (consular, "consular", police_side),
                                         (consular, "police", police_side)):
        assert officer.get(f"/{compartment}/persons/{target.id}/correct").status_code == 404
        assert correct(officer, target, compartment, full_name="Changed Name"
                       ).status_code == 404
    assert reload(person).full_name == "Ayaan Testkhan"
    assert reload(police_side).full_name == "Rashid Testmann"


def test_the_liaison_officer_corrects_a_police_person(liaison):
    person = police_person("Rashid Testmann")
    response = correct(liaison, person, "police", full_name="Rashid Testman")
    assert response.status_code == 302, page(response)
    assert reload(person).full_name == "Rashid Testman"
    assert REASON in page(liaison.get(f"/police/persons/{person.id}"))


def test_the_duplicate_check_runs_again_on_the_corrected_details(consular):
    """Corrected to the same birth date and name as others recorded, whether the officer sees
    them or not: each pair is queued for someone who may see both; a third with another
    birth date is not."""
    seen = make_person("Farah Testqureshi", date_of_birth=date(1990, 1, 2))
    make_request(officer=consular.user, subject=seen)
    unseen = make_person("Farah Testqureshi", date_of_birth=date(1990, 1, 2))  # no request
    other_birth = subject_of(consular, name="Farah Testqureshi")
    person = subject_of(consular, name="Farah Testquraishi", other_names=[])
    before = count(PossibleDuplicate)
    response = correct(consular, person, full_name="Farah Testqureshi",
                       date_of_birth="02.01.1990")
    assert response.status_code == 302, page(response)
    queued = {p.other_id for p in pairs_of(person)}
    assert {seen.id, unseen.id} <= queued and other_birth.id not in queued
    assert count(PossibleDuplicate) == before + 2
    # Corrected again: the pairs already queued are not queued twice.
    assert correct(consular, reload(person), phone="+47 912 34 567").status_code == 302
    assert count(PossibleDuplicate) == before + 2


def pairs_of(person):
    from sqlalchemy import select

    from tracker.extensions import db

    db.session.expire_all()
    return db.session.scalars(
        select(PossibleDuplicate).where(PossibleDuplicate.person_id == person.id)).all()


def test_a_person_known_only_from_a_restricted_case_cannot_be_corrected_by_others(login_as):
    """A liaison officer not named on the restricted case: the person does not exist for them,
    on the correction page as everywhere else."""
    from tests.police.helpers import open_case
    from tracker.extensions import db
    from tracker.police import services as police_services

    named = login_as(Role.POLICE_LIAISON_OFFICER)
    case = open_case(named.user)
    person = police_person("Qasim Informant Testmann", named.user)
    police_services.add_party(case, named.user, person, "witness")
    police_services.set_restriction(case, named.user, True, [])
    db.session.commit()
    outsider = login_as(Role.POLICE_LIAISON_OFFICER)
    assert outsider.get(f"/police/persons/{person.id}/correct").status_code == 404
    assert correct(outsider, person, "police", full_name="Changed Name").status_code == 404
    assert reload(person).full_name == "Qasim Informant Testmann"
    assert count(PersonCorrection) == 0
    assert correct(named, person, "police", full_name="Qasim Testmann").status_code == 302
