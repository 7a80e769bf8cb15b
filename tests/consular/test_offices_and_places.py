"""The offices an officer logs requests for, and where the event happened.

The embassy's officers serve the embassy and the honorary consulates' districts; a consulate's
officer serves only their own. A request records the place of the event (free text, with the
districts of the offices served as suggestions), shown, editable and found by search.
"""
from __future__ import annotations

import html as html_lib

import pytest

from tests.conftest import make_office, make_request, make_user, reload
from tests.consular.helpers import count
from tracker.auth.models import OfficeKind, Role
from tracker.consular import access
from tracker.consular.models import ConsularRequest

C, M = Role.CONSULAR_OFFICER, Role.MANAGER


@pytest.fixture
def offices(app):
    return {"ISB": make_office("ISB", name="Embassy Islamabad", kind=OfficeKind.EMBASSY),
            "KHI": make_office("KHI", name="Consulate Karachi",
                               kind=OfficeKind.HONORARY_CONSULATE),
            "LHE": make_office("LHE", name="Consulate Lahore",
                               kind=OfficeKind.HONORARY_CONSULATE)}


def text(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def new_request(offices, **fields) -> dict:
    return {"kind": "passport:lost_or_stolen", "priority": "routine", "channel": "phone",
            "summary": "Passport stolen at the bus station", "full_name": "Sana Testesen",
            "confirm_new": "y", "assigned_to": "0", **fields}


def test_who_serves_which_office(offices):
    embassy_officer = make_user(C, office=offices["ISB"])
    lahore_officer = make_user(C, office=offices["LHE"])
    assert [o.code for o in access.offices_served(embassy_officer)] == ["ISB", "KHI", "LHE"]
    assert [o.code for o in access.offices_served(lahore_officer)] == ["LHE"]
    assert access.serves(embassy_officer, offices["KHI"])
    assert not access.serves(lahore_officer, offices["KHI"])
    assert not access.serves(lahore_officer, offices["ISB"])


def test_an_islamabad_officer_logs_a_request_for_karachi(login_as, offices):
    officer = login_as(C, office=offices["ISB"])
    form = text(officer.get("/consular/requests/new"))
    assert "Logged for" in form and "Consulate Karachi" in form
    response = officer.post("/consular/requests/new", new_request(
        offices, office=str(offices["KHI"].id), place_of_event="Clifton, Karachi"))
    assert response.status_code == 302, text(response)
    reference = response.headers["Location"].rsplit("/", 1)[-1]
    assert reference.startswith("KHI-")
    page = text(officer.get(f"/consular/requests/{reference}"))
    assert "Consulate Karachi" in page and "Clifton, Karachi" in page
    # The officer who logged it works it: the step pages open.
    assert officer.get(f"/consular/requests/{reference}/steps/start").status_code == 200


def test_without_a_choice_the_request_is_the_officers_own_office(login_as, offices):
    officer = login_as(C, office=offices["ISB"])
    response = officer.post("/consular/requests/new", new_request(offices))
    assert response.headers["Location"].rsplit("/", 1)[-1].startswith("ISB-")


def test_a_lahore_officer_posting_for_karachi_is_refused(login_as, offices):
    officer = login_as(C, office=offices["LHE"])
    form = text(officer.get("/consular/requests/new"))
    assert "Logged for" not in form  # only one office served: no choice shown
    before = count(ConsularRequest)
    response = officer.post("/consular/requests/new",
                            new_request(offices, office=str(offices["KHI"].id)))
    assert response.status_code == 422
    page = text(response)
    assert "You do not serve Consulate Karachi" in page
    assert count(ConsularRequest) == before


@pytest.mark.parametrize("office", ["999999", "not a number", "-1"])
def test_an_office_that_is_no_office_is_refused(login_as, offices, office):
    officer = login_as(C, office=offices["ISB"])
    before = count(ConsularRequest)
    response = officer.post("/consular/requests/new", new_request(offices, office=office))
    assert response.status_code == 422
    assert count(ConsularRequest) == before


def test_a_karachi_request_is_hidden_from_lahore_and_open_to_islamabad(login_as, offices):
    request = make_request(office=offices["KHI"], summary="Lost passport in Clifton")
    embassy_officer = login_as(C, office=offices["ISB"])
    lahore_officer = login_as(C, office=offices["LHE"])
    assert embassy_officer.get(f"/consular/requests/{request.reference}").status_code == 200
    assert request.reference in text(embassy_officer.get("/consular/requests/"))
    assert lahore_officer.get(f"/consular/requests/{request.reference}").status_code == 404
    assert request.reference not in text(lahore_officer.get("/consular/requests/"))


def test_the_place_is_suggested_shown_edited_and_searched(login_as, offices):
    officer = login_as(C, office=offices["ISB"])
    form = text(officer.get("/consular/requests/new"))
    assert 'list="districts"' in form and '<datalist id="districts">' in form
    assert '<option value="Rawalpindi">' in form and '<option value="Karachi">' in form
    request = make_request(office=offices["ISB"], officer=officer.user)
    assert "Not recorded" in text(officer.get(f"/consular/requests/{request.reference}"))
    edit = text(officer.get(f"/consular/requests/{request.reference}/edit"))
    assert "Where it happened" in edit
    response = officer.post(f"/consular/requests/{request.reference}/edit", {
        "version": str(request.version), "subcategory": "renewal", "priority": "routine",
        "summary": request.summary, "place_of_event": "  Murree  "})
    assert response.status_code == 302
    assert reload(request).place_of_event == "Murree"
    assert "Murree" in text(officer.get(f"/consular/requests/{request.reference}"))
    assert request.reference in text(officer.get("/consular/search?q=murree"))


def test_a_place_too_long_is_refused_with_a_message(login_as, offices):
    officer = login_as(C, office=offices["ISB"])
    before = count(ConsularRequest)
    response = officer.post("/consular/requests/new",
                            new_request(offices, place_of_event="x" * 121))
    assert response.status_code == 422
    assert "120" in text(response)
    assert count(ConsularRequest) == before


def test_a_lahore_officer_does_not_find_a_karachi_place(login_as, offices):
    request = make_request(office=offices["KHI"])
    from tracker.consular import services
    from tracker.extensions import db

    services.update_request(request, request.created_by, version=request.version,
                            priority="routine", summary=request.summary, description="",
                            subcategory=request.subcategory, place_of_event="Gwadar")
    db.session.commit()
    lahore_officer = login_as(C, office=offices["LHE"])
    assert request.reference not in text(lahore_officer.get("/consular/search?q=Gwadar"))
    manager = login_as(M, office=offices["ISB"])
    assert request.reference in text(manager.get("/consular/search?q=Gwadar"))
