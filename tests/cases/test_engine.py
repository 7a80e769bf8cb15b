"""The workflow engine: only it sets a status; each move is recorded, all or nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.conftest import make_request, make_user, reload
from tests.consular.helpers import audit_rows, timeline
from tracker.auth.models import Role
from tracker.cases import workflow
from tracker.cases.models import Case, TimelineEvent, TimelineKind
from tracker.cases.workflow import StatusChangeRefused
from tracker.consular import services
from tracker.consular.models import ConsularRequest
from tracker.db import utcnow
from tracker.extensions import db


@pytest.fixture
def officer(app):
    return make_user(Role.CONSULAR_OFFICER)


@pytest.fixture
def request_(officer):
    return make_request(officer=officer)


@pytest.mark.parametrize("status", ["closed", "in_progress", "resolved", "new"])
def test_assigning_a_status_is_refused(request_, status):
    with pytest.raises(StatusChangeRefused):
        request_.status = status
    assert reload(request_).status == "new"


def test_assigning_a_status_on_a_freshly_loaded_object_is_refused(request_):
    request_id = request_.id
    db.session.expunge_all()
    fresh = db.session.scalar(select(ConsularRequest).where(ConsularRequest.id == request_id))
    with pytest.raises(StatusChangeRefused):
        fresh.status = "closed"
    as_case = db.session.get(Case, request_id)
    with pytest.raises(StatusChangeRefused):
        as_case.status = "closed"
    with pytest.raises(StatusChangeRefused):
        setattr(as_case, "status", "cancelled")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Case, request_id).status == "new"


def test_a_new_object_cannot_be_given_a_status_either(officer):
    with pytest.raises(StatusChangeRefused):
        ConsularRequest(status="closed")


def test_a_move_writes_a_timeline_event_and_an_audit_row(request_, officer):
    before = utcnow()
    services.move(request_, officer, "start", comment="Papers complete")
    events = [e for e in timeline(request_) if e.kind is TimelineKind.STATUS]
    assert len(events) == 1
    event = events[0]
    assert (event.actor_id, event.from_status, event.to_status, event.transition,
            event.comment) == (officer.id, "new", "in_progress", "start", "Papers complete")
    assert before - timedelta(seconds=1) <= event.at <= utcnow() + timedelta(seconds=1)
    rows = audit_rows(request_.reference, "consular_request.start")
    assert len(rows) == 1
    assert rows[0].actor_id == officer.id and rows[0].actor_email == officer.email
    assert rows[0].reason == "Papers complete"
    assert '"from": "new"' in rows[0].details and '"to": "in_progress"' in rows[0].details


def test_the_opening_is_the_first_line_of_the_timeline(request_, officer):
    first = timeline(request_)[0]
    assert (first.kind, first.to_status, first.actor_id) == (TimelineKind.OPENED, "new",
                                                             officer.id)
    assert len(audit_rows(request_.reference, "consular_request.created")) == 1


def test_a_failed_commit_leaves_nothing_of_the_move(request_, officer):
    reference = request_.reference
    workflow.transition(request_, "start", officer, comment="will not stick")
    # Something else in the same transaction fails at commit (a row without its case).
    db.session.add(TimelineEvent(case_id=None, kind=TimelineKind.NOTE))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    case = reload(request_)
    assert case.status == "new"
    assert [e.kind for e in timeline(case)] == [TimelineKind.OPENED]
    assert audit_rows(reference, "consular_request.start") == []


def test_the_timeline_event_and_audit_row_are_in_the_callers_transaction(request_, officer):
    """Nothing is committed by the engine itself: rolling back undoes the whole move."""
    workflow.transition(request_, "start", officer)
    db.session.rollback()
    case = reload(request_)
    assert case.status == "new"
    assert len(timeline(case)) == 1
    assert audit_rows(case.reference, "consular_request.start") == []
