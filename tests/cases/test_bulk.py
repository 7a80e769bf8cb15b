"""Bulk actions on a list's selection: set the priority, reassign (managers, with a reason).

All or nothing: each request changed gets its own timeline entry and audit row; a selection
with a request the actor may not change, one that changed since the list was shown, or an
officer who cannot serve a request's office changes none; an id outside the reader's scope
(another office's, the police compartment's) is 404, never a hint.
"""
from __future__ import annotations

import json

import pytest

from tests.conftest import (
    audit_rows,
    make_liaison_case,
    make_office,
    make_request,
    make_user,
    reload,
    timeline,
)
from tracker.auth.models import OfficeKind, Role
from tracker.cases.models import Priority, TimelineKind

C, P, M = Role.CONSULAR_OFFICER, Role.POLICE_LIAISON_OFFICER, Role.MANAGER
LIST = "/consular/requests/"
PRIORITY = "/consular/requests/bulk/priority"
REASSIGN = "/consular/requests/bulk/reassign"


@pytest.fixture
def offices(app):
    embassy = make_office(name="Embassy in Islamabad", kind=OfficeKind.EMBASSY)
    karachi = make_office(name="Honorary consulate in Karachi",
                          kind=OfficeKind.HONORARY_CONSULATE)
    lahore = make_office(name="Honorary consulate in Lahore",
                         kind=OfficeKind.HONORARY_CONSULATE)
    return embassy, karachi, lahore


def ticked(*cases) -> list[str]:
    """The checkboxes as the list showed them: id and version."""
    return [f"{case.id}:{case.version}" for case in cases]


def snapshot(*cases):
    return [(r.priority, r.assigned_to_id, r.version) for r in map(reload, cases)]


def test_an_officer_sets_the_priority_of_two_requests(login_as, offices):
    embassy = offices[0]
    officer = login_as(C, office=embassy)
    first, second = (make_request(office=embassy, officer=officer.user) for _ in range(2))
    already = make_request(office=embassy, officer=officer.user, priority="urgent")
    answer = officer.post(PRIORITY + "?sort=due",
                          {"bulk-priority": "urgent", "selected": ticked(first, second, already)})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/consular/requests/?sort=due")
    for request_ in (first, second):
        assert reload(request_).priority is Priority.URGENT
        [edited] = [e for e in timeline(request_) if e.kind is TimelineKind.EDITED]
        assert (edited.comment, edited.actor_id) == ("priority", officer.user.id)
        [row] = audit_rows(request_.reference, "consular_request.edited")
        assert json.loads(row.details) == {"priority": {"from": "routine", "to": "urgent"},
                                           "bulk": True}
    # Already urgent: nothing to record.
    assert audit_rows(already.reference, "consular_request.edited") == []
    page = officer.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Priority set on 2 cases." in page


def test_a_manager_reassigns_with_a_reason(login_as, offices):
    embassy, karachi, _ = offices
    manager = login_as(M, office=embassy)
    at_embassy = make_request(office=embassy)
    at_karachi = make_request(office=karachi)
    # An embassy officer serves the honorary consulates too.
    colleague = make_user(C, office=embassy, display_name="Ragnhild Dahl")
    answer = manager.post(REASSIGN, {"bulk-assigned_to": str(colleague.id),
                                     "bulk-reason": "Sigrid is on leave until Monday",
                                     "selected": ticked(at_embassy, at_karachi)})
    assert answer.status_code == 302
    for request_ in (at_embassy, at_karachi):
        assert reload(request_).assigned_to_id == colleague.id
        [event] = [e for e in timeline(request_) if e.kind is TimelineKind.ASSIGNED]
        assert (event.comment, event.detail) == ("Ragnhild Dahl",
                                                 "Sigrid is on leave until Monday")
        [row] = audit_rows(request_.reference, "consular_request.assigned")
        assert row.reason == "Sigrid is on leave until Monday"
        assert colleague.email in row.details
    page = manager.get(f"/consular/requests/{at_karachi.reference}").get_data(as_text=True)
    assert "Sigrid is on leave until Monday" in page


