"""A manager reads last month's report in a real browser: charts drawn, PDF downloaded,
the month published; the liaison officer sees the police aggregates only."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tracker.auth.models import Role
from tracker.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser


def account(role: Role, email_start: str = ""):
    return next(a for a in DEMO_ACCOUNTS if a.role is role and a.email.startswith(email_start))


def test_manager_reads_downloads_and_publishes_last_month(page, sign_in, screenshot,
                                                          console_errors, tmp_path):
    sign_in(account(Role.MANAGER))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Monthly report: \w+ \d{4}$"))
    for section in ("consular", "police"):
        expect(page.locator(f"#chart-{section}")).to_have_attribute("data-drawn", "yes")
    expect(page.get_by_role("heading", name="Consular section")).to_be_visible()
    expect(page.get_by_role("heading", name="Police liaison (aggregates only)")).to_be_visible()
    screenshot("report-manager.png")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.suffix == ".pdf" and saved.read_bytes().startswith(b"%PDF")

    month = heading.inner_text().removeprefix("Monthly report: ")
    # Publishing is confirmed on its own page, with a comment kept on the report.
    page.get_by_role("link", name=f"Publish {month}…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Publish the report for {month}")
    expect(page.get_by_text(re.compile(r"will be frozen as they are now"))).to_be_visible()
    page.get_by_label("Comment (optional)").fill("Checked against the visa log")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status").filter(has_text="Published")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Published .* by Ingrid Fjellvang"))).to_be_visible()
    expect(page.get_by_text("Checked against the visa log")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Publish"))).to_have_count(0)
    assert console_errors() == []


def test_liaison_officer_sees_the_police_aggregates_only(page, sign_in, console_errors):
    sign_in(account(Role.POLICE_LIAISON_OFFICER, "police@"))
    page.goto("/reports/")
    expect(page.get_by_role("heading", name="Police liaison (aggregates only)")).to_be_visible()
    expect(page.get_by_role("heading", name="Consular section")).to_have_count(0)
    expect(page.locator("#chart-police")).to_have_attribute("data-drawn", "yes")
    expect(page.get_by_role("link", name=re.compile("^Publish"))).to_have_count(0)
    assert console_errors() == []


def test_report_reads_on_a_phone(page, sign_in, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(account(Role.MANAGER))
    page.goto("/reports/")
    expect(page.locator("#chart-consular")).to_have_attribute("data-drawn", "yes")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot("report-manager-phone.png")
