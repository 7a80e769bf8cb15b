"""Opening and editing a liaison case: references, required fields, every Nordic country and
kind, INTERPOL notices, the version that guards an edit, the case list."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from tests.conftest import make_office, reload
from tests.police.helpers import (
    REFERENCE,
    P,
    audit_rows,
    case_form,
    field_error,
    liaison,
    open_case,
    page,
    police_person,
    row_counts,
)
from tracker.extensions import db
from tracker.police import services
from tracker.police.categories import Counterpart, NordicCountry, NoticeColour, PoliceCategory
from tracker.police.models import InterpolNotice, LiaisonCase


@pytest.fixture
def officer(login_as):
    return login_as(P)


# --- references ---------------------------------------------------------------------------------


def test_references_are_pol_year_and_four_digits_in_sequence(app):
    officer = liaison()
    cases = [open_case(officer) for _ in range(3)]
    year = datetime.now(timezone.utc).year
    for case in cases:
        assert REFERENCE.match(case.reference), case.reference
        assert case.reference.startswith(f"POL-{year}-") or case.reference.startswith(
            f"POL-{year + 1}-")  # New Year's Eve in Islamabad is five hours early
    numbers = [int(c.reference.rsplit("-", 1)[1]) for c in cases]
    assert numbers == list(range(numbers[0], numbers[0] + 3))
    assert len({c.reference for c in cases}) == 3


def test_the_year_is_the_offices(app, monkeypatch):
    """At 20:00 UTC on 31 December it is already the new year in Islamabad."""
    from tracker.police import services as police_services

    monkeypatch.setattr(police_services, "utcnow",
                        lambda: datetime(2031, 12, 31, 20, 0, tzinfo=timezone.utc))
    case = open_case(liaison(office=make_office(time_zone="Asia/Karachi")))
    assert case.reference.startswith("POL-2032-")


def test_opening_is_logged(app):
    case = open_case()
    rows = audit_rows(case.reference, "liaison_case.opened")
    assert len(rows) == 1 and rows[0].object_type == "liaison_case"
    assert case.status == "opened"


# --- the new-case form ----------------------------------------------------------------------


def test_open_a_case_through_the_web(officer):
    response = officer.post("/police/cases/new", case_form(
        operation_name="Tøyenløftet", agency_reference="KRIPOS-2026-17",
        counterpart_reference="FIA/LHR/991", description="Background in two lines.\nSecond."))
    assert response.status_code == 302
    case = db.session.scalar(select(LiaisonCase).order_by(LiaisonCase.id.desc()).limit(1))
    assert response.headers["Location"].endswith(f"/police/cases/{case.reference}")
    assert REFERENCE.match(case.reference)
    assert case.summary == "Girl taken from Drammen to Jhelum"
    assert case.category is PoliceCategory.CHILD_ABDUCTION
    assert case.country is NordicCountry.NORWAY
    assert case.requesting_agency == "Oslo politidistrikt"
    assert case.counterpart is Counterpart.PUNJAB_POLICE
    assert case.operation_name == "Tøyenløftet"
    assert case.agency_reference == "KRIPOS-2026-17"
    assert case.assigned_to_id == officer.user.id
    html = page(officer.get(response.headers["Location"]))
    for text in ("Girl taken from Drammen to Jhelum", "Tøyenløftet", "KRIPOS-2026-17",
                 "FIA/LHR/991", "Punjab Police", "Norway: Oslo politidistrikt"):
        assert text in html, text


def test_the_host_country_fir_number_is_saved_shown_and_edited(officer):
    response = officer.post("/police/cases/new", case_form(fir_number="FIR 112/2026 PS Saddar"))
    case = db.session.scalar(select(LiaisonCase).order_by(LiaisonCase.id.desc()).limit(1))
    assert case.fir_number == "FIR 112/2026 PS Saddar"
    assert "FIR 112/2026 PS Saddar" in page(officer.get(response.headers["Location"]))
    response = officer.post(f"/police/cases/{case.reference}/edit", case_form(
        fir_number="x" * 81, version=case.version))
    assert response.status_code == 422
    assert "At most 80 characters; you typed 81." in page(response)


@pytest.mark.parametrize("field, message", [
    ("title", "This field is required."),
    ("requesting_agency", "This field is required."),
])
def test_a_missing_text_field_is_named_next_to_the_field(officer, field, message):
    before = row_counts()
    response = officer.post("/police/cases/new", case_form(**{field: ""}))
    assert response.status_code == 422
    assert field_error(page(response), field), page(response)
    assert row_counts() == before


@pytest.mark.parametrize("field", ["title", "requesting_agency"])
def test_blank_text_is_missing_text(officer, field):
    before = row_counts()
    response = officer.post("/police/cases/new", case_form(**{field: "   \t  "}))
    assert response.status_code == 422
    assert field_error(page(response), field)
    assert row_counts() == before


@pytest.mark.parametrize("field", ["category", "country", "counterpart"])
@pytest.mark.parametrize("value", ["", "XX", "police"])
def test_a_missing_or_unknown_choice_is_named_next_to_the_field(officer, field, value):
    before = row_counts()
    response = officer.post("/police/cases/new", case_form(**{field: value}))
    assert response.status_code == 422
    assert field_error(page(response), field)
    assert row_counts() == before


def test_nothing_at_all(officer):
    before = row_counts()
    data = {k: "" for k in case_form()}
    response = officer.post("/police/cases/new", data)
    assert response.status_code == 422
    html = page(response)
    for field in ("title", "category", "country", "requesting_agency", "counterpart"):
        assert field_error(html, field), field
    assert row_counts() == before


def test_the_service_refuses_what_the_form_would(app):
    officer = liaison()
    for fields, field in [({"title": " "}, "title"), ({"requesting_agency": ""},
                                                       "requesting_agency"),
                          ({"country": "GB"}, "country"), ({"category": "theft"}, "category"),
                          ({"counterpart": "interpol"}, "counterpart"),
                          ({"title": "x" * 201}, "title")]:
        with pytest.raises(services.CaseError) as refused:
            open_case(officer, **fields)
        assert refused.value.field == field
        db.session.rollback()


@pytest.mark.parametrize("country", list(NordicCountry))
def test_every_nordic_country_is_accepted(officer, country):
    response = officer.post("/police/cases/new", case_form(
        country=country.value, requesting_agency=country.agencies[0]))
    assert response.status_code == 302
    case = db.session.scalar(select(LiaisonCase).order_by(LiaisonCase.id.desc()).limit(1))
    assert case.country is country
    assert str(country.label) in page(officer.get(response.headers["Location"]))


def test_the_five_countries_are_the_nordic_ones():
    assert {c.label for c in NordicCountry} == {"Norway", "Denmark", "Finland", "Iceland",
                                               "Sweden"}


@pytest.mark.parametrize("category", list(PoliceCategory))
def test_every_kind_of_case_is_accepted(officer, category):
    response = officer.post("/police/cases/new", case_form(category=category.value))
    assert response.status_code == 302
    case = db.session.scalar(select(LiaisonCase).order_by(LiaisonCase.id.desc()).limit(1))
    assert case.category is category


@pytest.mark.parametrize("counterpart", list(Counterpart))
def test_every_counterpart_is_accepted(officer, counterpart):
    response = officer.post("/police/cases/new", case_form(counterpart=counterpart.value))
    assert response.status_code == 302


def test_the_form_offers_every_choice(officer):
    html = page(officer.get("/police/cases/new"))
    for enum_cls in (PoliceCategory, NordicCountry, Counterpart):
        for member in enum_cls:
            assert f'value="{member.value}"' in html


def test_the_reference_counter_is_not_spent_on_a_refused_case(officer):
    first = open_case(officer.user)
    officer.post("/police/cases/new", case_form(title=""))
    second = open_case(officer.user)
    n1, n2 = (int(c.reference.rsplit("-", 1)[1]) for c in (first, second))
    assert n2 == n1 + 1


# --- INTERPOL notices ---------------------------------------------------------------------------


@pytest.mark.parametrize("colour", list(NoticeColour))
def test_every_notice_colour_and_number(officer, colour):
    case = open_case(officer.user)
    response = officer.post(f"/police/cases/{case.reference}/notices",
                            {"colour": colour.value, "number": " A-1234/5-2026 "})
    assert response.status_code == 302
    notice = db.session.scalar(select(InterpolNotice).where(InterpolNotice.case_id == case.id))
    assert notice.colour is colour and notice.number == "A-1234/5-2026"
    html = page(officer.get(f"/police/cases/{case.reference}"))
    assert f"{colour.label} A-1234/5-2026" in html
    rows = audit_rows(case.reference, "liaison_case.notice_added")
    assert len(rows) == 1


@pytest.mark.parametrize("data, field", [
    ({"colour": "red", "number": ""}, "number"),
    ({"colour": "red", "number": "   "}, "number"),
    ({"colour": "pink", "number": "A-1/2026"}, "colour"),
    ({"colour": "", "number": "A-1/2026"}, "colour"),
    ({"colour": "red", "number": "9" * 41}, "number"),
])
def test_a_notice_needs_a_known_colour_and_a_number(officer, data, field):
    case = open_case(officer.user)
    before = row_counts()
    response = officer.post(f"/police/cases/{case.reference}/notices", data)
    assert response.status_code == 422
    assert field_error(page(response), field)
    assert row_counts() == before


def test_the_notice_colours_are_interpols():
    assert {c.value for c in NoticeColour} == {"red", "yellow", "blue", "black", "green",
                                               "orange", "purple", "diffusion"}


# --- editing ------------------------------------------------------------------------------------


def _edit_form(case, **fields) -> dict:
    values = case_form(title=case.summary, category=case.category.value,
                       country=case.country.value, requesting_agency=case.requesting_agency,
                       counterpart=case.counterpart.value, priority=case.priority.value,
                       version=str(case.version))
    values.update(fields)
    return values


def test_edit_through_the_web(officer):
    case = open_case(officer.user)
    html = page(officer.get(f"/police/cases/{case.reference}/edit"))
    assert 'name="version"' in html and f'value="{case.version}"' in html
    assert case.summary in html
    response = officer.post(f"/police/cases/{case.reference}/edit", _edit_form(
        case, title="Heroin via Port Qasim", country="DK", requesting_agency="NSK",
        operation_name="Lime"))
    assert response.status_code == 302
    case = reload(case)
    assert case.summary == "Heroin via Port Qasim"
    assert case.country is NordicCountry.DENMARK and case.operation_name == "Lime"
    rows = audit_rows(case.reference, "liaison_case.edited")
    assert len(rows) == 1
    for name in ("summary", "country", "requesting_agency", "operation_name"):
        assert name in rows[0].details


def test_an_edit_with_a_stale_version_overwrites_nothing(officer, login_as):
    case = open_case(officer.user)
    opened_with = case.version
    colleague = login_as(P)
    assert colleague.post(f"/police/cases/{case.reference}/edit", _edit_form(
        case, title="The colleague's title")).status_code == 302
    response = officer.post(f"/police/cases/{case.reference}/edit", _edit_form(
        case, title="My late title", version=str(opened_with)))
    assert response.status_code == 409
    assert reload(case).summary == "The colleague's title"
    html = page(response)
    assert "nothing of theirs was overwritten" in html and "My late title" in html
    edit_url = f"/police/cases/{case.reference}/edit"
    assert f'href="{edit_url}"' in html
    current = page(officer.get(edit_url))
    assert "The colleague&#39;s title" in current or "The colleague's title" in current
    assert len(audit_rows(case.reference, "liaison_case.edited")) == 1


@pytest.mark.parametrize("version", [None, "", "abc", "-1", "99999999999999999999999"])
def test_an_edit_without_a_usable_version_overwrites_nothing(officer, version):
    case = open_case(officer.user)
    data = _edit_form(case, title="Changed without a version")
    if version is None:
        data.pop("version")
    else:
        data["version"] = version
    response = officer.post(f"/police/cases/{case.reference}/edit", data)
    assert response.status_code in (409, 422)  # the conflict page, or the version's error
    assert reload(case).summary != "Changed without a version"
    html = page(response)
    assert ("nothing of theirs was overwritten" in html
            or "does not say which version of the case" in html)
    assert audit_rows(case.reference, "liaison_case.edited") == []


def test_a_form_sent_back_with_errors_keeps_the_version_it_was_opened_with(officer, login_as):
    """Fixing a typo on the returned form must not quietly overwrite a colleague's save."""
    case = open_case(officer.user)
    opened_with = case.version
    colleague = login_as(P)
    assert colleague.post(f"/police/cases/{case.reference}/edit", _edit_form(
        case, title="The colleague's title")).status_code == 302
    response = officer.post(f"/police/cases/{case.reference}/edit", _edit_form(
        case, title="", version=str(opened_with)))
    assert response.status_code == 422
    assert f'name="version" value="{opened_with}"' in page(response)


