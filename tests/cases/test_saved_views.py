"""Saved views: an officer names a filtered list, finds it on the home page with its count,
renames, shares with an office, deletes it; counts and lists always go through the reader's
own scope, and police views never leave the police compartment."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from tests.conftest import audit_rows, make_liaison_case, make_office, make_request
from tracker.auth.models import OfficeKind, Role
from tracker.cases.models import CaseKind, SavedView
from tracker.extensions import db

C, P, M = Role.CONSULAR_OFFICER, Role.POLICE_LIAISON_OFFICER, Role.MANAGER
VIEWS = "/consular/requests/views"


@pytest.fixture
def offices(app):
    """The embassy and an honorary consulate: an embassy officer serves both."""
    embassy = make_office(name="Embassy in Islamabad", kind=OfficeKind.EMBASSY)
    karachi = make_office(name="Honorary consulate in Karachi",
                          kind=OfficeKind.HONORARY_CONSULATE)
    return embassy, karachi


def the_view(owner, name: str | None = None) -> SavedView:
    db.session.expire_all()
    stmt = select(SavedView).where(SavedView.owner_id == owner.id)
    if name:
        stmt = stmt.where(SavedView.name == name)
    return db.session.scalar(stmt)


def saved_views_on_home(signed_in) -> dict[str, str]:
    """The home page's saved views as a reader sees them: name -> the line's text."""
    html = signed_in.get("/").get_data(as_text=True)
    if 'id="saved-views"' not in html:
        return {}
    section = html[html.index('id="saved-views"'):]
    section = section[:section.index("</section>")]
    lines = re.findall(r"<li>(.*?)</li>", section, re.S)
    found = {}
    for line in lines:
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", line)).strip()
        name = re.search(r">([^<]+)</a>", line).group(1)
        found[name] = text
    return found


def view_audit(view_id) -> list[str]:
    return [row.action for row in audit_rows(view_id) if row.object_type == "saved_view"]


def save(signed_in, name: str, query: str = ""):
    return signed_in.post(f"{VIEWS}?{query}", {"name": name})


def test_an_officer_saves_the_filtered_list_and_finds_it_on_the_home_page(login_as, offices):
    embassy, _ = offices
    officer = login_as(C, office=embassy)
    make_request(office=embassy, officer=officer.user, priority="urgent")
    make_request(office=embassy, officer=officer.user, priority="routine")

    response = save(officer, "Urgent ones", "priority=urgent&sort=due")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/consular/requests/?priority=urgent&sort=due")
    view = the_view(officer.user)
    # The parameters are kept, never the results.
    assert (view.name, json.loads(view.filters), view.sort) == (
        "Urgent ones", {"priority": "urgent"}, "due")
    assert saved_views_on_home(officer) == {"Urgent ones": "Urgent ones 1 case"}
    # Opening it shows the list with the same filters and sort.
    opened = officer.get(f"{VIEWS}/{view.id}")
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith("/consular/requests/?priority=urgent&sort=due")
    # The count is the list's now, not what it was when saved.
    make_request(office=embassy, officer=officer.user, priority="urgent")
    assert saved_views_on_home(officer) == {"Urgent ones": "Urgent ones 2 cases"}
    assert view_audit(view.id) == ["saved_view.created"]


def test_rename_and_delete_are_the_owners(login_as, offices):
    embassy, _ = offices
    officer = login_as(C, office=embassy)
    save(officer, "Mine")
    save(officer, "Other")
    view = the_view(officer.user, "Mine")
    rename = officer.post(f"{VIEWS}/{view.id}/rename",
                          {f"v{view.id}-name": "Passports this week",
                           f"v{view.id}-version": str(view.version)})
    assert rename.status_code == 302
    assert the_view(officer.user, "Passports this week") is not None

    # A name the officer uses already is refused beside the field, nothing changed.
    view = the_view(officer.user, "Passports this week")
    taken = officer.post(f"{VIEWS}/{view.id}/rename",
                         {f"v{view.id}-name": "Other", f"v{view.id}-version": str(view.version)})
    assert taken.status_code == 422
    assert "You have a view called Other already." in taken.get_data(as_text=True)
    assert the_view(officer.user, "Passports this week") is not None

    # A colleague, even of the same office and with the view shared, cannot touch it.
    officer.post(f"{VIEWS}/{view.id}/share", {f"v{view.id}-office": str(embassy.id),
                                             f"v{view.id}-version": str(view.version)})
    colleague = login_as(C, office=embassy)
    assert "Passports this week" in saved_views_on_home(colleague)
    view = the_view(officer.user, "Passports this week")
    for action in ("rename", "share", "delete"):
        answer = colleague.post(f"{VIEWS}/{view.id}/{action}",
                                {f"v{view.id}-name": "Taken over",
                                 f"v{view.id}-office": "0",
                                 f"v{view.id}-version": str(view.version)})
        assert answer.status_code == 404
    assert the_view(officer.user, "Passports this week").shared_office_id == embassy.id

    # A stale page: the one conflict answer.
    view_id = view.id
    stale = officer.post(f"{VIEWS}/{view.id}/delete", {f"v{view.id}-version": "999"})
    assert stale.status_code == 409
    deleted = officer.post(f"{VIEWS}/{view.id}/delete",
                           {f"v{view.id}-version": str(view.version)})
    assert deleted.status_code == 302
    assert the_view(officer.user, "Passports this week") is None
    assert "Passports this week" not in saved_views_on_home(colleague)
    assert view_audit(view_id) == [
        "saved_view.created", "saved_view.renamed", "saved_view.shared", "saved_view.deleted"]


def test_a_shared_view_counts_only_what_each_reader_may_read(login_as, offices):
    """Insider: an embassy officer (who serves the embassy and Karachi) shares a view with
    Karachi; a Karachi officer, who serves only Karachi, sees their own count and list."""
    embassy, karachi = offices
    owner = login_as(C, office=embassy, display_name="Ingrid Embassy")
    islamabad_requests = [make_request(office=embassy, officer=owner.user,
                                       summary=f"Embassy matter {n}") for n in range(2)]
    karachi_request = make_request(office=karachi, summary="Karachi matter")
    save(owner, "Everything open")
    view = the_view(owner.user)
    assert saved_views_on_home(owner) == {"Everything open": "Everything open 3 cases"}

    answer = owner.post(f"{VIEWS}/{view.id}/share", {f"v{view.id}-office": str(karachi.id),
                                                    f"v{view.id}-version": str(view.version)})
    assert answer.status_code == 302
    assert saved_views_on_home(owner) == {
        "Everything open": f"Everything open 3 cases shared with {karachi.name}"}

    reader = login_as(C, office=karachi)
    assert saved_views_on_home(reader) == {
        "Everything open": "Everything open 1 case shared by Ingrid Embassy"}
    listed = reader.get(reader.get(f"{VIEWS}/{view.id}").headers["Location"])
    html = listed.get_data(as_text=True)
    assert karachi_request.reference in html
    assert not any(r.reference in html for r in islamabad_requests)

    # A manager of the embassy: not shared with their office, so not listed, and not opened.
    manager = login_as(M, office=embassy)
    assert saved_views_on_home(manager) == {}
    assert manager.get(f"{VIEWS}/{view.id}").status_code == 404

    # Unshared: gone from the reader's home page, and its address answers 404.
    view = the_view(owner.user)
    owner.post(f"{VIEWS}/{view.id}/share", {f"v{view.id}-office": "0",
                                           f"v{view.id}-version": str(view.version)})
    assert saved_views_on_home(reader) == {}
    assert reader.get(f"{VIEWS}/{view.id}").status_code == 404


def test_a_view_is_shared_only_with_an_office_the_owner_serves(login_as, offices):
    embassy, karachi = offices
    officer = login_as(C, office=karachi)
    save(officer, "Karachi queue")
    view = the_view(officer.user)
    answer = officer.post(f"{VIEWS}/{view.id}/share", {f"v{view.id}-office": str(embassy.id),
                                                      f"v{view.id}-version": str(view.version)})
    assert answer.status_code == 422
    assert "Share it with an office you serve." in answer.get_data(as_text=True)
    assert the_view(officer.user).shared_office_id is None


def test_filters_that_are_not_valid_are_not_saved(login_as, offices):
    officer = login_as(C, office=offices[0])
    for query in ("office=abc", "priority=sky-high", "opened_from=31.02.2026"):
        answer = save(officer, "Broken", query)
        assert answer.status_code == 400  # the list's own answer to filters it cannot read
        assert "These filters cannot be saved" in answer.get_data(as_text=True)
    assert save(officer, "  ").status_code == 422
    assert the_view(officer.user) is None


def test_police_views_never_leave_the_police_compartment(login_as, offices):
    embassy, _ = offices
    liaison = login_as(P, office=embassy)
    make_liaison_case(liaison.user, title="Abduction to Lahore")
    answer = liaison.post("/police/views?category=child_abduction", {"name": "Abductions"})
    assert answer.status_code == 302
    view = the_view(liaison.user)
    assert view.kind is CaseKind.LIAISON_CASE
    answer = liaison.post(f"/police/views/{view.id}/share",
                          {f"v{view.id}-office": str(embassy.id),
                           f"v{view.id}-version": str(view.version)})
    assert answer.status_code == 302
    assert saved_views_on_home(liaison) == {
        "Abductions": f"Abductions 1 case shared with {embassy.name}"}

    # Shared with the embassy, yet no consular reader there learns of it.
    for role in (C, M):
        other = login_as(role, office=embassy)
        assert saved_views_on_home(other) == {}
        assert other.get(f"/police/views/{view.id}").status_code == 404
        assert other.get(f"{VIEWS}/{view.id}").status_code == 404
        assert "Abductions" not in other.get(VIEWS).get_data(as_text=True)
    # A consular view's id is no police view either.
    officer = login_as(C, office=embassy)
    save(officer, "Consular")
    assert liaison.get(f"/police/views/{the_view(officer.user).id}").status_code == 404


def test_the_views_page_lists_own_and_shared_views(login_as, offices):
    embassy, _ = offices
    owner = login_as(C, office=embassy, display_name="Sindre Sharer")
    save(owner, "Shared one")
    view = the_view(owner.user)
    owner.post(f"{VIEWS}/{view.id}/share", {f"v{view.id}-office": str(embassy.id),
                                           f"v{view.id}-version": str(view.version)})
    reader = login_as(C, office=embassy)
    save(reader, "My own")
    html = reader.get(VIEWS).get_data(as_text=True)
    mine = html[html.index("Your views"):html.index("Shared with your office")]
    assert "My own" in mine and "Shared one" not in mine
    assert "Shared one" in html and "by Sindre Sharer" in html
    assert 'aria-label="Delete the view My own"' in html
