"""Norwegian bokmål and English: the catalogue is complete and current, and each reader gets
their language (the account's choice, else the browser's)."""
from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import audit_rows, reload
from tracker.auth.models import Role
from tracker.config import ROOT

CATALOGUE = ROOT / "tracker" / "translations" / "nb" / "LC_MESSAGES" / "messages.po"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """Every string marked for translation in the code and templates, as `make translations`
    extracts them."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "extract", "-F", "babel.cfg", "-k", "_l", "-k",
                    "lazy_gettext", "--no-location", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


@pytest.fixture(scope="module")
def catalogue():
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="nb")


def test_every_marked_string_has_a_norwegian_translation(extracted, catalogue):
    missing = sorted(s for s in extracted
                     if s not in catalogue or not _translated(catalogue[s]))
    assert not missing, (
        f"{len(missing)} strings have no bokmål translation; run `make translations` and "
        f"translate them in {CATALOGUE.relative_to(ROOT)}: {missing[:20]}")


def test_the_catalogue_holds_no_stale_or_doubtful_strings(extracted, catalogue):
    stale = sorted(m.id if isinstance(m.id, str) else m.id[0]
                   for m in catalogue if m.id and _key(m) not in extracted)
    fuzzy = sorted(_key(m) for m in catalogue if m.id and m.fuzzy)
    assert not stale, f"strings no longer in the code (run `make translations`): {stale[:20]}"
    assert not catalogue.obsolete, "obsolete entries left: run `make translations`"
    assert not fuzzy, f"translations marked fuzzy, to be checked and unmarked: {fuzzy[:20]}"


def test_placeholders_are_kept_in_every_translation(catalogue):
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalogue.check() if errors]
    assert not problems, problems


def _key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(strings)


# --- who gets which language -------------------------------------------------------------


@pytest.mark.parametrize("header, expected", [
    ("nb-NO,nb;q=0.9,en;q=0.8", "nb"),
    ("no", "nb"),
    ("nn-NO", "nb"),
    ("en-GB,en;q=0.9", "en"),
    ("ur-PK,nb;q=0.5", "nb"),
    ("de-DE", "en"),
    (None, "en"),
])
def test_the_sign_in_page_speaks_the_browsers_language(client, header, expected):
    headers = {"Accept-Language": header} if header else {}
    page = client.get("/login", headers=headers).get_data(as_text=True)
    assert f'<html lang="{expected}">' in page


def test_an_officer_chooses_norwegian_and_the_pages_follow_whatever_the_browser_says(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    answer = officer.post("/account/language", {"language": "nb"},
                          headers={"Accept-Language": "en"}, follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert '<html lang="nb">' in page
    assert "Språkvalget ditt er lagret." in page
    assert reload(officer.user).language == "nb"
    officer.post("/account/language", {"language": ""})  # back to the browser's choice
    assert reload(officer.user).language is None
    page = officer.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in page


def test_a_language_that_is_not_offered_is_refused_next_to_the_field(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    answer = officer.post("/account/language", {"language": "de"})
    assert answer.status_code == 422
    assert 'id="language-error-1"' in answer.get_data(as_text=True)
    assert reload(officer.user).language is None


def test_the_choice_is_audited(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    officer.post("/account/language", {"language": "nb"})
    rows = audit_rows(officer.user.id, "user.language_changed")
    assert len(rows) == 1 and rows[0].actor_id == officer.user.id


def test_dates_are_written_day_first_with_dots_in_norwegian(app):
    from tracker.i18n import local_date, local_time

    moment = datetime(2026, 12, 1, 20, 30, tzinfo=timezone.utc)  # 01:30 on the 2nd in Karachi
    with app.test_request_context(headers={"Accept-Language": "nb"}):
        assert local_date(date(2026, 12, 1)) == "01.12.2026"
        assert local_time(moment) == "02.12.2026 01:30"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert local_date(date(2026, 12, 1)) == "01 Dec 2026"
        assert local_time(moment) == "02 Dec 2026 01:30"
