"""An officer corrects a person's details by keyboard alone: the correction page with every
input labelled, a missing reason refused beside its field, the history on the person's page;
readable on a laptop and a phone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE
from tracker.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser


def test_an_officer_corrects_a_misspelt_name_with_a_reason(page, sign_in, screenshot):
    sign_in(next(a for a in DEMO_ACCOUNTS if a.email == "consular@tracker.example"))
    page.goto("/consular/requests")
    page.locator("a[href^='/consular/requests/ISB-']").first.click()
    page.locator("a[href^='/consular/persons/']").first.click()
    person_url = page.url
    page.get_by_role("link", name="Correct the details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Correct the details")
    for size in (LAPTOP, PHONE):
        page.set_viewport_size(size)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        screenshot(f"correct-person-{size['width']}.png")
    page.set_viewport_size(LAPTOP)
    name = page.get_by_label("Name, as the person writes it")
    corrected = name.input_value() + " Testsen"
    name.fill(corrected)
    # Without a reason: refused, the error summary takes the focus, the name typed is kept.
    page.get_by_label("Why are the details corrected?").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary")).to_contain_text("Say why the details are corrected.")
    expect(name).to_have_value(corrected)
    page.get_by_label("Why are the details corrected?").fill(
        "The person spelt the family name at the counter")
    page.get_by_role("button", name="Save the correction").press("Enter")
    expect(page).to_have_url(f"{person_url}#corrections")
    expect(page.get_by_role("heading", level=1)).to_have_text(corrected)
    expect(page.locator("#corrections + ul")).to_contain_text(
        "The person spelt the family name at the counter")
    screenshot("person-corrected-1280.png")
