"""Assigning a request: to an active officer of its office, recorded on the timeline and audit."""
from __future__ import annotations

import pytest

from tests.conftest import make_office, make_request, make_user, reload
from tests.consular.helpers import audit_rows, timeline
from tracker.auth.models import Role
from tracker.cases import assignment
from tracker.cases.models import TimelineKind


@pytest.fixture
def officer(login_as):
    return login_as(Role.CONSULAR_OFFICER)


@pytest.fixture
def request_(officer):
    return make_request(office=officer.user.office, officer=officer.user, assigned=False)


def test_assigning_to_a_colleague(officer, request_):
    colleague = make_user(Role.CONSULAR_OFFICER, office=officer.user.office,
                          display_name="Ragnhild Dahl")
    url = f"/consular/requests/{request_.reference}/assign"
    assert officer.post(url, {"assigned_to": str(colleague.id)}).status_code == 302
    assert reload(request_).assigned_to_id == colleague.id
    [event] = [e for e in timeline(request_) if e.kind is TimelineKind.ASSIGNED]
    assert event.comment == "Ragnhild Dahl" and event.actor_id == officer.user.id
    [row] = audit_rows(request_.reference, "consular_request.assigned")
    assert colleague.email in row.details
    # Saving the same again records nothing new; "Nobody" takes it back.
    assert officer.post(url, {"assigned_to": str(colleague.id)}).status_code == 302
    assert len(audit_rows(request_.reference, "consular_request.assigned")) == 1
    assert officer.post(url, {"assigned_to": "0"}).status_code == 302
    assert reload(request_).assigned_to_id is None
    html = officer.get(f"/consular/requests/{request_.reference}").get_data(as_text=True)
    assert "Assigned</strong> to nobody" in html


@pytest.mark.parametrize("who", ["other_office", "inactive", "manager", "police"])
def test_only_an_active_officer_of_the_office(officer, request_, who):
    office = officer.user.office
    target = {
        "other_office": lambda: make_user(Role.CONSULAR_OFFICER, office=make_office()),
        "inactive": lambda: make_user(Role.CONSULAR_OFFICER, office=office, active=False),
        "manager": lambda: make_user(Role.MANAGER, office=office),
        "police": lambda: make_user(Role.POLICE_LIAISON_OFFICER, office=office),
    }[who]()
    response = officer.post(f"/consular/requests/{request_.reference}/assign",
                            {"assigned_to": str(target.id)})
    assert response.status_code == 422
    assert "Choose an active officer" in response.get_data(as_text=True)
    assert reload(request_).assigned_to_id is None
    assert audit_rows(request_.reference, "consular_request.assigned") == []


def test_assign_returns_false_when_nothing_changes(officer, request_):
    assert assignment.assign(request_, officer.user, None) is False
    assert assignment.assign(request_, officer.user, officer.user) is True
    assert assignment.assign(request_, officer.user, officer.user) is False
