"""A consular officer whose browser asks for Norwegian: the request form, its rule errors, the
request page and a workflow step in bokmål, at laptop and phone widths (longer words must not
overflow).

Found by the words the Python side gives the page (field labels, choices, step names,
statuses); pages are opened by address and forms sent by their submit button, so the test
does not depend on the templates' own words.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tracker.auth.models import Role
from tracker.demo import DEMO_ACCOUNTS

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
REQUEST_URL = re.compile(r"/consular/requests/(ISB-\d{4}-\d{5})$")
OFFICER = next(a for a in DEMO_ACCOUNTS if a.email == "consular@tracker.example")

pytestmark = [pytest.mark.browser,
              pytest.mark.browser_context_args(locale="nb-NO", viewport=LAPTOP)]

assert OFFICER.role is Role.CONSULAR_OFFICER


def submit(page) -> None:
    page.locator("main form:has(button[type=submit]) button[type=submit]").last.click()


def no_horizontal_scroll(page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"], f"horizontal scrolling: {widths}"


def at_both_widths(page, screenshot, name: str) -> None:
    """A screenshot at laptop and at phone width; at phone width nothing scrolls sideways."""
    page.set_viewport_size(LAPTOP)
    screenshot(f"nb-{name}-1280.png")
    page.set_viewport_size(PHONE)
    no_horizontal_scroll(page)
    screenshot(f"nb-{name}-390.png")
    page.set_viewport_size(LAPTOP)


def test_a_norwegian_officer_logs_a_request_and_puts_it_on_hold(page, screenshot,
                                                                console_errors):
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    page.get_by_label("E-postadresse", exact=True).fill(OFFICER.email)
    page.get_by_label("Passord", exact=True).fill(OFFICER.password)
    submit(page)
    page.wait_for_url(re.compile(r"^[^?#]*://[^/]+/(?:[?#].*)?$"))

    page.goto("/consular/requests/new")
    kind = page.get_by_label("Hva gjelder det", exact=True)
    expect(kind.locator("option").first).to_have_text("Velg type henvendelse")
    # Nothing chosen: the rule comes back in Norwegian, next to its field.
    page.get_by_label("Sammendrag", exact=True).fill("Pass mistet på Karakoram Highway")
    page.get_by_label("Navn, slik personen skriver det", exact=True).fill("Åse Ødegård Khan")
    submit(page)
    expect(page.get_by_text("Velg hva henvendelsen gjelder.").first).to_be_visible()
    at_both_widths(page, screenshot, "new-request-errors")

    kind = page.get_by_label("Hva gjelder det", exact=True)
    kind.select_option("passport:emergency")
    expect(kind.locator("option:checked")).to_have_text("Nødpass")
    expect(kind.locator("optgroup", has=page.locator("option:checked"))
           ).to_have_attribute("label", "Pass")
    page.get_by_label("Prioritet", exact=True).select_option(label="Akutt")
    page.get_by_label("Kom inn via", exact=True).select_option(label="Personlig oppmøte")
    page.get_by_label("Identitetsnummer", exact=True).select_option(
        label="Fødselsnummer eller D-nummer")
    page.get_by_label("Nummer", exact=True).fill("123")
    submit(page)
    expect(page.get_by_text("Et fødselsnummer har 11 sifre.").first).to_be_visible()
    page.get_by_label("Identitetsnummer", exact=True).select_option(label="Ingen")
    page.get_by_label("Nummer", exact=True).fill("")
    at_both_widths(page, screenshot, "new-request-filled")
    submit(page)

    page.wait_for_url(REQUEST_URL)
    reference = REQUEST_URL.search(page.url)[1]
    status = page.locator(".case-head .status")
    expect(status).to_have_text("Ny")
    expect(page.locator(".case-head")).to_contain_text("Akutt")
    page.get_by_role("button", name="Start arbeidet", exact=True).click()
    page.wait_for_url(REQUEST_URL)
    expect(status).to_have_text("Under arbeid")
    at_both_widths(page, screenshot, "request")

    page.get_by_role("link", name="Sett på vent…", exact=True).click()
    page.wait_for_url(re.compile(rf"/consular/requests/{reference}/steps/wait$"))
    page.get_by_label("Venter på hvem", exact=True).select_option(
        label="Vertslandets myndigheter")
    page.get_by_label("Venter på", exact=True).fill("Politirapport fra Chilas")
    page.get_by_label("På vent til (valgfritt)", exact=True).fill(
        (date.today() + timedelta(days=7)).isoformat())
    at_both_widths(page, screenshot, "step-wait")
    page.get_by_role("button", name="Sett på vent", exact=True).click()
    page.wait_for_url(REQUEST_URL)
    expect(status).to_have_text("Venter")
    at_both_widths(page, screenshot, "request-waiting")


MANAGER = next(a for a in DEMO_ACCOUNTS if a.role is Role.MANAGER)


def test_a_norwegian_manager_reads_the_monthly_report(page, screenshot, console_errors):
    page.goto("/login")
    page.get_by_label("E-postadresse", exact=True).fill(MANAGER.email)
    page.get_by_label("Passord", exact=True).fill(MANAGER.password)
    submit(page)
    page.wait_for_url(re.compile(r"^[^?#]*://[^/]+/(?:[?#].*)?$"))
    page.goto("/reports/")
    expect(page.locator("caption", has_text="Henvendelser etter kategori")).to_be_visible()
    expect(page.locator("caption", has_text="Sambandssaker etter landet de behandles for")
           ).to_be_visible()
    expect(page.get_by_role("rowheader", name="Dødsfall i utlandet", exact=True).first
           ).to_be_visible()
    at_both_widths(page, screenshot, "monthly-report")