def test_an_edit_with_errors_is_shown_next_to_the_fields(officer):
    case = open_case(officer.user)
    response = officer.post(f"/police/cases/{case.reference}/edit",
                            _edit_form(case, title="", country="RU"))
    assert response.status_code == 422
    html = page(response)
    assert field_error(html, "title") and field_error(html, "country")
    assert reload(case).summary == "Heroin shipment via Karachi port"


def test_an_edit_that_changes_nothing_writes_nothing(officer):
    case = open_case(officer.user)
    before = row_counts()
    response = officer.post(f"/police/cases/{case.reference}/edit", _edit_form(
        case, description=case.description))
    assert response.status_code == 302
    after = row_counts()
    # Only reads (none here) may be logged: no edit row, no timeline line.
    assert after == before


# --- the list -----------------------------------------------------------------------------------


def test_the_list_shows_open_cases_with_their_details(officer):
    case = open_case(officer.user, operation_name="Tøyenløftet")
    closed = open_case(officer.user, title="An old closed case")
    services.move(closed, officer.user, "close", closing_reason="conviction")
    html = page(officer.get("/police/"))
    assert case.reference in html and "Heroin shipment via Karachi port" in html
    assert "Operation Tøyenløftet" in html
    assert closed.reference not in html
    html = page(officer.get("/police/", query_string={"status": "closed"}))
    assert closed.reference in html and case.reference not in html
    html = page(officer.get("/police/", query_string={"status": "all"}))
    assert closed.reference in html and case.reference in html


