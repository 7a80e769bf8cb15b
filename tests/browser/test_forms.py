"""Forms in a real browser: every mistake at once in a summary that takes focus, choices that
must be made, and a chosen file that survives a failed submit."""
from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.test_consular_journey import OFFICER, open_new_request_form
from tracker.demo import DEMO_ACCOUNTS
from tracker.people.synthetic import norwegian_id

pytestmark = pytest.mark.browser

LIAISON = next(a for a in DEMO_ACCOUNTS if a.email == "police@tracker.example")
TINY_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def error_summary(page):
    return page.get_by_role("alert").filter(has_text="There is a problem")


def test_three_mistakes_show_three_errors_and_the_summary_takes_focus(
        page, sign_in, screenshot, console_errors):
    sign_in(OFFICER)
    open_new_request_form(page)
    number = norwegian_id(date(1990, 5, 17), random.Random(3))
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    page.get_by_label("What is it about", exact=True).select_option("passport:emergency")
    page.get_by_label("Priority", exact=True).select_option(label="Urgent")
    page.get_by_label("Came in by", exact=True).select_option(label="Phone")
    # 1: no summary; 2: born tomorrow; 3: a wrong check digit.
    page.get_by_label("Name, as the person writes it", exact=True).fill("Kari Testesen")
    page.get_by_label("Date of birth", exact=True).fill(
        (date.today() + timedelta(days=1)).isoformat())
    page.get_by_label("Identity number", exact=True).select_option(
        label="Fødselsnummer or D-number")
    page.get_by_label("Number", exact=True).fill(wrong)
    page.get_by_role("button", name="Log the request").click()

    summary = error_summary(page)
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    # In the order the officer meets the fields: the request's column, then the person's.
    expect(summary.get_by_role("link")).to_have_text([
        re.compile("^Summary"), "The date of birth is in the future.",
        re.compile("^The check digits")])
    expect(page.locator(".field .error")).to_have_count(3)
    screenshot("forms-three-mistakes.png")

    # A link in the summary takes the officer to the field, focused.
    summary.get_by_role("link", name="The date of birth is in the future.").click()
    expect(page.get_by_label("Date of birth", exact=True)).to_be_focused()
    assert console_errors() == []


def test_an_exchange_needs_a_handling_code_and_keeps_its_file(
        page, sign_in, screenshot, console_errors, tmp_path):
    sign_in(LIAISON)
    page.goto("/police/cases/new")
    page.get_by_label("Title").fill("Fraud ring using Nordic identities")
    page.get_by_label("Kind of case").select_option(label="Fraud")
    page.get_by_label("Handled for").select_option(label="Norway")
    page.get_by_label("Requesting agency").fill("Kripos")
    page.get_by_label("Host-country counterpart").select_option(label="FIA (Federal Investigation Agency)")
    page.get_by_label("Priority").select_option(label="Routine")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"POL-\d{4}-\d{4}"))

    pdf = tmp_path / "bank statement.pdf"
    pdf.write_bytes(TINY_PDF)
    page.get_by_role("link", name="Log an exchange").click()
    exchanges = page.locator("main")
    expect(exchanges.get_by_label("Handling code")).to_have_value("")
    exchanges.get_by_label("With").fill("FIA Cyber Crime Wing, Karachi")
    exchanges.get_by_label("Summary").fill("Account holders named.")
    exchanges.get_by_label("Document (optional)").set_input_files(pdf)
    exchanges.get_by_role("button", name="Log the exchange").click()

    # Refused: no handling code chosen. The file is kept, not lost.
    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page)).to_contain_text("Choose the handling code the sender gave.")
    exchanges = page.locator("main")
    expect(exchanges).to_contain_text("Already attached: bank statement.pdf")
    expect(exchanges.get_by_label("Summary")).to_have_value("Account holders named.")
    screenshot("forms-exchange-file-kept.png")
    exchanges.get_by_label("Handling code").select_option(value="H1")
    exchanges.get_by_role("button", name="Log the exchange").click()

    expect(page.get_by_role("status").filter(has_text="Exchange logged under H1.")
           ).to_be_visible()
    expect(page.locator("#exchanges").get_by_role("link", name="bank statement.pdf")
           ).to_be_visible()
    assert console_errors() == []
