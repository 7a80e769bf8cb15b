"""A case restricted to named liaison officers, and break-glass for everyone else."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import PDF_BYTES, count, make_document, make_request, reload
from tests.police.helpers import (
    results,
    P,
    audit_rows,
    exchange_input,
    field_error,
    liaison,
    open_case,
    page,
    police_person,
    row_counts,
)
from tracker.cases.models import TimelineEvent, TimelineKind
from tracker.extensions import db
from tracker.police import access, services
from tracker.police.access import BREAK_GLASS_HOURS
from tracker.police.models import BreakGlass

TITLE = "Informant inside the Lahore network"
REASON = "Kripos asked me to cover while the named officer is on leave"


@pytest.fixture
def named(login_as):
    return login_as(P, display_name="Named Officer")


@pytest.fixture
def other(login_as):
    return login_as(P, display_name="Other Officer")


@pytest.fixture
def restricted(named):
    case = open_case(named.user, title=TITLE, operation_name="Nightjar",
                     category="child_abduction")
    person = police_person("Qasim Informant Testmann")
    party = services.add_party(case, named.user, person, "witness")
    services.add_exchange(case, named.user, exchange_input(handling_code="H0",
                                                           summary="Meeting at Anarkali"))
    document = make_document(case, named.user)
    request = make_request()
    link = services.link_consular(case, named.user, request.reference)
    services.set_restriction(case, named.user, True, [])
    return reload(case), party, document, link


def case_routes(case, party, document, link) -> list[tuple[str, str, dict | None]]:
    base = f"/police/cases/{case.reference}"
    return [
        ("GET", base, None),
        ("GET", f"{base}/edit", None),
        ("POST", f"{base}/edit", {"title": "Changed", "category": "fraud", "country": "NO",
                                  "requesting_agency": "X", "counterpart": "fia",
                                  "priority": "routine", "version": str(case.version)}),
        ("POST", f"{base}/parties", {"role": "suspect", "full_name": "Someone New"}),
        ("POST", f"{base}/exchanges", {"direction": "sent", "channel": "email",
                                       "counterpart": "X", "summary": "Y",
                                       "handling_code": "H0"}),
        ("POST", f"{base}/notices", {"colour": "red", "number": "A-1/2026"}),
        ("POST", f"{base}/restriction", {}),
        ("POST", f"{base}/links", {"reference": "ISB-2026-00001"}),
        ("POST", f"{base}/links/{link.id}/share", {}),
        ("GET", f"{base}/export", None),
        ("POST", f"{base}/notes", {"text": "A note"}),
        ("POST", f"{base}/contacts", {"contact_channel": "call", "contact_with": "X",
                                      "said": "Y"}),
        ("POST", f"{base}/documents", {"file": (io.BytesIO(PDF_BYTES), "x.pdf")}),
        ("GET", f"{base}/documents/{document.id}", None),
        ("POST", f"{base}/documents/{document.id}/remove", {"reason": "Not needed"}),
        ("GET", f"{base}/steps/activate", None),
        ("POST", f"{base}/steps/activate", {}),
        ("POST", f"{base}/steps/close", {"closing_reason": "arrest"}),
        ("POST", f"{base}/assign", {"assigned_to": "0"}),
        # Each action's own page shows the case's summary: behind the same wall.
        *[("GET", f"{base}/{action}", None)
          for action in ("parties", "exchanges", "notices", "restriction", "links", "notes",
                         "contacts", "documents", f"documents/{document.id}/remove",
                         "assign")],
    ]


def test_the_named_officer_opens_it_normally(named, restricted):
    case, party, document, link = restricted
    assert access.is_named(named.user, case)
    response = named.get(f"/police/cases/{case.reference}")
    assert response.status_code == 200
    html = page(response)
    assert TITLE in html and "Restricted to Named Officer" in html
    assert named.get(f"/police/cases/{case.reference}/export").status_code == 200
    assert named.get(f"/police/cases/{case.reference}/documents/{document.id}"
                     ).status_code == 200
    assert db.session.scalar(select(BreakGlass)) is None


def test_every_route_sends_another_officer_to_break_glass(other, restricted):
    case, party, document, link = restricted
    wall = f"/police/cases/{case.reference}/break-glass"
    before = row_counts()
    for method, url, data in case_routes(case, party, document, link):
        if method == "GET":
            response = other.get(url)
        else:
            response = other.post(url, data, content_type="multipart/form-data")
        assert response.status_code == 302, (method, url, response.status_code)
        assert response.headers["Location"].endswith(wall), (method, url)
        assert TITLE not in page(response)
    after = row_counts()
    assert after == before, "a route did something before the reason was given"
    assert reload(case).summary == TITLE and reload(case).status == "opened"
    assert reload(link).shared_at is None


def test_a_person_known_only_from_a_restricted_case_needs_the_reason(other, restricted):
    case, party, _, _ = restricted
    before = row_counts()
    response = other.get(f"/police/persons/{party.person_id}")
    # As if unknown: sending the officer on to the case's break-glass page would tell which
    # restricted case the person is in.
    assert response.status_code == 404
    assert case.reference not in page(response)
    assert row_counts() == before
    other.post(f"/police/cases/{case.reference}/break-glass", {"reason": REASON})
    html = page(other.get(f"/police/persons/{party.person_id}"))
    assert "Qasim Informant Testmann" in html and TITLE in html and "Witness" in html


def test_a_person_page_leaves_out_a_restricted_case_the_officer_may_not_open(
        other, named, restricted):
    case, party, _, _ = restricted
    open_one = open_case(named.user, title="An open matter")
    services.add_party(open_one, named.user, db.session.get(type(party.person),
                                                            party.person_id), "suspect")
    html = page(other.get(f"/police/persons/{party.person_id}"))
    cases = html.split("<h2>Cases</h2>", 1)[1]
    assert "An open matter" in cases and "Suspect" in cases
    # Not even its reference: that this person is in that restricted case is what it holds.
    assert case.reference not in cases
    assert TITLE not in cases and "Witness" not in cases


def test_the_break_glass_page(other, restricted):
    case, *_ = restricted
    response = other.get(f"/police/cases/{case.reference}/break-glass")
    assert response.status_code == 200
    html = page(response)
    assert f"{case.reference} is restricted" in html
    assert TITLE not in html and "Nightjar" not in html and "Qasim" not in html


@pytest.mark.parametrize("reason", ["", "   ", "because", "too short", " " * 20 + "x"])
def test_no_reason_no_entry(other, restricted, reason):
    case, *_ = restricted
    before = row_counts()
    response = other.post(f"/police/cases/{case.reference}/break-glass", {"reason": reason})
    assert response.status_code == 422
    assert field_error(page(response), "reason")
    assert TITLE not in page(response)
    assert row_counts() == before
    assert other.get(f"/police/cases/{case.reference}").status_code == 302


def test_with_a_reason_it_opens_and_is_logged_and_shown(other, named, restricted):
    case, party, document, link = restricted
    response = other.post(f"/police/cases/{case.reference}/break-glass", {"reason": REASON})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/police/cases/{case.reference}")
    [entry] = db.session.scalars(select(BreakGlass).where(BreakGlass.case_id == case.id))
    assert entry.user_id == other.user.id and entry.reason == REASON
    [row] = audit_rows(case.reference, "liaison_case.break_glass")
    assert row.reason == REASON and row.actor_id == other.user.id
    html = page(other.get(f"/police/cases/{case.reference}"))
    assert TITLE in html
    assert "Opened without being named on it" in html
    assert f"Other Officer: {REASON}" in html
    # The named officer sees it too.
    assert f"Other Officer: {REASON}" in page(named.get(f"/police/cases/{case.reference}"))
    # Every page of the case now opens for the officer who gave the reason.
    assert other.get(f"/police/cases/{case.reference}/export").status_code == 200
    assert other.get(f"/police/cases/{case.reference}/documents/{document.id}"
                     ).status_code == 200
    assert other.get(f"/police/cases/{case.reference}/edit").status_code == 200
    # The break-glass page itself sends a reason-giver straight in.
    assert other.get(f"/police/cases/{case.reference}/break-glass").status_code == 302


def test_break_glass_is_on_the_timeline_for_those_named(other, named, restricted):
    """The named officers see on the case's own timeline who opened it without being named,
    when, and why; a refused reason writes nothing there."""
    case, *_ = restricted
    before = count(TimelineEvent, TimelineEvent.case_id == case.id)
    other.post(f"/police/cases/{case.reference}/break-glass", {"reason": "short"})
    assert count(TimelineEvent, TimelineEvent.case_id == case.id) == before
    assert other.post(f"/police/cases/{case.reference}/break-glass",
                      {"reason": REASON}).status_code == 302
    [event] = db.session.scalars(select(TimelineEvent).where(
        TimelineEvent.case_id == case.id, TimelineEvent.kind == TimelineKind.BREAK_GLASS))
    assert (event.actor_id, event.comment) == (other.user.id, REASON)
    timeline = page(named.get(f"/police/cases/{case.reference}")).split('id="timeline"')[1]
    entry = timeline.split(f'id="event-{event.id}"')[1].split("</li>")[0]
    assert "Opened without being named on it" in entry and REASON in entry
    assert "Other Officer" in entry


def test_break_glass_holds_for_eight_hours_and_not_after(other, restricted):
    case, *_ = restricted
    assert BREAK_GLASS_HOURS == 8
    other.post(f"/police/cases/{case.reference}/break-glass", {"reason": REASON})
    entry = db.session.scalar(select(BreakGlass).where(BreakGlass.case_id == case.id))
    entry.at = entry.at - timedelta(hours=7, minutes=50)
    db.session.commit()
    assert other.get(f"/police/cases/{case.reference}").status_code == 200
    entry = reload(entry)
    entry.at = entry.at - timedelta(minutes=11)
    db.session.commit()
    response = other.get(f"/police/cases/{case.reference}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/break-glass")
    assert other.get(f"/police/cases/{case.reference}/export").status_code == 302


def test_break_glass_is_per_officer(other, login_as, restricted):
    case, *_ = restricted
    other.post(f"/police/cases/{case.reference}/break-glass", {"reason": REASON})
    third = login_as(P)
    assert third.get(f"/police/cases/{case.reference}").status_code == 302


def test_an_unrestricted_case_needs_no_reason(other):
    case = open_case(liaison())
    response = other.get(f"/police/cases/{case.reference}/break-glass")
    assert response.status_code == 302
    assert other.post(f"/police/cases/{case.reference}/break-glass",
                      {"reason": REASON}).status_code == 302
    assert db.session.scalar(select(BreakGlass)) is None


def test_restrict_and_lift_through_the_web(named, other):
    case = open_case(named.user, title=TITLE)
    third = liaison(display_name="Third Officer")
    response = named.post(f"/police/cases/{case.reference}/restriction",
                          {"restricted": "y", "officers": [str(third.id)]})
    assert response.status_code == 302
    case = reload(case)
    assert case.restricted
    assert {o.id for o in case.named_officers} == {named.user.id, third.id}
    assert audit_rows(case.reference, "liaison_case.restriction_set")
    assert other.get(f"/police/cases/{case.reference}").status_code == 302
    named.post(f"/police/cases/{case.reference}/restriction", {})
    case = reload(case)
    assert not case.restricted and case.named_officers == []
    assert other.get(f"/police/cases/{case.reference}").status_code == 200


def test_only_active_liaison_officers_can_be_named(named):
    from tests.conftest import make_user
    from tracker.auth.models import Role

    case = open_case(named.user)
    consular = make_user(Role.CONSULAR_OFFICER)
    retired = liaison(active=False)
    response = named.post(f"/police/cases/{case.reference}/restriction",
                          {"restricted": "y",
                           "officers": [str(consular.id), str(retired.id), "2147483647"]})
    assert response.status_code in (302, 422)
    assert {o.id for o in reload(case).named_officers} <= {named.user.id}


@pytest.mark.parametrize("officers", [["abc"], ["99999999999999999999999"], ["-5"]])
def test_a_garbled_officer_id_is_not_an_error(named, officers):
    case = open_case(named.user)
    response = named.post(f"/police/cases/{case.reference}/restriction",
                          {"restricted": "y", "officers": officers})
    assert response.status_code in (302, 422)


# --- the list and search ------------------------------------------------------------------------


def _row(html: str, reference: str) -> str:
    # The row, from its reference cell on (the selection's checkbox cell may come first).
    match = re.search(rf"<tr[^>]*>\s*(?:<td class=\"select-cell\"[^>]*>.*?</td>\s*)?"
                      rf"<td[^>]*><div><a [^>]*>{reference}</a>.*?</tr>", html, re.S)
    assert match, reference
    return match.group(0)


@pytest.mark.parametrize("query", [{}, {"status": "all"}, {"status": "closed"}])
def test_no_list_shows_a_restricted_case_the_officer_may_not_open(other, named, restricted,
                                                                    query):
    """Shown under one filter and not under another, a case would tell its status or kind."""
    case, *_ = restricted
    assert case.reference not in page(other.get("/police/", query_string=query))
    if query != {"status": "closed"}:
        assert case.reference in page(named.get("/police/", query_string=query))


@pytest.mark.parametrize("query", ["Informant inside", "Nightjar", "Qasim Informant",
                                   "Anarkali"])
def test_search_does_not_reveal_what_a_restricted_case_holds(other, named, restricted, query):
    """Matching a restricted case by its title, operation or persons tells its contents."""
    case, *_ = restricted
    html = page(other.get("/police/", query_string={"q": query}))
    assert case.reference not in html, query
    assert "Qasim Informant Testmann" not in results(html)
    if query != "Anarkali":  # exchanges are not searched at all
        assert case.reference in page(named.get("/police/", query_string={"q": query}))


def test_search_by_reference_finds_a_restricted_case(other, restricted):
    case, *_ = restricted
    html = page(other.get("/police/", query_string={"q": case.reference}))
    row = _row(html, case.reference)
    assert "Restricted" in row and TITLE not in row


def test_after_break_glass_the_list_still_hides_nothing_more(other, restricted):
    """Break-glass opens the case; the officer is still not named on it."""
    case, *_ = restricted
    other.post(f"/police/cases/{case.reference}/break-glass", {"reason": REASON})
    assert not access.is_named(other.user, reload(case))


@pytest.mark.parametrize("query", [{"category": "child_abduction"}, {"country": "NO"},
                                   {"status": "opened"}])
def test_a_filter_does_not_tell_the_kind_or_status_of_a_restricted_case(other, named,
                                                                         restricted, query):
    case, *_ = restricted
    assert case.reference not in page(other.get("/police/", query_string=query))
    assert case.reference in page(named.get("/police/", query_string=query))


def test_its_exact_reference_finds_it_for_break_glass(other, restricted):
    case, *_ = restricted
    html = page(other.get("/police/", query_string={"q": case.reference.lower()}))
    row = _row(html, case.reference)
    assert "Restricted" in row and TITLE not in row
    for detail in ("Child abduction", "Norway", "Opened", "badge-code"):
        assert detail not in row, detail