def test_the_list_filters_by_kind_and_country(officer):
    drugs = open_case(officer.user, category="drug_trafficking", country="NO")
    fraud = open_case(officer.user, category="fraud", country="FI",
                      requesting_agency="KRP (Keskusrikospoliisi)")
    html = page(officer.get("/police/", query_string={"category": "fraud"}))
    assert fraud.reference in html and drugs.reference not in html
    html = page(officer.get("/police/", query_string={"country": "NO"}))
    assert drugs.reference in html and fraud.reference not in html
    assert officer.get("/police/", query_string={"country": "GB"}).status_code == 400


def test_children_are_counted_apart_from_cases(officer):
    from tracker.police.services import add_party

    none = open_case(officer.user, category="child_abduction", title="No child yet")
    one = open_case(officer.user, category="child_abduction", title="One child")
    two = open_case(officer.user, category="child_abduction", title="Two children")
    add_party(one, officer.user, police_person("Aisha Testdatter"), "abducted_child")
    add_party(one, officer.user, police_person("Imran Testfar"), "suspect")
    add_party(two, officer.user, police_person("Sara Testdatter"), "abducted_child")
    add_party(two, officer.user, police_person("Ali Testsønn"), "abducted_child")
    assert (reload(none).children, reload(one).children, reload(two).children) == (0, 1, 2)
    html = page(officer.get("/police/", query_string={"category": "child_abduction"}))

    def row(case):
        match = re.search(rf"{case.reference}.*?</tr>", html, re.S)
        assert match, case.reference
        return match.group(0)

    assert "1 child<" in row(one) and "children" not in row(one)
    assert "2 children" in row(two)
    assert "0 children" in row(none)
    detail = page(officer.get(f"/police/cases/{two.reference}"))
    assert re.search(r"<dt>Children</dt><dd>2</dd>", detail)


