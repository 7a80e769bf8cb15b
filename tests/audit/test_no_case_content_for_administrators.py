"""Administrators see who did what to which object, never what a case says.

An officer edits a request's summary, takes steps with comments, puts it on hold saying what
it waits for, and removes a document with a reason, each carrying a marker. Every page an
administrator can reach (the home page's latest events, the audit log, its filters and its
older pages) must never show the marker, and a filter typed with the marker must answer
exactly as one typed with a word that occurs nowhere. A manager reading the request still
sees all of it on the request's timeline.
"""
from __future__ import annotations

import pytest

from tests.conftest import make_document, make_person
from tests.police.test_compartment import crawl, without_echoes
from tracker.auth.models import Role
from tracker.cases import documents
from tracker.consular import services

MARKER = "Wqxjmarker"
NOWHERE = "Vkpzqnothing"


@pytest.fixture
def edited_request(login_as):
    officer = login_as(Role.CONSULAR_OFFICER).user
    request = services.create_request(officer, officer.office, services.RequestInput(
        category="arrest", subcategory="detention", priority="urgent", channel="phone",
        summary="Detained in Rawalpindi"), [make_person()])
    services.update_request(request, officer, version=request.version, priority="urgent",
                            summary=f"Detained in Rawalpindi {MARKER}-summary",
                            description="", subcategory="detention")
    services.move(request, officer, "start", comment=f"{MARKER}-step-comment")
    services.move(request, officer, "wait", waiting_on="host_authorities",
                  waiting_reason=f"{MARKER}-waiting-for", comment=f"{MARKER}-wait-comment")
    attachment = make_document(request, officer, filename="charge-sheet.pdf")
    documents.remove_document(request, attachment, officer, f"{MARKER}-removal-reason")
    return request


def _filters(reference: str) -> list[str]:
    urls = ["/", "/admin/audit/", "/admin/audit/?action=consular_request",
            "/admin/audit/?action=consular_request&actor=tracker.example"]
    for q in (MARKER, MARKER.lower(), f"{MARKER}-waiting-for", reference, "waiting"):
        urls += [f"/admin/audit/?actor={q}", f"/admin/audit/?action={q}",
                 f"/admin/audit/?action=consular_request&actor={q}"]
    return urls


def test_administrators_never_see_case_content(login_as, edited_request):
    admin = login_as(Role.ADMINISTRATOR)
    pages = crawl(admin.client, _filters(edited_request.reference))
    audit_pages = [url for url in pages if url.startswith("/admin/audit/")]
    assert len(audit_pages) >= 10
    # The rows themselves are listed: who, which action, which object.
    log = pages["/admin/audit/?action=consular_request"]
    assert "consular_request.edited" in log and "consular_request.wait" in log
    assert "consular_request.document_removed" in log and edited_request.reference in log
    for url, page in pages.items():
        assert MARKER.lower() not in without_echoes(page).lower(), url


@pytest.mark.parametrize("name", ["actor", "action"])
def test_a_filter_cannot_tell_whether_a_word_is_in_a_case(login_as, edited_request, name):
    admin = login_as(Role.ADMINISTRATOR)

    def answer(q):
        response = admin.get(f"/admin/audit/?action=consular_request&{name}={q}"
                             if name == "actor" else f"/admin/audit/?{name}={q}")
        return response.status_code, without_echoes(response.get_data(as_text=True)).replace(
            q, "")

    assert answer(f"{MARKER}-waiting-for") == answer(NOWHERE)
    assert answer(f"{MARKER}-summary") == answer(NOWHERE)


def test_those_who_may_read_the_request_still_see_what_changed(login_as, edited_request):
    manager = login_as(Role.MANAGER, office=edited_request.office)
    page = manager.get(f"/consular/requests/{edited_request.reference}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for shown in (f"{MARKER}-summary", f"{MARKER}-step-comment", f"{MARKER}-waiting-for",
                  f"{MARKER}-wait-comment", f"{MARKER}-removal-reason", "Edited:</strong> summary"):
        assert shown in html, shown
