"""The liaison officer works a child-abduction case in a real browser; a consular officer
then searches for the child and the case and finds nothing."""
from __future__ import annotations

import random
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tracker.demo import DEMO_ACCOUNTS
from tracker.people.synthetic import norwegian_id

pytestmark = pytest.mark.browser

CHILD = "Elsa Qvarnström"


def account(email: str):
    return next(a for a in DEMO_ACCOUNTS if a.email == email)


def test_child_abduction_case_stays_in_the_compartment(page, sign_in, screenshot,
                                                        console_errors):
    sign_in(account("police@tracker.example"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Liaison cases").click()
    page.get_by_role("link", name="Open a case").click()
    page.get_by_label("Title").fill("Girl taken from Malmö to Pakistan by her father")
    page.get_by_label("Kind of case").select_option(label="Child abduction")
    page.get_by_label("Handled for").select_option(label="Sweden")
    page.get_by_label("Requesting agency").fill("Polismyndigheten/NOA")
    page.get_by_label("Host-country counterpart").select_option(label="FIA (Federal Investigation Agency)")
    page.get_by_label("Priority").select_option(label="Urgent")
    page.get_by_role("button", name="Open the case").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(r"POL-\d{4}-\d{4}"))
    reference = re.search(r"POL-\d{4}-\d{4}", heading.inner_text()).group(0)

    # The child, with a Norwegian number typed as officers do (a space after the date).
    number = norwegian_id(date(2018, 3, 14), random.Random(11))
    page.get_by_role("link", name="Add a person").click()
    parties = page.locator("main")
    parties.get_by_label("Role in the case").select_option(label="Abducted child")
    parties.get_by_label("Name, as the person writes it").fill(CHILD)
    parties.get_by_label("Date of birth", exact=True).fill("2018-03-14")
    parties.get_by_label("Identity number").select_option(label="Fødselsnummer or D-number")
    parties.get_by_label("Number", exact=True).fill(f"{number[:6]} {number[6:]}")
    parties.get_by_role("button", name="Add person").click()
    expect(page.locator("#parties").get_by_role("link", name=CHILD)).to_be_visible()
    expect(page.get_by_text("Children", exact=True)).to_be_visible()

    # An exchange with the FIA under H2.
    page.get_by_role("link", name="Log an exchange").click()
    exchanges = page.locator("main")
    exchanges.get_by_label("Direction").select_option(label="Received")
    exchanges.get_by_label("Channel").select_option(label="SIENA")
    exchanges.get_by_label("With").fill("FIA, Islamabad")
    exchanges.get_by_label("Summary").fill("FIA located the father and the girl in Jhelum.")
    exchanges.get_by_label("Handling code").select_option(value="H2")
    exchanges.get_by_role("button", name="Log the exchange").click()
    expect(page.get_by_text("Strictest handling code in force: H2")).to_be_visible()

    # Link the consular report of concern about a child at risk (from the demo data).
    page.goto("/consular/requests/")  # not allowed for the liaison officer: 404
    page.go_back()
    page.get_by_role("link", name="Link a consular request").click()
    page.get_by_label("Consular request reference").fill("LHE-2026-00003")
    page.get_by_role("button", name="Link", exact=True).click()
    expect(page.locator("#links")).to_contain_text("LHE-2026-00003")

    # Close: returned under the Hague convention.
    page.get_by_role("link", name="Close…").click()
    page.get_by_label("Outcome").select_option(label="Child returned under the Hague convention")
    expect(page.get_by_text("The case will be closed with the outcome you choose")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".case-flags .status")).to_have_text("Closed")
    expect(page.locator("#timeline")).to_contain_text("Outcome: Child returned under the Hague convention")
    screenshot("police-case-closed.png")

    # The export for sharing leaves the H2 exchange out.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Export for sharing")).click()
    export = download_info.value.path().read_text()
    assert "Jhelum" not in export and "withheld under H2" in export
    assert console_errors() == []

    page.get_by_role("button", name="Sign out").click()
    sign_in(account("consular@tracker.example"))
    for query in (CHILD, "Qvarnström", reference, number):
        page.goto(f"/consular/search?q={query}")
        # The page repeats the query in its input and in "No request matches “...”".
        body = page.locator("main").inner_text().replace(f"“{query}”", "")
        assert CHILD not in body and reference not in body
        expect(page.get_by_text(re.compile(r"^No request matches"))).to_be_visible()
        expect(page.get_by_text("No person matches.")).to_be_visible()
    page.goto(f"/police/cases/{reference}")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    screenshot("police-case-as-consular-officer.png")