def test_a_child_in_another_role_is_not_counted(app):
    from tracker.police.services import add_party

    officer = liaison()
    case = open_case(officer, category="child_abduction")
    child = police_person("Hira Testdatter", date_of_birth=date(2019, 5, 1))
    add_party(case, officer, child, "witness")
    assert reload(case).children == 0


# --- the shared case actions on a liaison case ----------------------------------------------


def test_assign_only_to_a_liaison_officer(officer):
    from tests.conftest import make_user
    from tracker.auth.models import Role

    case = open_case(officer.user)
    colleague = liaison(display_name="Colleague Liaison")
    consular = make_user(Role.CONSULAR_OFFICER)
    assert officer.post(f"/police/cases/{case.reference}/assign",
                        {"assigned_to": str(consular.id)}).status_code == 422
    assert reload(case).assigned_to_id == officer.user.id
    assert officer.post(f"/police/cases/{case.reference}/assign",
                        {"assigned_to": str(colleague.id)}).status_code == 302
    assert reload(case).assigned_to_id == colleague.id


def test_notes_and_contacts_on_a_liaison_case(officer):
    case = open_case(officer.user)
    assert officer.post(f"/police/cases/{case.reference}/notes",
                        {"text": "Called Kripos duty desk"}).status_code == 302
    assert officer.post(f"/police/cases/{case.reference}/contacts", {
        "contact_channel": "call", "contact_with": "FIA Lahore",
        "said": "They confirm the arrest"}).status_code == 302
    html = page(officer.get(f"/police/cases/{case.reference}"))
    assert "Called Kripos duty desk" in html and "They confirm the arrest" in html
    before = row_counts()
    assert officer.post(f"/police/cases/{case.reference}/notes",
                        {"text": "  "}).status_code == 422
    assert row_counts() == before


def test_an_unknown_case_is_not_found(officer):
    for url in ("/police/cases/POL-1999-0001", "/police/cases/POL-1999-0001/export",
                "/police/cases/POL-1999-0001/edit", "/police/cases/POL-1999-0001/break-glass",
                "/police/cases/" + "9" * 300):
        assert officer.get(url).status_code == 404, url
