"""References typed loosely mean the same case everywhere a reference is typed: the consular
search, the police search and its break-glass lookup, and the link form."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import make_request
from tests.police.helpers import open_case, page
from tracker.auth.models import Role
from tracker.cases.links import ConsularLink
from tracker.cases.references import parse_reference
from tracker.extensions import db
from tracker.police import services as police


@pytest.mark.parametrize("typed", [
    "ISB-2026-00019", "ISB-2026-19", "isb 2026 19", "isb/2026/00019", " Isb.2026.019 ",
    "ISB2026-19", "isb - 2026 - 19",
])
def test_every_loose_notation_means_the_same_reference(typed):
    assert parse_reference(typed) == "ISB-2026-00019"


def test_the_number_is_padded_to_the_width_asked_for():
    assert parse_reference("pol 2026 7", digits=4) == "POL-2026-0007"
    assert parse_reference("POL-2026-00007", digits=4) == "POL-2026-0007"


@pytest.mark.parametrize("typed", ["", "ISB", "ISB-26-19", "IS-2026-19", "ISBN-2026-19",
                                   "ISB-2026-", "Sana Qureshi", "ISB-2026-19-2"])
def test_text_that_is_no_reference_is_none(typed):
    assert parse_reference(typed) is None


def _loosely(reference: str) -> str:
    prefix, year, number = reference.split("-")
    return f"{prefix.lower()} {year} {int(number)}"


def test_the_consular_search_goes_straight_to_a_loosely_typed_reference(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    request = make_request(officer=officer.user)
    response = officer.get("/consular/search", query_string={"q": _loosely(request.reference)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/consular/requests/{request.reference}")


def test_the_link_form_takes_a_loosely_typed_reference(login_as):
    liaison = login_as(Role.POLICE_LIAISON_OFFICER)
    request = make_request()
    case = open_case(liaison.user)
    response = liaison.post(f"/police/cases/{case.reference}/links",
                            {"reference": _loosely(request.reference).replace(" ", "/")})
    assert response.status_code == 302, page(response)
    link = db.session.scalar(select(ConsularLink).where(ConsularLink.liaison_case_id == case.id))
    assert link.consular_request_id == request.id


def test_the_police_search_finds_a_case_and_a_restricted_one_by_loose_reference(login_as):
    named = login_as(Role.POLICE_LIAISON_OFFICER)
    other = login_as(Role.POLICE_LIAISON_OFFICER)
    case = open_case(named.user, title="Loose reference Testcase")
    html = page(named.get("/police/", query_string={"q": _loosely(case.reference)}))
    assert "Loose reference Testcase" in html
    police.set_restriction(case, named.user, True, [])
    db.session.commit()
    # The break-glass lookup: the other officer, who may not open it, finds it by reference.
    html = page(other.get("/police/", query_string={"q": _loosely(case.reference)}))
    assert case.reference in html
