"""Editing a request: the form carries the version; a stale save is a 409, never an overwrite."""
from __future__ import annotations

import re

import pytest

from tests.conftest import make_request, reload
from tests.consular.helpers import audit_rows, timeline
from tracker.auth.models import Role
from tracker.cases.models import TimelineKind
from tracker.consular import services

def version_on(html: str) -> int:
    match = re.search(r'<input[^>]*name="version"[^>]*>', html)
    assert match, "no version field on the form"
    return int(re.search(r'value="(\d+)"', match.group(0)).group(1))


@pytest.fixture
def two_officers(login_as):
    first = login_as(Role.CONSULAR_OFFICER)
    second = login_as(Role.CONSULAR_OFFICER, office=first.user.office)
    request = make_request(office=first.user.office, officer=first.user,
                           summary="Renewal for a child", priority="routine")
    return first, second, request


def _save(officer, request, version, **fields):
    data = {"version": str(version), "subcategory": "renewal", "priority": "routine",
            "summary": "Renewal for a child", "description": ""}
    data.update(fields)
    return officer.post(f"/consular/requests/{request.reference}/edit", data)


def test_the_edit_form_carries_the_version(two_officers):
    first, _, request = two_officers
    page = first.get(f"/consular/requests/{request.reference}/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert version_on(html) == request.version
    assert 'value="Renewal for a child"' in html


def test_a_save_changes_the_request_and_records_it(two_officers):
    first, _, request = two_officers
    version = request.version
    response = _save(first, request, version, priority="urgent",
                     summary="Renewal, travel next week", description="Flight on Friday")
    assert response.status_code == 302
    saved = reload(request)
    assert (saved.priority.value, saved.summary, saved.description) == (
        "urgent", "Renewal, travel next week", "Flight on Friday")
    assert saved.version == version + 1
    [edit] = [e for e in timeline(saved) if e.kind is TimelineKind.EDITED]
    assert edit.actor_id == first.user.id and "summary" in edit.comment
    [row] = audit_rows(saved.reference, "consular_request.edited")
    assert "Renewal, travel next week" in row.details
    assert "Flight on Friday" not in row.details  # the description stays out of the log


def test_a_stale_save_answers_the_one_conflict_page(two_officers):
    first, second, request = two_officers
    opened = version_on(first.get(f"/consular/requests/{request.reference}/edit")
                        .get_data(as_text=True))
    also = version_on(second.get(f"/consular/requests/{request.reference}/edit")
                      .get_data(as_text=True))
    assert opened == also
    assert _save(second, request, also, summary="Second officer's summary",
                 priority="emergency").status_code == 302
    stale = _save(first, request, opened, summary="First officer's summary",
                  description="First officer's details")
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "nothing of theirs was overwritten" in html
    # What the officer typed is shown, so it is not lost, and the page links to the record.
    assert "First officer&#39;s summary" in html and "First officer&#39;s details" in html
    edit_url = f"/consular/requests/{request.reference}/edit"
    assert f'href="{edit_url}"' in html
    current = first.get(edit_url).get_data(as_text=True)
    assert "Second officer&#39;s summary" in current
    assert version_on(current) == reload(request).version
    saved = reload(request)
    assert saved.summary == "Second officer's summary"
    assert saved.priority.value == "emergency"
    assert len([e for e in timeline(saved) if e.kind is TimelineKind.EDITED]) == 1
    # Saving again from the current version, on purpose, works.
    again = _save(first, request, version_on(current), summary="First officer's summary")
    assert again.status_code == 302
    assert reload(request).summary == "First officer's summary"


def test_a_save_without_a_version_is_not_a_blind_overwrite(two_officers):
    first, _, request = two_officers
    response = first.post(f"/consular/requests/{request.reference}/edit", {
        "subcategory": "renewal", "priority": "urgent", "summary": "No version"})
    assert response.status_code == 409
    assert reload(request).summary == "Renewal for a child"


def test_a_workflow_step_also_makes_an_open_form_stale(two_officers):
    first, _, request = two_officers
    opened = version_on(first.get(f"/consular/requests/{request.reference}/edit")
                        .get_data(as_text=True))
    services.move(request, first.user, "start")
    assert _save(first, request, opened, summary="After the step").status_code == 409
    assert reload(request).summary == "Renewal for a child"


@pytest.mark.parametrize("fields, message", [
    ({"summary": "   "}, "summary"),
    ({"subcategory": "repatriation"}, "Choose a kind"),
    ({"priority": "whenever"}, "Not a valid choice"),
    ({"summary": "x" * 201}, "200"),
])
def test_bad_edits_are_refused_next_to_the_field(two_officers, fields, message):
    first, _, request = two_officers
    version = request.version
    response = _save(first, request, version, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    saved = reload(request)
    assert saved.summary == "Renewal for a child" and saved.version == version
