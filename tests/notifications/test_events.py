"""Each event reaches exactly the people it should, and nobody else: not the one who did it,
not another office's officer, not a consular officer for a police event, not a reader who
lost access."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from tests.conftest import (
    make_document,
    make_liaison_case,
    make_office,
    make_request,
    make_user,
)
from tracker.auth import approvals
from tracker.auth.models import OfficeKind, Role
from tracker.cases import assignment, journal
from tracker.consular import services as consular
from tracker.extensions import db
from tracker.notifications.models import Notification, NotificationKind as K
from tracker.police import services as police

UTC = timezone.utc


def told(kind: K, case=None) -> set[int]:
    """The accounts told of `kind` (about `case`, if given)."""
    stmt = select(Notification.user_id).where(Notification.kind == kind)
    if case is not None:
        stmt = stmt.where(Notification.case_id == case.id)
    return set(db.session.scalars(stmt))


@pytest.fixture
def embassy(app):
    return make_office(kind=OfficeKind.EMBASSY)


@pytest.fixture
def people(embassy):
    """Someone of every kind who could wrongly be told: in the embassy and elsewhere."""
    elsewhere = make_office(kind=OfficeKind.EMBASSY)
    return {
        "officer": make_user(Role.CONSULAR_OFFICER, office=embassy),
        "colleague": make_user(Role.CONSULAR_OFFICER, office=embassy),
        "other_office_officer": make_user(Role.CONSULAR_OFFICER, office=elsewhere),
        "manager": make_user(Role.MANAGER, office=embassy),
        "other_manager": make_user(Role.MANAGER, office=elsewhere),
        "liaison": make_user(Role.POLICE_LIAISON_OFFICER, office=embassy),
        "admin": make_user(Role.ADMINISTRATOR, office=embassy),
    }


def death_request(officer):
    request = make_request(officer=officer, category="death:repatriation",
                           summary="Death in Lahore",
                           assigned=officer.role is Role.CONSULAR_OFFICER)
    consular.move(request, officer, "start")
    db.session.commit()
    return request


def ask_approval(request, officer):
    consular.move(request, officer, "request_approval", closing_reason="repatriated")
    db.session.commit()


def test_assignment_tells_the_assignee_only(people):
    officer, colleague = people["officer"], people["colleague"]
    request = make_request(officer=officer, assigned=False)
    assignment.assign(request, officer, colleague)
    db.session.commit()
    assert told(K.ASSIGNED, request) == {colleague.id}


def test_assigning_oneself_tells_nobody(people):
    request = make_request(officer=people["officer"], assigned=False)
    assignment.assign(request, people["officer"], people["officer"])
    db.session.commit()
    assert told(K.ASSIGNED) == set()


def test_assignment_to_someone_who_may_not_read_the_case_tells_nobody(people):
    """An insider assigns a request to an officer of another office, or a liaison case to a
    consular officer: neither is told (nor could open it)."""
    request = make_request(officer=people["officer"], assigned=False)
    assignment.assign(request, people["officer"], people["other_office_officer"])
    case, _, _ = make_liaison_case(people["liaison"])
    assignment.assign(case, people["liaison"], people["officer"])
    assignment.assign(case, people["liaison"], people["manager"])
    db.session.commit()
    assert told(K.ASSIGNED) == set()


def test_approval_asked_tells_the_managers_of_the_office(people):
    request = death_request(people["officer"])
    ask_approval(request, people["officer"])
    assert told(K.APPROVAL_NEEDED, request) == {people["manager"].id}


def test_approval_at_a_consulate_without_a_manager_tells_every_manager(people, embassy):
    consulate = make_office(kind=OfficeKind.HONORARY_CONSULATE)
    officer = make_user(Role.CONSULAR_OFFICER, office=consulate)
    inactive = make_user(Role.MANAGER, office=embassy, active=False)
    request = death_request(officer)
    ask_approval(request, officer)
    assert told(K.APPROVAL_NEEDED, request) == {people["manager"].id,
                                                people["other_manager"].id}
    assert inactive.id not in told(K.APPROVAL_NEEDED)


def test_a_manager_asking_for_approval_is_not_told_of_it(people, embassy):
    second = make_user(Role.MANAGER, office=embassy)
    request = death_request(people["manager"])
    ask_approval(request, people["manager"])
    assert told(K.APPROVAL_NEEDED, request) == {second.id}


@pytest.mark.parametrize("step,kind", [("approve", K.APPROVED), ("send_back", K.SENT_BACK)])
def test_the_answer_tells_the_officer_who_asked(people, step, kind):
    request = death_request(people["officer"])
    assignment.assign(request, people["officer"], people["colleague"])
    ask_approval(request, people["officer"])
    consular.move(request, people["manager"], step, comment="Not yet: the burial permit")
    db.session.commit()
    assert told(kind, request) == {people["officer"].id}


def test_once_answered_the_other_managers_approval_notifications_are_read(people, embassy):
    second = make_user(Role.MANAGER, office=embassy)
    request = death_request(people["officer"])
    ask_approval(request, people["officer"])
    consular.move(request, people["manager"], "approve")
    db.session.commit()
    waiting = db.session.scalars(select(Notification).where(
        Notification.kind == K.APPROVAL_NEEDED)).all()
    assert {n.user_id for n in waiting} == {people["manager"].id, second.id}
    assert all(n.read_at is not None for n in waiting)


def test_a_hold_date_reached_tells_the_assigned_officer(people):
    request = make_request(officer=people["officer"])
    consular.move(request, people["officer"], "wait", waiting_on="applicant",
                  waiting_reason="Birth certificate", hold_until=date(2026, 3, 11),
                  at=datetime(2026, 3, 8, 6, 0, tzinfo=UTC))
    db.session.commit()
    woken = consular.wake_held_requests(datetime(2026, 3, 11, 6, 0, tzinfo=UTC))
    db.session.commit()
    assert woken == [request.reference]
    assert told(K.HOLD_REACHED, request) == {people["officer"].id}


def test_a_liaison_hold_date_reached_tells_the_liaison_officer(people):
    case, _, _ = make_liaison_case(people["liaison"])
    assignment.assign(case, people["liaison"], people["liaison"])
    police.move(case, people["liaison"], "activate")
    police.move(case, people["liaison"], "await_counterpart", waiting_reason="FIA reply",
                hold_until=date(2026, 3, 11), at=datetime(2026, 3, 8, 6, 0, tzinfo=UTC))
    db.session.commit()
    police.wake_held_cases(datetime(2026, 3, 11, 6, 0, tzinfo=UTC))
    db.session.commit()
    assert told(K.HOLD_REACHED, case) == {people["liaison"].id}


def test_a_note_or_document_tells_the_assigned_officer_not_the_author(people):
    request = make_request(officer=people["officer"])  # assigned to the officer
    journal.add_note(request, people["colleague"], "Called the hospital")
    journal.add_contact(request, people["colleague"], "call", "Hospital", "Spoke to the ward")
    make_document(request, people["colleague"])
    journal.add_note(request, people["officer"], "My own note")
    make_document(request, people["officer"])
    db.session.commit()
    assert [n.user_id for n in db.session.scalars(
        select(Notification).where(Notification.kind == K.NOTE_ADDED))] == [
        people["officer"].id, people["officer"].id]
    assert told(K.DOCUMENT_ADDED, request) == {people["officer"].id}
    assert db.session.scalar(select(db.func.count(Notification.id)).where(
        Notification.kind == K.DOCUMENT_ADDED)) == 1


def test_an_officer_who_lost_access_is_no_longer_told(people):
    """Moved to another office: the request stays assigned to them, but they may not read it."""
    officer = people["officer"]
    request = make_request(officer=officer)
    officer.office = make_office(kind=OfficeKind.EMBASSY)
    db.session.commit()
    journal.add_note(request, people["colleague"], "Called the hospital")
    db.session.commit()
    assert told(K.NOTE_ADDED) == set()


def test_a_deactivated_account_is_not_told(people):
    request = make_request(officer=people["officer"])
    people["officer"].active = False
    db.session.commit()
    journal.add_note(request, people["colleague"], "Called the hospital")
    db.session.commit()
    assert told(K.NOTE_ADDED) == set()


def test_break_glass_tells_the_officers_named_on_the_case_only(people, embassy):
    named = people["liaison"]
    other_named = make_user(Role.POLICE_LIAISON_OFFICER, office=embassy)
    breaker = make_user(Role.POLICE_LIAISON_OFFICER, office=embassy)
    bystander = make_user(Role.POLICE_LIAISON_OFFICER, office=embassy)
    case, _, _ = make_liaison_case(named)
    police.set_restriction(case, named, True, [other_named.id])
    db.session.commit()
    police.break_glass(case, breaker, "Urgent call from Kripos about this person")
    db.session.commit()
    assert told(K.BREAK_GLASS, case) == {named.id, other_named.id}
    assert bystander.id not in told(K.BREAK_GLASS)


def test_a_note_on_a_liaison_case_never_reaches_another_role(people):
    case, _, _ = make_liaison_case(people["liaison"])
    case.assigned_to = people["officer"]  # as an insider writing to the table might
    db.session.commit()
    journal.add_note(case, people["liaison"], "Exchange with the FIA")
    db.session.commit()
    assert told(K.NOTE_ADDED) == set()


def test_a_new_liaison_officer_is_announced_to_the_liaison_officers(people, embassy):
    first, second = make_user(Role.ADMINISTRATOR, office=embassy), people["admin"]
    proposal = approvals.propose_new_account(
        email="ny.kollega@tracker.example", display_name="Ny Kollega",
        role=Role.POLICE_LIAISON_OFFICER, office=embassy, password=None, proposer=first)
    db.session.commit()
    assert told(K.NEW_COLLEAGUE) == set()  # proposed is not yet approved
    approvals.approve(proposal, second, proposal.version)
    db.session.commit()
    assert told(K.NEW_COLLEAGUE) == {people["liaison"].id}


def test_a_new_consular_account_is_announced_to_nobody(people, embassy):
    from tracker.auth import services

    services.create_user(email="konsul@tracker.example", display_name="Konsul Testesen",
                         role=Role.CONSULAR_OFFICER, office=embassy, password=None)
    db.session.commit()
    assert told(K.NEW_COLLEAGUE) == set()