def test_reassigning_needs_a_reason_and_an_officer(login_as, offices):
    embassy = offices[0]
    manager = login_as(M, office=embassy)
    request_ = make_request(office=embassy)
    colleague = make_user(C, office=embassy)
    before = snapshot(request_)
    no_reason = manager.post(REASSIGN, {"bulk-assigned_to": str(colleague.id), "bulk-reason": " ",
                                        "selected": ticked(request_)})
    assert no_reason.status_code == 422
    assert "Say why the cases are reassigned." in no_reason.get_data(as_text=True)
    no_officer = manager.post(REASSIGN, {"bulk-assigned_to": "0", "bulk-reason": "Workload",
                                         "selected": ticked(request_)})
    assert no_officer.status_code == 422
    assert "Choose the officer." in no_officer.get_data(as_text=True)
    assert snapshot(request_) == before
    # The officer's selection stays ticked on the page that says what is wrong.
    assert f'value="{request_.id}:{request_.version}" id="select-{request_.id}" checked' in \
        no_officer.get_data(as_text=True)


def test_only_managers_reassign(login_as, offices):
    embassy = offices[0]
    officer = login_as(C, office=embassy)
    request_ = make_request(office=embassy, officer=officer.user)
    before = snapshot(request_)
    answer = officer.post(REASSIGN, {"bulk-assigned_to": str(officer.user.id),
                                     "bulk-reason": "Mine now", "selected": ticked(request_)})
    assert answer.status_code == 403
    assert snapshot(request_) == before
    html = officer.get(LIST).get_data(as_text=True)
    assert "Set priority" in html and "Reassign" not in html
    manager_html = login_as(M, office=embassy).get(LIST).get_data(as_text=True)
    assert "Reassign" in manager_html


def test_an_officer_who_cannot_serve_one_office_refuses_the_whole_selection(login_as,
                                                                            offices):
    embassy, karachi, _ = offices
    manager = login_as(M, office=embassy)
    at_karachi = make_request(office=karachi)
    at_embassy = make_request(office=embassy)
    karachi_officer = make_user(C, office=karachi, display_name="Kamran Karachi")
    before = snapshot(at_karachi, at_embassy)
    answer = manager.post(REASSIGN, {"bulk-assigned_to": str(karachi_officer.id),
                                     "bulk-reason": "Local follow-up",
                                     "selected": ticked(at_karachi, at_embassy)})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert (f"Kamran Karachi cannot be given {at_embassy.reference} (another office&#39;s), "
            "so nothing was changed.") in html
    assert snapshot(at_karachi, at_embassy) == before
    assert audit_rows(at_karachi.reference, "consular_request.assigned") == []


@pytest.mark.parametrize("outsider", ["other_office", "police", "no_such_case"])
def test_an_id_outside_the_readers_scope_is_404_and_changes_nothing(login_as, offices,
                                                                   outsider):
    embassy, karachi, lahore = offices
    officer = login_as(C, office=lahore)  # a consulate's officer serves only Lahore
    own = make_request(office=lahore, officer=officer.user)
    if outsider == "other_office":
        other = make_request(office=karachi)
        value = f"{other.id}:{other.version}"
    elif outsider == "police":
        case, _, _ = make_liaison_case()
        value = f"{case.id}:{case.version}"
    else:
        value = "2147483647:1"
    before = snapshot(own)
    answer = officer.post(PRIORITY, {"bulk-priority": "emergency",
                                     "selected": [*ticked(own), value]})
    assert answer.status_code == 404
    assert snapshot(own) == before
    assert audit_rows(own.reference, "consular_request.edited") == []


