"""Links between a liaison case and consular requests: the liaison officer sees the request's
summary and status; the consular side sees nothing until shared, then only that the liaison
officer is involved."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import make_office, make_person, make_request, make_user, reload
from tests.police.helpers import (
    P,
    audit_rows,
    field_error,
    open_case,
    page,
    police_person,
    row_counts,
)
from tracker.auth.models import Role
from tracker.consular import services as consular
from tracker.extensions import db
from tracker.police import services
from tracker.cases.links import ConsularLink, police_involved

C, M = Role.CONSULAR_OFFICER, Role.MANAGER
INVOLVED = "The police liaison officer is involved"


@pytest.fixture
def officer(login_as):
    return login_as(P)


@pytest.fixture
def consular_officer(login_as):
    return login_as(C)


@pytest.fixture
def linked(officer, consular_officer):
    """A case with everything a leak could show, linked to a consular request."""
    request = make_request(officer=consular_officer.user, category="report_of_concern:"
                           "forced_marriage", summary="Young woman held in Mirpur",
                           subject=make_person("Ayesha Consular Subject"))
    case = open_case(officer.user, title="Forced marriage ring Mirpur-Drammen",
                     category="forced_marriage", requesting_agency="Kripos-Secret-Unit",
                     operation_name="Operation Lime-Green", agency_reference="KRIPOS-REF-991",
                     counterpart_reference="FIA-REF-5521")
    suspect = police_person("Rashid Suspectson Testmann")
    services.add_party(case, officer.user, suspect, "suspect")
    response = officer.post(f"/police/cases/{case.reference}/links",
                            {"reference": request.reference.lower()})
    assert response.status_code == 302
    link = db.session.scalar(select(ConsularLink).where(ConsularLink.liaison_case_id == case.id))
    return case, request, link


def leaks(html: str, case) -> list[str]:
    """Anything of the police case on a consular page."""
    body = html.split("<main", 1)[1]
    found = []
    for text in (case.reference, case.summary, "Kripos-Secret-Unit", "Lime-Green",
                 "KRIPOS-REF-991", "FIA-REF-5521", "Rashid", "Suspectson", "/police/",
                 "Forced marriage ring", "liaison case", "POL-"):
        if text.lower() in body.lower():
            found.append(text)
    return found


def test_link_a_request_and_see_its_summary_and_status(officer, linked):
    case, request, link = linked
    assert link.consular_request_id == request.id and link.shared_at is None
    assert link.created_by_id == officer.user.id
    rows = audit_rows(case.reference, "liaison_case.consular_linked")
    assert len(rows) == 1 and request.reference in rows[0].details
    html = page(officer.get(f"/police/cases/{case.reference}"))
    links = html.split('id="links"', 1)[1]
    assert request.reference in links
    assert "Young woman held in Mirpur" in links
    assert "New" in links and "read only" in links
    consular.move(request, make_user(C, office=request.office), "start")
    links = page(officer.get(f"/police/cases/{case.reference}")).split('id="links"', 1)[1]
    assert "In progress" in links


def test_the_liaison_officer_cannot_change_the_request(officer, linked):
    case, request, _ = linked
    base = f"/consular/requests/{request.reference}"
    assert officer.get(base).status_code in (403, 404)
    assert officer.post(f"{base}/notes", {"text": "from the police side"}).status_code in (
        403, 404)
    assert officer.post(f"{base}/steps/start").status_code in (403, 404)
    assert reload(request).status == "new"


@pytest.mark.parametrize("reference", ["ISB-1999-00001", "POL-2026-0001", "nothing", " "])
def test_an_unknown_reference_is_a_message(officer, reference):
    case = open_case(officer.user)
    before = row_counts()
    response = officer.post(f"/police/cases/{case.reference}/links", {"reference": reference})
    assert response.status_code == 422
    assert field_error(page(response), "reference")
    assert row_counts() == before


def test_linking_twice_is_a_message(officer, linked):
    case, request, _ = linked
    before = row_counts()
    response = officer.post(f"/police/cases/{case.reference}/links",
                            {"reference": request.reference})
    assert response.status_code == 422
    assert field_error(page(response), "reference") == ["This request is linked already."]
    # The link's own page is drawn again: nothing is written, not even a read.
    assert row_counts() == before


def test_the_consular_page_shows_nothing_until_shared(linked, consular_officer, login_as):
    case, request, _ = linked
    for reader in (consular_officer, login_as(M)):
        html = page(reader.get(f"/consular/requests/{request.reference}"))
        assert INVOLVED not in html
        assert leaks(html, case) == []
    assert police_involved(request.id) is False


def test_after_sharing_only_the_fact_of_involvement(officer, linked, consular_officer,
                                                    login_as):
    case, request, link = linked
    response = officer.post(f"/police/cases/{case.reference}/links/{link.id}/share")
    assert response.status_code == 302
    link = reload(link)
    assert link.shared_at is not None and link.shared_by_id == officer.user.id
    assert len(audit_rows(case.reference, "liaison_case.consular_shared")) == 1
    assert police_involved(request.id) is True
    for reader in (consular_officer, login_as(M)):
        html = page(reader.get(f"/consular/requests/{request.reference}"))
        assert INVOLVED in html
        assert leaks(html, case) == [], leaks(html, case)
    # Sharing twice changes nothing.
    officer.post(f"/police/cases/{case.reference}/links/{link.id}/share")
    assert len(audit_rows(case.reference, "liaison_case.consular_shared")) == 1
    detail = page(officer.get(f"/police/cases/{case.reference}"))
    assert "the consular section sees only that you are involved" in detail


def test_consular_lists_and_search_show_nothing_of_the_link(linked, consular_officer, officer):
    case, request, link = linked
    services.share_link(link, officer.user)
    for url, params in [("/consular/requests/", {}), ("/consular/requests/", {"q": "Ayesha"}),
                        ("/consular/", {}),
                        ("/consular/requests/", {"q": case.reference}),
                        ("/consular/requests/", {"q": "Rashid Suspectson"})]:
        response = consular_officer.get(url, query_string=params)
        if response.status_code == 200:
            html = page(response)
            assert [x for x in leaks(html, case) if x != "POL-"] == [], (url, params)


def test_a_link_of_another_case_cannot_be_shared_from_this_one(officer, linked):
    case, request, link = linked
    other = open_case(officer.user)
    response = officer.post(f"/police/cases/{other.reference}/links/{link.id}/share")
    assert response.status_code == 404
    assert reload(link).shared_at is None
    assert officer.post(f"/police/cases/{case.reference}/links/2147483647/share"
                        ).status_code == 404


def test_unlinked_requests_never_show_involvement(officer, consular_officer):
    request = make_request(officer=consular_officer.user)
    case = open_case(officer.user)
    other = make_request(office=make_office())
    link = services.link_consular(case, officer.user, other.reference)
    services.share_link(link, officer.user)
    assert police_involved(request.id) is False
    html = page(consular_officer.get(f"/consular/requests/{request.reference}"))
    assert INVOLVED not in html
