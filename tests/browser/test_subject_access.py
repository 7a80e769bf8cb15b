"""Subject access by keyboard, on a laptop and a phone: an officer asks for a person's export
from the person's page, a manager approves it from the list of exports to decide, and the
officer downloads the ZIP from the person's page."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE
from tracker.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

REASON = "Letter from the citizen of 28 November, our ref. 2026/118"


def account(email: str):
    return next(a for a in DEMO_ACCOUNTS if a.email == email)


def test_an_officer_asks_a_manager_approves_and_the_officer_downloads(page, sign_in,
                                                                        screenshot):
    sign_in(account("consular@tracker.example"))
    page.goto("/consular/requests")
    page.locator("a[href^='/consular/requests/ISB-']").first.click()
    page.locator("a[href^='/consular/persons/']").first.click()
    person_url = page.url
    name = page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("link", name="Prepare a subject-access export").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prepare a subject-access export")
    for size in (LAPTOP, PHONE):
        page.set_viewport_size(size)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        screenshot(f"subject-access-ask-{size['width']}.png")
    page.set_viewport_size(LAPTOP)
    # Without the citizen's request: refused, the error summary takes the focus.
    page.get_by_role("button", name="Ask for the export").press("Enter")
    expect(page.locator(".error-summary")).to_be_focused()
    page.get_by_label("The citizen's request").fill(REASON)
    page.get_by_role("button", name="Ask for the export").press("Enter")
    expect(page).to_have_url(f"{person_url}#exports")
    expect(page.locator("#exports")).to_contain_text("Waiting for a manager")
    page.get_by_role("button", name="Sign out").click()

    sign_in(account("manager@tracker.example"))
    page.get_by_role("link", name="Decide subject-access exports").click()
    panel = page.locator("section.panel", has_text=REASON)
    expect(panel).to_contain_text(name)
    panel.get_by_label("Why?").fill("The letter is signed and the identity checked")
    screenshot("subject-access-decide-1280.png")
    panel.get_by_role("button", name="Approve").press("Enter")
    expect(page.locator("body")).to_contain_text("Approved: the one who asked may now download")
    page.get_by_role("button", name="Sign out").click()

    sign_in(account("consular@tracker.example"))
    page.goto(person_url)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the export (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))
    assert json.loads(archive.read("data.json"))["person"]["name"] == name
