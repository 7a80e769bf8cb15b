"""The case pages read first and each action opens its own page; on a phone nothing covers or
cuts off anything (the report's head, a person's requests)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE
from tracker.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

# The police case page was 3,554 px high at 1280 wide (6,986 at 390) with ten forms on it.
HEIGHT_LIMIT = {1280: 2400, 390: 4400}


def account(email: str):
    return next(a for a in DEMO_ACCOUNTS if a.email == email)


def first_link(page, listing: str, pattern: str) -> str:
    page.goto(listing)
    return page.locator(f"a[href*='{pattern}']").first.get_attribute("href")


def page_height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def test_the_police_case_page_reads_first_and_each_action_has_its_page(page, sign_in,
                                                                       screenshot):
    sign_in(account("police@tracker.example"))
    case_url = first_link(page, "/police/", "/police/cases/POL-")
    for size in (LAPTOP, PHONE):
        page.set_viewport_size(size)
        page.goto(case_url)
        height = page_height(page)
        print(f"police case page at {size['width']}: {height} px")
        assert height < HEIGHT_LIMIT[size["width"]]
        # Only one-button forms are left on the page (one-click steps, sharing a link).
        assert page.locator("main textarea, main input[type=text], main select").count() == 0
        screenshot(f"police-case-{size['width']}.png")
    page.set_viewport_size(LAPTOP)
    # A note on its own page: an empty one is refused there, a written one goes back.
    page.get_by_role("link", name="Add a note").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a note")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a note")
    page.get_by_label("Note").fill("Called the FIA duty officer; they call back Monday.")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#timeline")).to_contain_text("they call back Monday")
    # Each panel's action leads to a page with that form alone.
    for link, heading, button in (("Add a person", "Add a person", "Add person"),
                                  ("Log an exchange", "Log an exchange", "Log the exchange"),
                                  ("Add a notice", "Add an INTERPOL notice", "Add notice"),
                                  ("Link a consular request", "Link a consular request", "Link"),
                                  ("Change the restriction…", "Restriction", "Save restriction"),
                                  ("Add a document", "Add a document", "Upload"),
                                  ("Assign…", "Assign the case", "Assign")):
        page.goto(case_url)
        page.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.locator("main form")).to_have_count(1)
        expect(page.get_by_role("button", name=button, exact=True)).to_be_visible()
    page.set_viewport_size(PHONE)
    page.goto(case_url)
    page.get_by_role("link", name="Log an exchange").click()
    screenshot("police-exchange-page-390.png")


def test_the_consular_request_page_has_the_same_structure(page, sign_in, screenshot):
    sign_in(account("consular@tracker.example"))
    request_url = first_link(page, "/consular/requests/", "/consular/requests/ISB-")
    for size in (LAPTOP, PHONE):
        page.set_viewport_size(size)
        page.goto(request_url)
        print(f"consular request page at {size['width']}: {page_height(page)} px")
        assert page.locator("main textarea, main input[type=text], main select").count() == 0
        screenshot(f"consular-request-{size['width']}.png")
    page.get_by_role("link", name="Record a contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a contact")
    expect(page).to_have_url(re.compile(r"/contacts$"))


def boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(selector, """els => els.map(e => {
        const r = e.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                text: e.innerText.slice(0, 40)};
    })""")


def overlaps(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and \
        a["top"] < b["bottom"] and b["top"] < a["bottom"]


def test_on_a_phone_the_report_head_covers_nothing(page, sign_in, screenshot):
    sign_in(account("manager@tracker.example"))
    page.set_viewport_size(PHONE)
    page.goto("/reports/")
    [lead] = boxes(page, "main .lead")
    buttons = boxes(page, "main .head-actions a")
    [heading] = boxes(page, "main h1")
    assert buttons
    for button in buttons:
        assert not overlaps(button, lead), (button, lead)
        assert not overlaps(button, heading), (button, heading)
        assert button["right"] <= PHONE["width"]
    screenshot("report-390.png")


def test_on_a_phone_a_persons_requests_show_every_column(page, sign_in, screenshot):
    sign_in(account("consular@tracker.example"))
    page.set_viewport_size(PHONE)
    request_url = first_link(page, "/consular/requests/", "/consular/requests/ISB-")
    page.goto(request_url)
    page.locator("a[href*='/consular/persons/']").first.click()
    table = page.locator("table.requests").first
    expect(table).to_be_visible()
    [region] = boxes(page, ".table-scroll")
    for label in ("Status", "Due", "Officer"):
        cells = boxes(page, f"table.requests td[data-label='{label}']")
        assert cells, label
        for cell in cells:
            # Inside the table's region and the screen: nothing cut off.
            assert region["left"] <= cell["left"] and cell["right"] <= region["right"] + 0.5, \
                (label, cell, region)
            assert cell["right"] <= PHONE["width"], (label, cell)
    assert not page.evaluate("[...document.querySelectorAll('.table-scroll')]"
                             ".some(e => e.scrollWidth > e.clientWidth + 1)")
    screenshot("person-390.png")
