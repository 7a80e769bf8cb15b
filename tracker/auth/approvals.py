"""Two administrators for the account changes that open a compartment.

Granting a privileged role (a new account with one, a role change to one, or activating an
account that has one) and resetting another account's password or second factor: one
administrator proposes, a different active administrator approves, and only then does the
account change. A new password is made at approval and shown to the approver alone, so the
proposer never learns it.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.exc import StaleDataError
from flask_babel import gettext as _

from tracker.audit import service as audit
from tracker.auth.models import (
    PRIVILEGED_ROLES,
    AccountChangeKind,
    AccountChangeProposal,
    Office,
    ProposalOutcome,
    Role,
    User,
)
from tracker.auth.passwords import check_password_rules, hash_password
from tracker.auth.services import (
    AccountError,
    _check_display_name,
    _check_version,
    _other_active_administrators,
    create_user,
)
from tracker.auth.sessions import end_user_sessions
from tracker.db import utcnow
from tracker.domain import StaleRecord
from tracker.extensions import db

GRANTS = (AccountChangeKind.NEW_ACCOUNT, AccountChangeKind.ROLE_GRANT)
NEW_COLLEAGUE_DAYS = 30
# No look-alike characters (l/1, o/0): the approver reads it out or writes it down.
ONE_TIME_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


class ProposalRefused(Exception):
    """The proposal cannot be decided by this administrator (e.g. their own proposal)."""


class ProposalStale(StaleRecord):
    """The proposal was decided already, or its account changed since it was proposed."""


@dataclass(frozen=True)
class Approval:
    proposal: AccountChangeProposal
    one_time_password: str | None


def needs_approval(user: User | None, role: Role | str, active: bool) -> bool:
    """Whether saving this role and state would let someone sign in with a privileged role."""
    role = Role(role)
    if role not in PRIVILEGED_ROLES or not active:
        return False
    return user is None or user.role != role or not user.active


def _pending(target: User, kinds) -> AccountChangeProposal | None:
    return db.session.scalar(
        select(AccountChangeProposal).where(AccountChangeProposal.target_id == target.id,
                                            AccountChangeProposal.kind.in_(kinds),
                                            AccountChangeProposal.outcome.is_(None)))


def _propose(kind: AccountChangeKind, target: User, proposer: User, *,
             role: Role | None = None, office: Office | None = None) -> AccountChangeProposal:
    same = GRANTS if kind in GRANTS else (kind,)
    if _pending(target, same) is not None:
        raise AccountError(_("A change of this kind to this account is already waiting for a "
                             "second administrator; see Approvals."), None)
    db.session.flush()  # the account's version as it stands once this request's edits are in
    proposal = AccountChangeProposal(kind=kind, target=target, target_version=target.version,
                                     proposed_role=role, proposed_office=office,
                                     proposed_by=proposer)
    db.session.add(proposal)
    db.session.flush()
    details = {"kind": kind.value, "account": target.email}
    if role is not None:
        details["role"] = role.value
    if office is not None:
        details["office"] = office.code
    audit.record("account_change.proposed", object_type="user", object_id=target.id,
                 actor=proposer, details={**details, "proposal": proposal.id})
    return proposal


def propose_new_account(*, email: str, display_name: str, role: Role | str, office: Office,
                        password: str | None, proposer: User) -> AccountChangeProposal:
    """A new account with a privileged role: made inactive, without a usable password."""
    if password:
        raise AccountError(_("Leave the password empty for this role: the second administrator "
                             "who approves the account receives a one-time password to hand "
                             "over."), "password")
    user = create_user(email=email, display_name=display_name, role=role, office=office,
                       password=None, active=False, actor=proposer)
    proposal = _propose(AccountChangeKind.NEW_ACCOUNT, user, proposer, role=user.role,
                        office=office)
    db.session.flush()
    return proposal


def propose_role_grant(user: User, *, display_name: str, role: Role | str, office: Office,
                       version: int | None, proposer: User) -> AccountChangeProposal:
    """Hold a privileged role (and the office with it) for approval; a new name is saved now."""
    _check_version(user, version)
    display_name = _check_display_name(display_name)
    if _pending(user, GRANTS) is not None:
        raise AccountError(_("A role change for this account is already waiting for a second "
                             "administrator; see Approvals."), "role")
    if (user.role is Role.ADMINISTRATOR and Role(role) is not Role.ADMINISTRATOR and user.active
            and not _other_active_administrators(user)):
        raise AccountError(_("This is the last active administrator; appoint another first."),
                           "role")
    if user.display_name != display_name:
        audit.record("user.updated", object_type="user", object_id=user.id, actor=proposer,
                     details={"display_name": {"from": user.display_name, "to": display_name}})
        user.display_name = display_name
    proposal = _propose(AccountChangeKind.ROLE_GRANT, user, proposer, role=Role(role),
                        office=office)
    db.session.flush()
    return proposal


def propose_reset(kind: AccountChangeKind, user: User, *, proposer: User
                  ) -> AccountChangeProposal:
    """A password or second-factor reset of another account; nothing changes until approved."""
    if kind not in (AccountChangeKind.PASSWORD_RESET, AccountChangeKind.SECOND_FACTOR_RESET):
        raise ValueError(kind)
    if user.id == proposer.id:
        raise AccountError(_("Change your own password on your account page."), None)
    if kind is AccountChangeKind.SECOND_FACTOR_RESET and not user.has_second_factor:
        raise AccountError(_("This account has no authenticator to reset."), None)
    proposal = _propose(kind, user, proposer)
    db.session.flush()
    return proposal


def pending_proposals() -> list[AccountChangeProposal]:
    return list(db.session.scalars(
        select(AccountChangeProposal).where(AccountChangeProposal.outcome.is_(None))
        .order_by(AccountChangeProposal.created_at, AccountChangeProposal.id)))


def count_pending() -> int:
    return len(db.session.scalars(select(AccountChangeProposal.id)
                                  .where(AccountChangeProposal.outcome.is_(None))).all())


def make_one_time_password() -> str:
    """Four groups of five letters and digits: about 100 bits, easy to read out."""
    while True:
        password = "-".join("".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(5))
                            for _ in range(4))
        try:
            check_password_rules(password)
        except ValueError:
            continue
        return password


def _decide(proposal: AccountChangeProposal, actor: User, version: int | None,
            outcome: ProposalOutcome) -> None:
    if not proposal.pending:
        raise ProposalStale({ProposalOutcome.APPROVED: _("This proposal was approved already."),
                             ProposalOutcome.REFUSED: _("This proposal was refused already."),
                             ProposalOutcome.WITHDRAWN: _("This proposal was withdrawn already.")
                             }[ProposalOutcome(proposal.outcome)])
    if version is None or version != proposal.version:
        raise ProposalStale(_("This proposal changed after you opened the page."))
    if actor.role is not Role.ADMINISTRATOR or not actor.active:
        raise ProposalRefused(_("Only an active administrator decides account changes."))
    if outcome is ProposalOutcome.WITHDRAWN and actor.id != proposal.proposed_by_id:
        raise ProposalRefused(_("Only the administrator who proposed it can withdraw it; "
                                "refuse it instead."))
    if outcome is not ProposalOutcome.WITHDRAWN and actor.id == proposal.proposed_by_id:
        raise ProposalRefused(
            _("You proposed this change: another administrator must approve it (or withdraw it "
              "yourself).") if outcome is ProposalOutcome.APPROVED else
            _("You proposed this change: another administrator must refuse it (or withdraw it "
              "yourself)."))
    proposal.outcome = outcome
    proposal.decided_by = actor
    proposal.decided_at = utcnow()
    try:
        # The UPDATE names the version read: of two administrators deciding at once, one wins.
        db.session.flush()
    except StaleDataError:
        raise ProposalStale(_("Another administrator decided this proposal at the same time."))


def approve(proposal: AccountChangeProposal, approver: User, version: int | None) -> Approval:
    """Apply the proposed change once; a new password is returned for the approver only."""
    target = proposal.target
    if target.version != proposal.target_version:
        raise ProposalStale(_("The account of %(name)s was changed after this was proposed, so "
                              "it may no longer be what was meant. Refuse this proposal, and "
                              "propose the change again if it is still needed.",
                              name=target.display_name))
    _decide(proposal, approver, version, ProposalOutcome.APPROVED)
    kind = proposal.kind
    one_time_password = None
    if kind in GRANTS:
        if (target.role is Role.ADMINISTRATOR and proposal.proposed_role is not Role.ADMINISTRATOR
                and target.active and not _other_active_administrators(target)):
            raise ProposalRefused(_("This is the last active administrator; appoint another "
                                    "first."))
        changes = {}
        for name, new in (("role", proposal.proposed_role), ("office", proposal.proposed_office),
                          ("active", True)):
            old = getattr(target, name)
            if new is not None and old != new:
                changes[name] = {"from": getattr(old, "code", str(old)),
                                 "to": getattr(new, "code", str(new))}
                setattr(target, name, new)
        one_time_password = make_one_time_password()
        target.password_hash = hash_password(one_time_password)
        target.password_changed_at = utcnow()
        end_user_sessions(target, "role granted")
        action = "user.activated" if kind is AccountChangeKind.NEW_ACCOUNT else "user.role_changed"
        audit.record(action, object_type="user", object_id=target.id, actor=approver,
                     details={**changes, "proposal": proposal.id})
        if "role" in changes or "active" in changes:
            from tracker.notifications.service import new_colleague  # accounts sit below cases

            db.session.flush()
            new_colleague(target, approver)
    elif kind is AccountChangeKind.PASSWORD_RESET:
        one_time_password = make_one_time_password()
        target.password_hash = hash_password(one_time_password)
        target.password_changed_at = utcnow()
        end_user_sessions(target, "password reset")
        audit.record("password.changed", object_type="user", object_id=target.id,
                     actor=approver, details={"proposal": proposal.id})
    elif kind is AccountChangeKind.SECOND_FACTOR_RESET:
        target.totp_secret = None
        target.totp_last_counter = None
        end_user_sessions(target, "second factor reset")
        audit.record("second_factor.reset", object_type="user", object_id=target.id,
                     actor=approver, details={"proposal": proposal.id})
    audit.record("account_change.approved", object_type="user", object_id=target.id,
                 actor=approver, details=_summary(proposal))
    try:
        db.session.flush()
    except StaleDataError:
        raise ProposalStale(_("The account of %(name)s was changed at the same time; nothing "
                              "was applied.", name=target.display_name))
    db.session.flush()
    return Approval(proposal, one_time_password)


def refuse(proposal: AccountChangeProposal, actor: User, version: int | None) -> None:
    """Close a proposal without changing the account (another administrator's decision)."""
    _decide(proposal, actor, version, ProposalOutcome.REFUSED)
    audit.record("account_change.refused", object_type="user", object_id=proposal.target_id,
                 actor=actor, details=_summary(proposal))
    db.session.flush()


def withdraw(proposal: AccountChangeProposal, actor: User, version: int | None) -> None:
    """The proposer takes a proposal back."""
    _decide(proposal, actor, version, ProposalOutcome.WITHDRAWN)
    audit.record("account_change.withdrawn", object_type="user",
                 object_id=proposal.target_id, actor=actor, details=_summary(proposal))
    db.session.flush()


def _summary(proposal: AccountChangeProposal) -> dict:
    details = {"proposal": proposal.id, "kind": proposal.kind.value,
               "account": proposal.target.email, "proposed_by": proposal.proposed_by.email}
    if proposal.proposed_role is not None:
        details["role"] = proposal.proposed_role.value
    return details


def new_police_colleagues(days: int = NEW_COLLEAGUE_DAYS) -> list:
    """Police accounts created or granted (approved) lately: who, when, approved by whom."""
    approver = aliased(User)
    return list(db.session.execute(
        select(User.display_name, User.email, AccountChangeProposal.kind,
               AccountChangeProposal.decided_at, approver.display_name.label("approved_by"))
        .join(User, User.id == AccountChangeProposal.target_id)
        .join(approver, approver.id == AccountChangeProposal.decided_by_id)
        .where(AccountChangeProposal.kind.in_(GRANTS),
               AccountChangeProposal.proposed_role == Role.POLICE_LIAISON_OFFICER,
               AccountChangeProposal.outcome == ProposalOutcome.APPROVED,
               AccountChangeProposal.decided_at >= utcnow() - timedelta(days=days))
        .order_by(AccountChangeProposal.decided_at.desc())))
