"""Police search (/police/?q=): reference, title, operation, agency reference, a party's name
(variants folded) or identifier in any notation; consular persons are never found."""
from __future__ import annotations

import pytest

from tests.conftest import make_person, make_request
from tests.police.helpers import P, a_cnic, fnr, open_case, page, police_person, results
from tracker.people import services as people
from tracker.police import services


@pytest.fixture
def officer(login_as):
    return login_as(P)


@pytest.fixture
def cases(officer):
    number, cnic_number = fnr(21), a_cnic(21)
    target = open_case(officer.user, title="Lime case: women trafficked to Oslo",
                       category="human_trafficking", operation_name="Tøyenløftet",
                       agency_reference="KRIPOS-2026-4711", counterpart_reference="FIA/ISB/77")
    suspect = police_person("Muhammad Chaudhry", identifiers=[
        people.IdentifierInput("norwegian_id", number),
        people.IdentifierInput("cnic", cnic_number)])
    services.add_party(target, officer.user, suspect, "suspect")
    decoy = open_case(officer.user, title="Unrelated fraud", category="fraud")
    services.add_party(decoy, officer.user, police_person("Ingrid Hansen"), "victim")
    return target, decoy, number, cnic_number


def found(officer, query) -> str:
    response = officer.get("/police/", query_string={"q": query})
    assert response.status_code == 200
    return results(page(response))


@pytest.mark.parametrize("query", [
    "reference", "lime case", "LIME", "trafficked to oslo", "Tøyenløftet", "tøyenløftet",
    "KRIPOS-2026-4711", "kripos-2026", "FIA/ISB/77",
    "Muhammad Chaudhry", "Mohammed Chaudhary", "Mohammad Chaudri", "chaudhry",
    "fnr", "fnr-spaced", "cnic", "cnic-plain", "cnic-urdu",
])
def test_finds_the_case(officer, cases, query):
    target, decoy, number, cnic_number = cases
    query = {"reference": target.reference.lower(), "fnr": number,
             "fnr-spaced": f"{number[:6]} {number[6:]}", "cnic": cnic_number,
             "cnic-plain": cnic_number.replace("-", ""),
             "cnic-urdu": cnic_number.translate(str.maketrans("0123456789",
                                                              "۰۱۲۳۴۵۶۷۸۹"))}.get(query, query)
    html = found(officer, query)
    assert target.reference in html, query
    assert decoy.reference not in html, query


def test_a_party_name_also_lists_the_person(officer, cases):
    html = found(officer, "Mohammed Chaudhary")
    assert "Muhammad Chaudhry" in html and "/police/persons/" in html


def test_wildcards_are_plain_text(officer, cases):
    target, decoy, *_ = cases
    # "Li%se" as a LIKE pattern would find "Lime case"; as words (li*, se*) it finds nothing.
    for query in ("%", "_", "%%", "Li%se", "L_me"):
        html = found(officer, query)
        assert target.reference not in html and decoy.reference not in html, query


def test_nothing_found(officer, cases):
    assert "No cases match" in found(officer, "no such thing anywhere")


def test_consular_persons_are_never_found(officer, cases):
    number = fnr(22)
    consular = make_person("Zulfiqar Consular Bhatti", identifiers=[
        people.IdentifierInput("norwegian_id", number)])
    make_request(subject=consular, summary="Zulfiqar's passport")
    for query in ("Zulfiqar Consular Bhatti", "Bhatti", number):
        html = found(officer, query)
        assert "Zulfiqar" not in html, query
        assert f"/persons/{consular.id}" not in html
    assert services.find_cases("Bhatti") == []


def test_the_service_finds_by_every_field(app, cases):
    target, *_ = cases
    for text in (target.reference, "Lime", "Tøyenløftet", "KRIPOS-2026-4711", "FIA/ISB/77",
                 "Mohammed Chaudhary"):
        assert target in services.find_cases(text), text
    assert services.find_cases("") == [] and services.find_cases("   ") == []


def test_a_search_shows_closed_cases_too(officer, cases):
    target, *_ = cases
    services.move(target, officer.user, "close", closing_reason="conviction")
    assert target.reference in found(officer, "Lime case")
