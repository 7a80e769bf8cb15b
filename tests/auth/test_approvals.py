"""Two administrators: a privileged role, or a reset of another's credentials, is proposed by
one and approved by another."""
from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD, login, make_user, reload
from tracker.audit.models import AuditEvent
from tracker.auth import approvals
from tracker.auth.approvals import ProposalStale
from tracker.auth.models import (
    AccountChangeKind,
    AccountChangeProposal,
    ProposalOutcome,
    Role,
    User,
)
from tracker.extensions import db

ONE_TIME = re.compile(r'aria-label="One-time password">([a-z2-9-]{23})<')


def _proposals(target) -> list[AccountChangeProposal]:
    db.session.expire_all()
    return list(db.session.scalars(select(AccountChangeProposal)
                                   .where(AccountChangeProposal.target_id == target.id)))


def _only_proposal(target) -> AccountChangeProposal:
    [proposal] = _proposals(target)
    return proposal


def _decide(admin, proposal, decision="approve", version=None):
    return admin.post(f"/admin/approvals/{proposal.id}/{decision}",
                      {"version": str(proposal.version if version is None else version)})


def _actions(target) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "user",
                                        AuditEvent.object_id == str(target.id),
                                        AuditEvent.action.not_like("login.%"))
        .order_by(AuditEvent.id)))


def _edit(admin, target, **changes):
    return admin.post(f"/admin/users/{target.id}", {
        "display_name": target.display_name, "role": target.role.value,
        "office": str(target.office_id), "active": "y" if target.active else "",
        "version": str(target.version), **changes})


def _can_sign_in(app, email, password) -> bool:
    return login(app.test_client(), email, password).status_code == 302


@pytest.fixture
def admins(login_as):
    return login_as(Role.ADMINISTRATOR), login_as(Role.ADMINISTRATOR)


def test_a_new_police_account_waits_for_a_second_administrator(app, admins, login_as):
    proposer, approver = admins
    liaison = login_as(Role.POLICE_LIAISON_OFFICER)
    response = proposer.post("/admin/users/new", {
        "email": "new.liaison@tracker.example", "display_name": "Nina Liaison",
        "role": "police_liaison_officer", "office": str(proposer.user.office_id),
        "active": "y"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.liaison@tracker.example"))
    assert user.role is Role.POLICE_LIAISON_OFFICER and user.active is False
    assert not _can_sign_in(app, user.email, DEFAULT_PASSWORD)
    assert "Nina Liaison" not in liaison.get("/").get_data(as_text=True)

    page = approver.get("/admin/approvals").get_data(as_text=True)
    assert "Nina Liaison" in page and "Approve: new account for Nina Liaison" in page
    answer = _decide(approver, _only_proposal(user))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    password = ONE_TIME.search(answer.get_data(as_text=True)).group(1)
    assert reload(user).active is True
    assert _can_sign_in(app, user.email, password)

    home = liaison.get("/").get_data(as_text=True)
    assert "New in the police compartment" in home
    assert "Nina Liaison" in home and f"approved by {approver.user.display_name}" in home
    assert _actions(user) == ["user.created", "account_change.proposed", "user.activated",
                              "account_change.approved"]
    details = " ".join(e or "" for e in db.session.scalars(select(AuditEvent.details)))
    assert password not in details


def test_a_password_typed_for_a_privileged_new_account_is_refused(admins):
    proposer, _ = admins
    response = proposer.post("/admin/users/new", {
        "email": "new.manager@tracker.example", "display_name": "Mona Manager",
        "role": "manager", "office": str(proposer.user.office_id), "active": "y",
        "password": "a password the proposer would know"})
    assert response.status_code == 422
    assert "Leave the password empty" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "new.manager@tracker.example")
                             ) is None


@pytest.mark.parametrize("role", [Role.POLICE_LIAISON_OFFICER, Role.MANAGER,
                                  Role.ADMINISTRATOR], ids=str)
def test_one_administrator_alone_cannot_grant_a_privileged_role(app, admins, role):
    proposer, approver = admins
    target = make_user()
    assert _edit(proposer, target, role=role.value,
                 display_name="Renamed Officer").status_code == 302
    target = reload(target)
    assert target.role is Role.CONSULAR_OFFICER and target.display_name == "Renamed Officer"
    proposal = _only_proposal(target)
    assert proposal.pending and proposal.proposed_role is role

    own = _decide(proposer, proposal)
    assert own.status_code == 403 and "another administrator must approve" in own.get_data(
        as_text=True)
    assert reload(target).role is Role.CONSULAR_OFFICER

    answer = _decide(approver, _only_proposal(target))
    assert answer.status_code == 200
    assert reload(target).role is role
    # The officer signs in with the password only the approver has seen, no longer their own.
    assert not _can_sign_in(app, target.email, DEFAULT_PASSWORD)
    assert _can_sign_in(app, target.email,
                        ONE_TIME.search(answer.get_data(as_text=True)).group(1))
    assert _actions(target)[-3:] == ["account_change.proposed", "user.role_changed",
                                     "account_change.approved"]


def test_activating_an_inactive_police_account_waits_for_approval(admins):
    proposer, _ = admins
    target = make_user(Role.POLICE_LIAISON_OFFICER, active=False)
    assert _edit(proposer, target, active="y").status_code == 302
    assert reload(target).active is False
    assert _only_proposal(target).kind is AccountChangeKind.ROLE_GRANT


