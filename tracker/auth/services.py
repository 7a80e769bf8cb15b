"""The rules for accounts and offices: each public function is one transaction."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import pyotp
from flask_babel import gettext as _
from flask import current_app, has_request_context, request
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from tracker.audit import service as audit
from tracker.auth.models import FailedLogin, Office, OfficeKind, Role, User
from tracker.i18n import LANGUAGES
from tracker.auth.passwords import (
    check_password_rules,
    hash_password,
    spend_hashing_time,
    verify_password,
)
from tracker.auth.sessions import end_current_session, end_user_sessions
from tracker.db import utcnow
from tracker.extensions import db
from tracker.domain import FieldError, StaleRecord
from tracker.unit_of_work import unit_of_work

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")
LOCK_WINDOW = timedelta(minutes=1)


class AccountError(FieldError):
    """A rule about accounts or offices was broken."""


class StaleEdit(StaleRecord):
    """An account or office was saved by someone else after this form was opened."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    """The address in canonical form, or AccountError if it cannot be an e-mail address."""
    email = normalise_email(email)
    if len(email) > 254 or not EMAIL_PATTERN.match(email):
        raise AccountError(_("Enter an e-mail address like name@example.org."), "email")
    return email


def check_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise AccountError(_("Choose a time zone from the list, e.g. Asia/Karachi."), "time_zone")
    if name not in available_timezones():
        raise AccountError(_("Choose a time zone from the list, e.g. Asia/Karachi."), "time_zone")
    return name


def _check_version(record, version: int | None) -> None:
    """The form must say which version it was opened on; a missing one counts as stale."""
    if version is None or record.version != version:
        raise StaleEdit()


# --- signing in -----------------------------------------------------------------------------


class LoginOutcome(Enum):
    OK = "ok"
    NEEDS_SECOND_FACTOR = "needs second factor"
    BAD_CREDENTIALS = "bad credentials"
    LOCKED = "locked"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None


def _address() -> str | None:
    return request.remote_addr if has_request_context() else None


def recent_failures(email: str) -> int:
    since = utcnow() - LOCK_WINDOW
    return db.session.scalar(
        select(func.count()).select_from(FailedLogin)
        .where(FailedLogin.email == email, FailedLogin.at > since)
    )


def is_locked(email: str) -> bool:
    return recent_failures(email) >= current_app.config["LOGIN_FAILURES_PER_MINUTE"]


def _try(email: str) -> FailedLogin | None:
    """Count this try before the password is checked, so parallel tries cannot slip past.

    The row is written and committed first, in a unit of work of its own (so that other
    workers count it at once), and is removed again only if the try succeeds; None means the
    account is locked (this try included).
    """
    limit = current_app.config["LOGIN_FAILURES_PER_MINUTE"]
    if recent_failures(email) >= limit:
        return None
    attempt = FailedLogin(email=email, address=_address())
    with unit_of_work():
        db.session.add(attempt)
    if recent_failures(email) > limit:
        return None
    return attempt


def _failed(email: str, user: User | None, action: str) -> None:
    """The try stays counted; record it, and the lock if this try completed it.

    A unit of work of its own: the record stands whatever the caller does next (a wrong
    current password is also a refused password change, which saves nothing else).
    """
    with unit_of_work():
        db.session.execute(delete(FailedLogin)
                           .where(FailedLogin.at < utcnow() - timedelta(days=1)))
        audit.record(action, object_type="user", object_id=user.id if user else None,
                     actor=user, details={"email": email})
        if is_locked(email):
            audit.record("login.locked", object_type="user",
                         object_id=user.id if user else None, actor=user,
                         details={"email": email})


def _succeeded(attempt: FailedLogin) -> None:
    db.session.execute(delete(FailedLogin).where(FailedLogin.id == attempt.id))


def check_credentials(email: str, password: str) -> LoginResult:
    """First step of signing in. Unknown account and wrong password look the same."""
    email = normalise_email(email)[:254]
    attempt = _try(email)
    if attempt is None:
        return LoginResult(LoginOutcome.LOCKED)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.active:
        spend_hashing_time(password)
        _failed(email, user, "login.failed")
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)
    ok, needs_rehash = verify_password(user.password_hash, password)
    if not ok:
        _failed(email, user, "login.failed")
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)
    _succeeded(attempt)
    if needs_rehash:
        # A plain UPDATE: bookkeeping must not bump the version an administrator's form holds.
        db.session.execute(update(User).where(User.id == user.id)
                           .values(password_hash=hash_password(password)))
        audit.record("password.rehashed", object_type="user", object_id=user.id, actor=user)
    db.session.flush()
    if user.has_second_factor:
        return LoginResult(LoginOutcome.NEEDS_SECOND_FACTOR, user)
    return LoginResult(LoginOutcome.OK, user)


def sign_out(user: User) -> None:
    """End this browser's session on the server, and record it."""
    audit.record("logout", object_type="user", object_id=user.id, actor=user)
    end_current_session("signed out")
    db.session.flush()


