"""Nothing of a police case leaks: a marker in every field never shows to another role.

A liaison case is filled with a unique marker in every field it has (title, references,
operation, background, exchanges, notices, persons and their other names and passport
numbers, notes, contacts, documents, a break-glass reason, the link to a consular request,
which is shared). Then, for every role but the liaison officer's, a crawler signs in and
follows every link it can reach from the home page, runs every search with the marker and
with the case reference as the query, and asks for the police pages directly. The marker, the
case reference and the persons' names must never appear, and every police URL answers 404.
"""
from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from tests.conftest import login, make_office, make_request, make_user
from tracker.auth.models import Role
from tracker.extensions import db, limiter
from tracker.people import services as people
from tracker.people.models import Compartment
from tracker.police import services as police

MARKER = "Qzxvmarker"  # unusual letters, so no page has it by chance
LINK = re.compile(r'href="([^"#]+)')
MAX_PAGES = 400


@pytest.fixture
def sealed_case(app):
    """A liaison case with the marker everywhere, linked to (and shared with) a consular
    request of the office the other roles work in."""
    from tests.conftest import make_document

    office = make_office()
    officer = make_user(Role.POLICE_LIAISON_OFFICER, office=office)
    deputy = make_user(Role.POLICE_LIAISON_OFFICER, office=office)
    concern = make_request(office=office, category="report_of_concern:child_at_risk",
                           summary="School reports a pupil not returned")
    case = police.open_case(officer, police.CaseInput(
        title=f"{MARKER} title", category="child_abduction", country="SE",
        requesting_agency=f"{MARKER} agency", counterpart="fia",
        agency_reference=f"{MARKER}-AGENCY-REF", operation_name=f"{MARKER} operation",
        counterpart_reference=f"{MARKER}-FIA-REF", fir_number=f"{MARKER}-FIR",
        description=f"{MARKER} background"))
    names = []
    for role, name in (("abducted_child", f"{MARKER}child Lindholm"),
                       ("parent_or_complainant", f"{MARKER}parent Lindholm"),
                       ("suspect", f"{MARKER}suspect Chaudhry")):
        person = people.create_person(Compartment.POLICE, people.PersonInput(
            full_name=name, other_names=[f"{MARKER} other spelling"], phone=f"{MARKER} phone",
            identifiers=[people.IdentifierInput("passport", f"{MARKER.upper()}7",
                                                "SE")]), officer)
        police.add_party(case, officer, person, role)
        names.append(name)
    for code in ("H0", "H1", "H2", "H3"):
        police.add_exchange(case, officer, police.ExchangeInput(
            exchanged_on=None, direction="received", channel="siena",
            counterpart=f"{MARKER} counterpart", summary=f"{MARKER} summary {code}",
            handling_code=code, restriction=f"{MARKER} restriction" if code == "H3" else None))
    police.add_notice(case, officer, "yellow", f"{MARKER}-NOTICE")
    from tracker.cases import journal

    journal.add_note(case, officer, f"{MARKER} note")
    journal.add_contact(case, officer, "call", f"{MARKER} contact", f"{MARKER} said")
    make_document(case, officer, filename=f"{MARKER} document.pdf")
    police.set_restriction(case, officer, True, [officer.id])
    police.break_glass(case, deputy, f"{MARKER} reason for opening")
    link = police.link_consular(case, officer, concern.reference)
    police.share_link(link, officer)
    db.session.commit()
    return case, concern, names


def _police_urls(case) -> list[str]:
    ref = case.reference
    party = case.parties[0]
    return ["/police/", f"/police/?q={MARKER}", f"/police/cases/{ref}",
            f"/police/cases/{ref}/edit", f"/police/cases/{ref}/export",
            f"/police/cases/{ref}/break-glass", f"/police/cases/{ref}/steps/close",
            f"/police/persons/{party.person_id}", "/police/cases/new"]


def _searches(case, concern) -> list[str]:
    queries = [MARKER, MARKER.lower(), case.reference, f"{MARKER}child Lindholm",
               f"{MARKER.upper()}7", "Lindholm", "Chaudhry"]
    urls = []
    for q in queries:
        urls += [f"/consular/search?q={q}", f"/admin/users?q={q}",
                 f"/admin/audit/?actor={q}", f"/admin/audit/?action={q}",
                 f"/consular/requests/?after=&sort=newest&q={q}"]
    return urls + [f"/consular/requests/{concern.reference}"]


