"""Password rules: 15 to 128 characters, not common, no composition rules; argon2id."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type
from werkzeug.security import generate_password_hash

from tests.conftest import login, make_user, reload
from tracker.auth.passwords import (
    PasswordRejected,
    check_password_rules,
    common_passwords,
    hash_password,
    verify_password,
)


@pytest.mark.parametrize("password", [
    "correct horse battery staple",
    "lanterns over the margalla hills",
    "ÆØÅ æøå og litt til",          # Norwegian letters
    "میرا پاس ورڈ بہت لمبا ہے",       # Urdu script
    "all lower case and no digits",   # no composition rules
    "q" + "uiet harbour " * 9,         # 118 characters
])
def test_accepted(password):
    check_password_rules(password)


@pytest.mark.parametrize("password, message", [
    ("short one", "at least 15"),
    ("x" * 129, "at most 128"),
    ("passwordpassword", "too common"),
    ("1qaz2wsx3edc4rfv", "too common"),
    ("iloveyou1234567890", "too common"),    # a listed password padded with digits
    ("monkeymonkeymonkey", "too common"),    # a listed password repeated
    ("aaaaaaaaaaaaaaaa", "too common"),      # one character repeated
    ("abcabcabcabcabcabc", "too common"),    # a short pattern repeated
    ("with a nul \x00 character", "cannot be used"),
])
def test_refused(password, message):
    with pytest.raises(PasswordRejected, match=message):
        check_password_rules(password)


def test_password_may_not_be_the_e_mail_address():
    with pytest.raises(PasswordRejected, match="e-mail"):
        check_password_rules("kari.nordmann.islamabad", email="kari.nordmann.islamabad@x.example")


def test_common_list_ships_with_the_project():
    words = common_passwords()
    assert len(words) >= 10_000 - 10 and "password" in words


def test_hash_is_argon2id(app):
    stored = hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse battery staple") == (True, False)
    assert verify_password(stored, "wrong horse battery staple") == (False, False)


def test_weaker_hashes_are_upgraded_at_next_sign_in(client):
    legacy = make_user(password_hash=generate_password_hash(
        "an old werkzeug password", method="pbkdf2:sha256"))
    weak = PasswordHasher(type=Type.I, time_cost=1, memory_cost=1024, parallelism=1)
    weak_argon = make_user(password_hash=weak.hash("an old argon2i password"))
    assert login(client, legacy.email, "an old werkzeug password").status_code == 302
    assert reload(legacy).password_hash.startswith("$argon2id$")
    assert login(client.application.test_client(), weak_argon.email,
                 "an old argon2i password").status_code == 302
    assert reload(weak_argon).password_hash.startswith("$argon2id$")


def test_unknown_hash_format_never_matches(app):
    assert verify_password("md5$abc", "anything at all here") == (False, False)