def test_demotion_and_other_roles_stay_one_step(admins):
    proposer, _ = admins
    manager = make_user(Role.MANAGER)
    assert _edit(proposer, manager, role="consular_officer").status_code == 302
    assert reload(manager).role is Role.CONSULAR_OFFICER and _proposals(manager) == []


def test_a_password_reset_waits_and_the_approver_alone_sees_the_new_one(app, admins):
    proposer, approver = admins
    target = make_user()
    assert proposer.post(f"/admin/users/{target.id}/password").status_code == 302
    assert _can_sign_in(app, target.email, DEFAULT_PASSWORD)  # nothing changed yet
    answer = _decide(approver, _only_proposal(target))
    password = ONE_TIME.search(answer.get_data(as_text=True)).group(1)
    assert not _can_sign_in(app, target.email, DEFAULT_PASSWORD)
    assert _can_sign_in(app, target.email, password)
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("account_change.%"))).all()
    assert {e.action for e in events} == {"account_change.proposed", "account_change.approved"}
    assert all(password not in (e.details or "") for e in events)


def test_a_second_factor_reset_waits_for_approval(admins):
    proposer, approver = admins
    target = make_user(totp_secret=pyotp.random_base32())
    assert proposer.post(f"/admin/users/{target.id}/reset-second-factor").status_code == 302
    assert reload(target).totp_secret is not None
    answer = _decide(approver, _only_proposal(target))
    assert answer.status_code == 302 and reload(target).totp_secret is None


def test_refusal_leaves_the_account_as_it_was(app, admins):
    proposer, approver = admins
    target = make_user()
    proposer.post(f"/admin/users/{target.id}/password")
    _edit(proposer, reload(target), role="manager")
    for proposal in _proposals(target):
        assert _decide(approver, proposal, "refuse").status_code == 302
    assert reload(target).role is Role.CONSULAR_OFFICER
    assert _can_sign_in(app, target.email, DEFAULT_PASSWORD)
    assert {p.outcome for p in _proposals(target)} == {ProposalOutcome.REFUSED}
    assert _actions(target).count("account_change.refused") == 2
    late = _decide(approver, _proposals(target)[0])
    assert late.status_code == 409 and "refused already" in late.get_data(as_text=True)


def test_a_proposal_is_stale_once_the_account_changed(admins):
    proposer, approver = admins
    target = make_user()
    _edit(proposer, target, role="police_liaison_officer")
    _edit(proposer, reload(target), display_name="Someone Else Now")
    answer = _decide(approver, _only_proposal(target))
    assert answer.status_code == 409
    assert "was changed after this was proposed" in answer.get_data(as_text=True)
    assert reload(target).role is Role.CONSULAR_OFFICER
    assert _only_proposal(target).pending


def test_two_approvers_at_once_apply_the_change_once(app, admins, login_as):
    proposer, approver = admins
    third = login_as(Role.ADMINISTRATOR)
    target = make_user()
    proposer.post(f"/admin/users/{target.id}/password")
    proposal = _only_proposal(target)
    opened_at = proposal.version
    assert _decide(approver, proposal, version=opened_at).status_code == 200
    late = _decide(third, proposal, version=opened_at)
    assert late.status_code == 409
    assert _actions(target).count("password.changed") == 1
    assert _only_proposal(target).decided_by_id == approver.user.id


def test_the_database_lets_only_one_of_two_racing_approvals_through(app, admins, login_as):
    """The loser read the proposal as pending before the winner's commit: its UPDATE misses."""
    proposer, approver = admins
    third = login_as(Role.ADMINISTRATOR)
    target = make_user()
    proposer.post(f"/admin/users/{target.id}/password")
    proposal = _only_proposal(target)
    loser_view, version = proposal, proposal.version
    proposal.target, proposal.proposed_by  # noqa: B018  (loaded now, as the loser saw them)
    db.session().expire_on_commit = False  # the loser keeps what it read
    db.session.commit()
    assert _decide(approver, proposal, version=version).status_code == 200
    assert loser_view.pending  # this session still believes so
    with pytest.raises(ProposalStale):
        approvals.approve(loser_view, db.session.get(User, third.user.id), version)
    db.session.rollback()  # what the unit of work does with a stale version
    assert _actions(target).count("password.changed") == 1


def test_only_the_proposer_withdraws(admins):
    proposer, approver = admins
    target = make_user()
    proposer.post(f"/admin/users/{target.id}/password")
    proposal = _only_proposal(target)
    assert _decide(approver, proposal, "withdraw").status_code == 403
    assert _decide(proposer, proposal, "refuse").status_code == 403
    assert _decide(proposer, proposal, "withdraw").status_code == 302
    assert _only_proposal(target).outcome is ProposalOutcome.WITHDRAWN
    assert "account_change.withdrawn" in _actions(target)


def test_the_same_change_cannot_be_proposed_twice(admins):
    proposer, approver = admins
    target = make_user()
    proposer.post(f"/admin/users/{target.id}/password")
    again = approver.post(f"/admin/users/{target.id}/password", follow_redirects=True)
    assert "already waiting for a second administrator" in again.get_data(as_text=True)
    assert len(_proposals(target)) == 1


def test_an_administrator_changes_their_own_password_on_their_account_page(admins):
    proposer, _ = admins
    answer = proposer.post(f"/admin/users/{proposer.user.id}/password", follow_redirects=True)
    assert "on your account page" in answer.get_data(as_text=True)
    assert _proposals(proposer.user) == []