def without_echoes(page: str) -> str:
    """The page less what only repeats the viewer's own query: input values, the quoted
    query in "No request matches “...”", and query strings of links. Paths and text stay, so
    a result row naming the case would still be caught."""
    page = re.sub(r'value="[^"]*"', "", page)
    page = re.sub(r"“[^”]*”", "", page)
    return re.sub(r'href="([^"?]*)\?[^"]*"', r'href="\1"', page)


def crawl(client, start: list[str]) -> dict[str, str]:
    """Every same-site page reachable by GET from the start pages: {url: html}."""
    seen: dict[str, str] = {}
    queue = deque(start)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or url.startswith(("/static/", "/logout")):
            continue
        response = client.get(url)
        if not (response.content_type or "").startswith(("text/", "application/json")):
            # A PDF or spreadsheet export: built from the same tables as the pages read here.
            seen[url] = f"{response.status_code}\n"
            continue
        body = response.get_data(as_text=True)
        seen[url] = f"{response.status_code}\n{body}"
        if response.status_code in (301, 302, 303):
            location = response.headers["Location"]
            if urlsplit(location).netloc in ("", "localhost"):
                queue.append(urlsplit(location)._replace(scheme="", netloc="").geturl())
            continue
        if "html" not in (response.content_type or ""):
            continue
        for href in LINK.findall(body):
            target = urldefrag(urljoin(url, href.replace("&amp;", "&")))[0]
            parts = urlsplit(target)
            if parts.netloc or parts.scheme:
                continue
            queue.append(target)
    return seen


@pytest.mark.parametrize("role, reads_all", [
    (Role.CONSULAR_OFFICER, False),
    (Role.CONSULAR_OFFICER, True),
    (Role.MANAGER, False),
    (Role.ADMINISTRATOR, False),
], ids=["consular officer", "consular officer reading all offices", "manager",
        "administrator"])
def test_nothing_of_a_police_case_reaches_another_role(app, sealed_case, role, reads_all):
    case, concern, names = sealed_case
    limiter.reset()
    viewer = make_user(role, office=concern.office, reads_all_offices=reads_all)
    client = app.test_client()
    assert login(client, viewer.email).status_code == 302
    pages = crawl(client, ["/", *_searches(case, concern)])
    assert len(pages) > 5, "the crawler found too little to prove anything"
    print(f"{role}: {len(pages)} pages crawled")
    forbidden = [MARKER.lower(), case.reference.lower(), *[n.lower() for n in names]]
    for url, page in pages.items():
        lowered = without_echoes(page).lower()
        for secret in forbidden:
            assert secret not in lowered, f"{secret!r} shows on {url} to {role}"
    for url in _police_urls(case):
        response = client.get(url)
        assert response.status_code == 404, (url, response.status_code)
        assert MARKER.lower() not in response.get_data(as_text=True).lower()
    for url in (f"/police/cases/{case.reference}/notes",
                f"/police/cases/{case.reference}/exchanges"):
        assert client.post(url, data={}).status_code in (400, 404)


def test_the_shared_link_says_only_that_the_liaison_officer_is_involved(app, sealed_case):
    case, concern, _ = sealed_case
    officer = make_user(Role.CONSULAR_OFFICER, office=concern.office)
    client = app.test_client()
    login(client, officer.email)
    html = client.get(f"/consular/requests/{concern.reference}").get_data(as_text=True)
    assert "The police liaison officer is involved" in html
    assert case.reference not in html and MARKER not in html


def test_the_liaison_officer_does_see_the_case(app, sealed_case):
    """The crawl above proves nothing if the marker is not on the case page at all."""
    case, _, names = sealed_case
    named = case.named_officers[0]
    client = app.test_client()
    login(client, named.email)
    html = client.get(f"/police/cases/{case.reference}").get_data(as_text=True)
    assert html.count(MARKER) >= 10 and names[0] in html
