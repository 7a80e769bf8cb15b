"""Whatever is typed into a police form, the answer is never a 500 and nothing is half-saved:
when the answer is not a success, no table has a row more or less."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import make_request, reload
from tests.police.helpers import P, case_form, exchange_form, liaison, open_case, row_counts
from tests.test_bad_input import FUZZ, NASTY, answered
from tracker.extensions import limiter
from tracker.police import services
from tracker.police.categories import (
    Counterpart,
    HandlingCode,
    NordicCountry,
    NoticeColour,
    PartyRole,
    PoliceCategory,
)
from tracker.police.workflow import POLICE_WORKFLOW

MAYBE_DATE = st.one_of(NASTY, st.dates().map(str), st.sampled_from(["2026-02-30", "0000-01-01",
                                                                   "9999-12-31", "1-1-1"]))
MAYBE_INT = st.one_of(NASTY, st.integers().map(str), st.sampled_from(
    ["1", "0", "-1", "2147483648", "99999999999999999999999", "²", "１"]))


def values(enum_cls):
    return st.one_of(st.sampled_from([m.value for m in enum_cls]), NASTY)


@pytest.fixture
def officer(login_as):
    return login_as(P)


@pytest.fixture
def case(officer):
    return open_case(officer.user)


def _check(response, before, statuses=(302, 422)):
    """One of `statuses`; anything but a redirect (a save) leaves every table as it was."""
    answered(response, *statuses)
    if response.status_code != 302:
        assert row_counts() == before


@FUZZ
@given(title=NASTY, category=values(PoliceCategory), country=values(NordicCountry),
       agency=NASTY, counterpart=values(Counterpart), priority=NASTY, reference=NASTY,
       operation=NASTY, description=NASTY)
def test_new_case_form(officer, title, category, country, agency, counterpart, priority,
                       reference, operation, description):
    limiter.reset()
    before = row_counts()
    response = officer.post("/police/cases/new", case_form(
        title=title, category=category, country=country, requesting_agency=agency,
        counterpart=counterpart, priority=priority, agency_reference=reference,
        operation_name=operation, description=description))
    _check(response, before)


@FUZZ
@given(title=NASTY, country=values(NordicCountry), agency=NASTY, version=MAYBE_INT,
       counterpart_reference=NASTY)
def test_edit_form(officer, case, title, country, agency, version, counterpart_reference):
    limiter.reset()
    current = reload(case)
    before = row_counts()
    response = officer.post(f"/police/cases/{current.reference}/edit", case_form(
        title=title, country=country, requesting_agency=agency, version=version,
        counterpart_reference=counterpart_reference))
    _check(response, before, (302, 409, 422))
    if version != str(current.version):
        assert reload(case).version == current.version  # nothing overwritten


@FUZZ
@given(role=values(PartyRole), name=NASTY, other=NASTY, born=MAYBE_DATE,
       kind=st.one_of(st.sampled_from(["norwegian_id", "cnic", "passport", ""]), NASTY),
       number=NASTY, country=NASTY, nationality=NASTY, use_person=MAYBE_INT,
       confirm=st.sampled_from(["", "y", "yes", "on"]))
def test_party_form(officer, case, role, name, other, born, kind, number, country,
                    nationality, use_person, confirm):
    limiter.reset()
    before = row_counts()
    response = officer.post(f"/police/cases/{case.reference}/parties", {
        "role": role, "full_name": name, "other_names": other, "date_of_birth": born,
        "identifier_kind": kind, "identifier_value": number, "identifier_country": country,
        "nationality": nationality, "use_person": use_person, "confirm_new": confirm})
    _check(response, before)


@FUZZ
@given(on=MAYBE_DATE, direction=NASTY, channel=NASTY, counterpart=NASTY, summary=NASTY,
       code=values(HandlingCode), restriction=NASTY, source=st.sampled_from(
           ["", "A", "B", "C", "X", "D"]), information=st.sampled_from(["", "1", "4", "5"]))
def test_exchange_form(officer, case, on, direction, channel, counterpart, summary, code,
                       restriction, source, information):
    limiter.reset()
    before = row_counts()
    response = officer.post(f"/police/cases/{case.reference}/exchanges", exchange_form(
        exchanged_on=on, direction=direction, channel=channel, counterpart=counterpart,
        summary=summary, handling_code=code, restriction=restriction, source_grade=source,
        information_grade=information))
    _check(response, before)


@FUZZ
@given(on=MAYBE_DATE, code=values(HandlingCode), restriction=NASTY, content=st.binary(
    max_size=200), filename=NASTY)
def test_exchange_form_with_a_document(officer, case, on, code, restriction, content,
                                       filename):
    import io

    limiter.reset()
    before = row_counts()
    data = exchange_form(exchanged_on=on, handling_code=code, restriction=restriction)
    data["document"] = (io.BytesIO(content), filename)
    response = officer.post(f"/police/cases/{case.reference}/exchanges", data,
                            content_type="multipart/form-data")
    _check(response, before)


@FUZZ
@given(colour=values(NoticeColour), number=NASTY)
def test_notice_form(officer, case, colour, number):
    limiter.reset()
    before = row_counts()
    _check(officer.post(f"/police/cases/{case.reference}/notices",
                        {"colour": colour, "number": number}), before)


@FUZZ
@given(restricted=st.sampled_from(["", "y", "n", "on", "false"]) | NASTY,
       officers=st.lists(MAYBE_INT, max_size=4))
def test_restriction_form(officer, case, restricted, officers):
    limiter.reset()
    before = row_counts()
    response = officer.post(f"/police/cases/{case.reference}/restriction",
                            {"restricted": restricted, "officers": officers})
    _check(response, before)


@FUZZ
@given(reason=NASTY)
def test_break_glass_form(login_as, reason):
    limiter.reset()
    named = liaison()
    restricted = open_case(named)
    services.set_restriction(restricted, named, True, [])
    other = login_as(P)
    before = row_counts()
    response = other.post(f"/police/cases/{restricted.reference}/break-glass",
                          {"reason": reason})
    _check(response, before)


@FUZZ
@given(reference=NASTY)
def test_link_form(officer, case, reference):
    limiter.reset()
    before = row_counts()
    _check(officer.post(f"/police/cases/{case.reference}/links", {"reference": reference}),
           before)


@pytest.fixture
def request_to_link(app):
    return make_request()


def test_link_form_with_a_real_reference_in_odd_notation(officer, case, request_to_link):
    for typed in (f"  {request_to_link.reference.lower()}  ",):
        response = officer.post(f"/police/cases/{case.reference}/links", {"reference": typed})
        assert response.status_code == 302


@FUZZ
@given(name=st.sampled_from(sorted(POLICE_WORKFLOW.transitions)), comment=NASTY,
       reason=NASTY, hold=MAYBE_DATE, outcome=NASTY | st.sampled_from(["arrest", ""]))
def test_step_forms(officer, name, comment, reason, hold, outcome):
    limiter.reset()
    case = open_case(officer.user)
    before = row_counts()
    status = case.status
    response = officer.post(f"/police/cases/{case.reference}/steps/{name}", {
        "comment": comment, "waiting_reason": reason, "hold_until": hold,
        "closing_reason": outcome})
    _check(response, before, (302, 409, 422))
    if response.status_code != 302:
        assert reload(case).status == status
    possible = POLICE_WORKFLOW.refusal(reload(case), name, officer.user) is None
    answered(officer.get(f"/police/cases/{case.reference}/steps/{name}"),
             200 if possible else 409)


@FUZZ
@given(text=NASTY, comment=NASTY)
def test_notes_and_contacts(officer, case, text, comment):
    limiter.reset()
    before = row_counts()
    _check(officer.post(f"/police/cases/{case.reference}/notes", {"text": text}), before)
    before = row_counts()
    _check(officer.post(f"/police/cases/{case.reference}/contacts", {
        "contact_channel": "call", "contact_with": comment, "said": text}), before)


@FUZZ
@given(q=NASTY, status=NASTY | st.sampled_from(["", "all", "closed"]),
       category=values(PoliceCategory), country=values(NordicCountry))
def test_list_filter_and_search(officer, case, q, status, category, country):
    limiter.reset()
    before = row_counts()
    response = officer.client.get("/police/", query_string={
        "q": q, "status": status, "category": category, "country": country})
    answered(response, 200, 400)
    assert row_counts() == before


# A slash, even encoded, splits the address into other routes (werkzeug decodes %2F and merges
# the slashes): not a reference.
@FUZZ
@given(reference=NASTY.filter(lambda typed: "/" not in typed))
def test_odd_references_in_the_address(officer, reference):
    limiter.reset()
    from urllib.parse import quote

    path = quote(reference, safe="")
    if not path:
        return
    for url in (f"/police/cases/{path}", f"/police/cases/{path}/export",
                f"/police/cases/{path}/break-glass"):
        answered(officer.get(url), 404)  # no case has such a reference