def record_login(user: User) -> None:
    """Mark a completed sign-in (after any second factor); the session is already started."""
    db.session.execute(update(User).where(User.id == user.id).values(last_login_at=utcnow()))
    audit.record("login.succeeded", object_type="user", object_id=user.id, actor=user)
    db.session.flush()


def check_second_factor(user: User, code: str) -> bool:
    """Accept a current TOTP code once; a failure counts towards the account's lock."""
    attempt = _try(user.email)
    if attempt is None:
        return False
    counter = _totp_counter(user.totp_secret, re.sub(r"\s", "", code or ""))
    accepted = counter is not None and db.session.execute(
        # Conditional on the last counter, so the same code sent twice at once wins only once.
        update(User).where(User.id == user.id,
                           or_(User.totp_last_counter.is_(None),
                               User.totp_last_counter < counter))
        .values(totp_last_counter=counter)).rowcount == 1
    if not accepted:
        _failed(user.email, user, "second_factor.failed")
        return False
    _succeeded(attempt)
    db.session.flush()
    return True


def check_current_password(user: User, password: str) -> bool:
    """A re-check of the signed-in user's password; failures count towards the lock."""
    attempt = _try(user.email)
    if attempt is None:
        return False
    ok, _ = verify_password(user.password_hash, password)
    if not ok:
        _failed(user.email, user, "password.check_failed")
        return False
    _succeeded(attempt)
    db.session.flush()
    return True