def test_a_request_the_officer_may_read_but_not_change_refuses_the_selection(login_as,
                                                                            offices):
    embassy, karachi, lahore = offices
    reader = login_as(C, office=lahore, reads_all_offices=True)
    own = make_request(office=lahore, officer=reader.user)
    read_only = make_request(office=karachi)
    before = snapshot(own, read_only)
    answer = reader.post(PRIORITY, {"bulk-priority": "urgent", "selected": ticked(own, read_only)})
    assert answer.status_code == 422
    assert (f"You may not change {read_only.reference}, so nothing was changed."
            in answer.get_data(as_text=True))
    assert snapshot(own, read_only) == before
    # The list offers no checkbox for it in the first place.
    html = reader.get(LIST).get_data(as_text=True)
    assert f'id="select-{own.id}"' in html and f'id="select-{read_only.id}"' not in html
    assert read_only.reference in html


def test_a_request_changed_since_the_list_was_shown_changes_none(login_as, offices):
    embassy = offices[0]
    officer = login_as(C, office=embassy)
    fresh = make_request(office=embassy, officer=officer.user)
    changed = make_request(office=embassy, officer=officer.user)
    shown = ticked(fresh, changed)
    # A colleague edits one of them after the list was drawn.
    colleague = login_as(C, office=embassy)
    colleague.post(f"/consular/requests/{changed.reference}/edit",
                   {"version": str(changed.version), "subcategory": "renewal",
                    "priority": "emergency", "summary": "Now an emergency"})
    assert reload(changed).priority is Priority.EMERGENCY
    before = snapshot(fresh, changed)
    answer = officer.post(PRIORITY, {"bulk-priority": "urgent", "selected": shown})
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    assert f"{changed.reference} changed after the list was shown" in html
    assert fresh.reference not in html.split("changed after")[0][-40:]
    assert snapshot(fresh, changed) == before


@pytest.mark.parametrize("selected,status,message", [
    ([], 422, "Select at least one case in the list."),
    (["12:x"], 404, None),
    (["-1:1"], 404, None),
    (["99999999999:1"], 404, None),
])
def test_a_selection_that_names_nothing(login_as, offices, selected, status, message):
    officer = login_as(C, office=offices[0])
    answer = officer.post(PRIORITY, {"bulk-priority": "urgent", "selected": selected})
    assert answer.status_code == status
    if message:
        assert message in answer.get_data(as_text=True)


def test_the_list_offers_the_selection(login_as, offices):
    embassy = offices[0]
    officer = login_as(C, office=embassy)
    request_ = make_request(office=embassy, officer=officer.user)
    html = officer.get(LIST + "?priority=routine").get_data(as_text=True)
    assert (f'<input type="checkbox" form="bulk" name="selected" '
            f'value="{request_.id}:{request_.version}" id="select-{request_.id}">') in html
    assert (f'<label for="select-{request_.id}" class="visually-hidden">'
            f'Select {request_.reference}</label>') in html
    assert 'action="/consular/requests/bulk/priority?priority=routine"' in html
    everything = officer.get(LIST + "?priority=routine&select=all").get_data(as_text=True)
    assert f'id="select-{request_.id}" checked' in everything
    assert "Clear the selection" in everything


def test_the_police_list_sets_priority_within_the_compartment(login_as, offices):
    embassy = offices[0]
    liaison = login_as(P, office=embassy)
    case, _, _ = make_liaison_case(liaison.user)
    answer = liaison.post("/police/bulk/priority", {"bulk-priority": "urgent",
                                                    "selected": ticked(case)})
    assert answer.status_code == 302
    assert reload(case).priority is Priority.URGENT
    assert len(audit_rows(case.reference, "liaison_case.edited")) == 1
    # A consular request's id on the police list names nothing there.
    request_ = make_request(office=embassy)
    answer = liaison.post("/police/bulk/priority", {"bulk-priority": "urgent",
                                                    "selected": ticked(request_)})
    assert answer.status_code == 404
    assert reload(request_).priority is Priority.ROUTINE
    # And no consular role reaches the police action at all.
    officer = login_as(C, office=embassy)
    assert officer.post("/police/bulk/priority", {"bulk-priority": "routine",
                                                  "selected": ticked(case)}).status_code == 404
    assert reload(case).priority is Priority.URGENT
