"""Retention in a real browser: an administrator changes a period, a manager reads what is due
(at laptop and phone width), an officer places a legal hold from the case page."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE
from tracker.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser


def account(email: str):
    return next(a for a in DEMO_ACCOUNTS if a.email == email)


def test_an_administrator_changes_a_period(page, sign_in, screenshot, console_errors):
    sign_in(account("admin@tracker.example"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Retention").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention")
    page.get_by_role("link", name="Change the periods…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention periods")
    years = page.get_by_label("Years after closing for Consular advice")
    years.fill("0")
    years.locator("xpath=ancestor::form").get_by_role("button", name="Save").click()
    expect(page.locator(".error").first).to_be_visible()
    years = page.get_by_label("Years after closing for Consular advice")
    years.fill("3")
    years.locator("xpath=ancestor::form").get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="kept 3 years")).to_be_visible()
    screenshot("retention-rules.png")
    assert console_errors() == []


def test_a_manager_reads_what_is_due_on_a_laptop_and_a_phone(page, sign_in, screenshot,
                                                            console_errors):
    sign_in(account("manager@tracker.example"))
    for size in (LAPTOP, PHONE):
        page.set_viewport_size(size)
        page.goto("/retention/")
        expect(page.get_by_role("heading", name="Periods and what is due")).to_be_visible()
        expect(page.get_by_role("heading", name="On legal hold")).to_be_visible()
        expect(page.get_by_text("Liaison cases (counts only)")).to_be_visible()
        expect(page.get_by_role("link", name="Change the periods…")).to_have_count(0)
        screenshot(f"retention-manager-{size['width']}.png")
    assert console_errors() == []


def test_an_officer_places_and_lifts_a_legal_hold(page, sign_in, screenshot, console_errors):
    sign_in(account("consular@tracker.example"))
    page.goto("/consular/requests/")
    page.locator("a[href*='/consular/requests/ISB-']").first.click()
    page.get_by_role("link", name="Place a legal hold…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Place a legal hold")
    page.get_by_role("button", name="Place a legal hold").click()
    expect(page.locator(".error-summary")).to_be_focused()
    page.get_by_label("Reason").fill("The family's lawyer has announced a claim")
    page.get_by_role("button", name="Place a legal hold").click()
    expect(page.get_by_text("Under a legal hold")).to_be_visible()
    expect(page.get_by_text("The family's lawyer has announced a claim")).to_be_visible()
    screenshot("retention-hold-on-request.png")
    page.get_by_role("link", name="Lift the legal hold…").click()
    page.get_by_label("Reason").fill("The claim was withdrawn")
    page.get_by_role("button", name="Lift the legal hold").click()
    expect(page.get_by_role("link", name="Place a legal hold…")).to_be_visible()
    expect(page.get_by_text(re.compile("Earlier holds"))).to_be_visible()
    assert console_errors() == []
