"""Password rules (length and guessability, no composition rules) and argon2id hashing."""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash

MIN_LENGTH = 15
MAX_LENGTH = 128


class PasswordRejected(ValueError):
    """The password breaks a rule; the message says which, in words for the user."""


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased."""
    text = resources.files("tracker.auth").joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _is_common(candidate: str) -> bool:
    lowered = candidate.lower()
    words = common_passwords()
    if lowered in words:
        return True
    # A common password padded with digits or punctuation, or repeated, is just as guessable.
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)
    if len(core) >= 4 and core in words:
        return True
    for size in range(1, len(lowered) // 2 + 1):
        unit = lowered[:size]
        if len(lowered) % size == 0 and unit * (len(lowered) // size) == lowered:
            return size < 4 or unit in words or len(set(unit)) == 1
    return False


def check_password_rules(password: str, *, email: str | None = None) -> None:
    """Raise PasswordRejected if the password is too short, too long or easy to guess."""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(_("Use at least %(length)s characters; a few words work well.",
                                 length=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(_("Use at most %(length)s characters.", length=MAX_LENGTH))
    if "\x00" in password:
        raise PasswordRejected(_("The password contains a character that cannot be used."))
    if _is_common(password):
        raise PasswordRejected(
            _("This password is too common; choose one that is harder to guess."))
    if email:
        local_part = email.split("@", 1)[0].lower()
        if password.lower() in (email.lower(), local_part):
            raise PasswordRejected(_("The password must not be your e-mail address."))


def _hasher() -> PasswordHasher:
    params = current_app.config["ARGON2"]
    return PasswordHasher(type=Type.ID, **params)


def hash_password(password: str) -> str:
    """An argon2id hash with the configured cost."""
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> tuple[bool, bool]:
    """Check a password against a stored hash: (matches, should be re-hashed).

    Hashes from before argon2id (Werkzeug's pbkdf2 or scrypt) are still accepted once, and
    marked for re-hashing, as are argon2 hashes made with weaker parameters than today's.
    """
    hasher = _hasher()
    if stored_hash.startswith("$argon2"):
        try:
            hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False, False
        return True, hasher.check_needs_rehash(stored_hash)
    if stored_hash.startswith(("pbkdf2:", "scrypt:")):
        ok = check_password_hash(stored_hash, password)
        if not ok:
            # An old hash checks faster than argon2; without this, timing tells it exists.
            spend_hashing_time(password)
        return ok, True
    return False, False


def spend_hashing_time(password: str) -> None:
    """Do the work of one verification, so an unknown account answers as slowly as a known one."""
    verify_password(_dummy_hash(), password)


@lru_cache(maxsize=4)
def _dummy_hash_for(params: tuple) -> str:
    return PasswordHasher(type=Type.ID, **dict(params)).hash("not a real password at all")


def _dummy_hash() -> str:
    return _dummy_hash_for(tuple(sorted(current_app.config["ARGON2"].items())))