def _totp_counter(secret: str | None, code: str) -> int | None:
    """The time step a code belongs to (now, or one step either side for clock drift)."""
    if not secret or not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(utcnow())
    for step in (now_step, now_step - 1, now_step + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def confirm_second_factor(user: User, secret: str, code: str) -> bool:
    """Finish enrolment: the first code from the new secret proves the app has it."""
    counter = _totp_counter(secret, re.sub(r"\s", "", code or ""))
    if counter is None:
        return False
    user.totp_secret = secret
    user.totp_last_counter = counter
    audit.record("second_factor.enrolled", object_type="user", object_id=user.id, actor=user)
    db.session.flush()
    return True


def reset_second_factor(user: User) -> None:
    """An administrator removes a lost authenticator; the user enrols again at next sign-in."""
    user.totp_secret = None
    user.totp_last_counter = None
    end_user_sessions(user, "second factor reset")
    audit.record("second_factor.reset", object_type="user", object_id=user.id)
    db.session.flush()


# --- accounts -------------------------------------------------------------------------------


def create_user(*, email: str, display_name: str, role: Role | str, office: Office,
                password: str | None, active: bool = True, actor=None) -> User:
    """Create an account; the password must pass the rules (None: nobody can sign in yet)."""
    email = check_email(email)
    display_name = _check_display_name(display_name)
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(_("Choose one of the roles."), "role")
    if password is not None:
        try:
            check_password_rules(password, email=email)
        except ValueError as exc:
            raise AccountError(str(exc), "password")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(_("An account with this e-mail address exists already."), "email")
    user = User(email=email, display_name=display_name, role=role, office=office,
                active=active,
                password_hash=hash_password(password or secrets.token_urlsafe(32)))
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        raise AccountError(_("An account with this e-mail address exists already."), "email")
    audit.record("user.created", object_type="user", object_id=user.id, actor=actor,
                 details={"email": email, "role": role.value, "office": office.code,
                          "active": active})
    from tracker.notifications.service import new_colleague  # accounts sit below cases

    new_colleague(user, actor)
    return user


def _check_display_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise AccountError(_("Enter the name colleagues know this person by."), "display_name")
    if len(name) > 120:
        raise AccountError(_("Use at most 120 characters."), "display_name")
    return name


def update_user(user: User, *, display_name: str, role: Role | str, office: Office,
                active: bool, version: int | None, actor=None) -> User:
    """Edit an account. A role change or deactivation ends the account's sessions."""
    _check_version(user, version)
    role = Role(role)
    display_name = _check_display_name(display_name)
    if (user.role == Role.ADMINISTRATOR and user.active
            and (role != Role.ADMINISTRATOR or not active)
            and not _other_active_administrators(user)):
        raise AccountError(_("This is the last active administrator; appoint another first."),
                           "role" if role != Role.ADMINISTRATOR else "active")
    changes = {}
    for name, new in (("display_name", display_name), ("role", role),
                      ("office", office), ("active", active)):
        old = getattr(user, name)
        if old != new:
            changes[name] = {"from": getattr(old, "code", str(old)),
                             "to": getattr(new, "code", str(new))}
            setattr(user, name, new)
    if not changes:
        return user
    if "active" in changes:
        action = "user.reactivated" if active else "user.deactivated"
    elif "role" in changes:
        action = "user.role_changed"
    else:
        action = "user.updated"
    if "role" in changes or not active:
        end_user_sessions(user, "deactivated" if not active else "role changed")
    audit.record(action, object_type="user", object_id=user.id, actor=actor, details=changes)
    db.session.flush()
    return user


def _other_active_administrators(user: User) -> int:
    """Counted under row locks (all of them, in id order, before any change is written), so
    two administrators demoting each other at once cannot both succeed, nor deadlock."""
    ids = db.session.scalars(
        select(User.id).where(User.role == Role.ADMINISTRATOR, User.active.is_(True))
        .order_by(User.id).with_for_update()).all()
    return len([i for i in ids if i != user.id])


def set_password(user: User, password: str, *, actor=None, keep_current_session=False) -> None:
    """Set a new password and end the account's sessions (all but this one, for a self-change)."""
    try:
        check_password_rules(password, email=user.email)
    except ValueError as exc:
        raise AccountError(str(exc), "new_password")
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    end_user_sessions(user, "password changed", keep_current=keep_current_session)
    audit.record("password.changed", object_type="user", object_id=user.id, actor=actor)
    db.session.flush()


def change_own_password(user: User, current: str, new: str) -> None:
    if not check_current_password(user, current):
        raise AccountError(_("This is not your current password (or there were too many "
                             "wrong tries: wait a minute)."), "current_password")
    set_password(user, new, actor=user, keep_current_session=True)


def choose_language(user: User, language: str | None) -> None:
    """The officer's own choice of interface language; None follows the browser."""
    if language not in (None, *LANGUAGES):
        raise AccountError(_("Choose a language from the list."), "language")
    if user.language == language:
        return
    audit.record("user.language_changed", object_type="user", object_id=user.id, actor=user,
                 details={"from": user.language, "to": language})
    user.language = language
    db.session.flush()


def end_sessions(user: User, *, actor=None) -> int:
    """An administrator signs an account out everywhere."""
    count = end_user_sessions(user, "ended by administrator")
    audit.record("user.sessions_ended", object_type="user", object_id=user.id, actor=actor,
                 details={"sessions": count})
    db.session.flush()
    return count


# --- offices --------------------------------------------------------------------------------


def _office_fields(code: str, name: str, kind, time_zone: str):
    code = (code or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise AccountError(_("Use three letters, e.g. ISB."), "code")
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise AccountError(_("Enter the office's name (at most 120 characters)."), "name")
    try:
        kind = OfficeKind(kind)
    except ValueError:
        raise AccountError(_("Choose embassy or honorary consulate."), "kind")
    return code, name, kind, check_time_zone(time_zone)


def _check_office_unique(code: str, name: str, office_id: int | None) -> None:
    clash = db.session.scalars(
        select(Office).where((Office.code == code) | (Office.name == name))
    ).all()
    for other in clash:
        if other.id != office_id:
            field = "code" if other.code == code else "name"
            raise AccountError(_("Another office already uses this code.") if field == "code"
                               else _("Another office already uses this name."), field)


def _office_address(address: str | None) -> str | None:
    """The postal address as letters print it: lines kept, blank ones and spaces trimmed;
    None for none."""
    lines = [" ".join(line.split()) for line in (address or "").splitlines()]
    address = "\n".join(line for line in lines if line)
    if len(address) > 500:
        raise AccountError(_("Keep the address to 500 characters."), "address")
    return address or None


def create_office(*, code: str, name: str, kind, time_zone: str, address: str | None = None,
                  actor=None) -> Office:
    code, name, kind, time_zone = _office_fields(code, name, kind, time_zone)
    _check_office_unique(code, name, None)
    office = Office(code=code, name=name, kind=kind, time_zone=time_zone,
                    address=_office_address(address))
    db.session.add(office)
    db.session.flush()
    audit.record("office.created", object_type="office", object_id=office.id, actor=actor,
                 details={"code": code, "name": name, "kind": kind.value,
                          "time_zone": time_zone})
    db.session.flush()
    return office


def update_office(office: Office, *, code: str, name: str, kind, time_zone: str,
                  active: bool, version: int | None, address: str | None = None,
                  actor=None) -> Office:
    _check_version(office, version)
    code, name, kind, time_zone = _office_fields(code, name, kind, time_zone)
    _check_office_unique(code, name, office.id)
    changes = {}
    for field, new in (("code", code), ("name", name), ("kind", kind),
                       ("time_zone", time_zone), ("active", active),
                       ("address", office.address if address is None
                        else _office_address(address))):
        old = getattr(office, field)
        if old != new:
            changes[field] = {"from": str(old), "to": str(new)}
            setattr(office, field, new)
    if changes:
        audit.record("office.updated", object_type="office", object_id=office.id,
                     actor=actor, details=changes)
        db.session.flush()
    return office
