"""The list's selection by keyboard: two requests ticked, a priority set on both; a view of
the list saved and found on the home page with its count. Screenshots of the list with its
selection bar at laptop and phone width."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE
from tracker.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser


def account(email: str):
    return next(a for a in DEMO_ACCOUNTS if a.email == email)


def test_select_two_requests_by_keyboard_set_priority_and_save_a_view(page, sign_in,
                                                                      screenshot,
                                                                      console_errors):
    sign_in(account("consular@tracker.example"))
    page.goto("/consular/requests/?priority=routine&sort=oldest")
    boxes = page.locator("input[name=selected]")
    assert boxes.count() >= 2
    first, second = (page.locator("table.requests tbody tr").nth(n)
                     .locator("a[href*='/consular/requests/']").first.inner_text()
                     for n in (0, 1))

    # By keyboard only: the first row's checkbox, Tab past its reference link to the next
    # row's checkbox, Space on each; then the priority and the button.
    page.get_by_label(f"Select {first}").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_label(f"Select {second}")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_label(f"Select {first}")).to_be_checked()
    expect(page.get_by_label(f"Select {second}")).to_be_checked()
    for size, name in ((LAPTOP, "selection-list-1280.png"), (PHONE, "selection-list-390.png")):
        page.set_viewport_size(size)
        screenshot(name)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    page.set_viewport_size(LAPTOP)
    page.get_by_label("New priority").focus()
    page.get_by_label("New priority").select_option("emergency")
    page.get_by_role("button", name="Set priority").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_contain_text("Priority set on 2 cases.")
    # Back on the same list (routine only): neither is routine any more.
    expect(page).to_have_url(re.compile(r"priority=routine"))
    expect(page.locator("main table")).not_to_contain_text(first)
    expect(page.locator("main table")).not_to_contain_text(second)

    # The emergencies, saved as a view, are on the home page with their count.
    page.goto("/consular/requests/?priority=emergency")
    for reference in (first, second):
        expect(page.locator(f"tr:has(a:text-is('{reference}'))")).to_contain_text("Emergency")
    shown = page.locator("input[name=selected]").count()
    page.get_by_label("Name of the view").fill("Emergencies now")
    page.get_by_role("button", name="Save as a view").click()
    expect(page.locator(".alert-success")).to_contain_text("View Emergencies now saved")
    page.goto("/")
    saved = page.locator("#saved-views + ul li", has_text="Emergencies now")
    expect(saved).to_contain_text(f"{shown} cases")
    saved.get_by_role("link", name="Emergencies now").click()
    expect(page).to_have_url(re.compile(r"/consular/requests/\?priority=emergency$"))
    expect(page.locator("input[name=selected]")).to_have_count(shown)
    page.goto("/")
    screenshot("home-saved-views-1280.png")

    # Its page: shared with the office, then renamed; the home page follows.
    page.goto("/consular/requests/")
    page.get_by_role("link", name="Your saved views").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saved views")
    item = page.locator(".saved-view", has_text="Emergencies now")
    item.get_by_label("Shared with").select_option(label="Royal Norwegian Embassy, Islamabad")
    item.get_by_role("button", name="Save sharing").click()
    expect(page.locator(".alert-success")).to_contain_text("Shared with Royal Norwegian Embassy, Islamabad.")
    item = page.locator(".saved-view", has_text="Emergencies now")
    item.get_by_label("New name").fill("Emergencies, whole embassy")
    item.get_by_role("button", name="Rename").click()
    expect(page.locator(".saved-view h3")).to_contain_text(["Emergencies, whole embassy"])
    screenshot("saved-views-1280.png")
    page.set_viewport_size(PHONE)
    screenshot("saved-views-390.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto("/")
    expect(page.locator("#saved-views + ul")).to_contain_text("Emergencies, whole embassy")
    assert console_errors() == []
