"""A browser that asks for Norwegian (nb-NO): the sign-in page's language links, then an
officer's day in bokmål, on a laptop and a phone, with nothing wider than the screen."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tracker.demo import DEMO_ACCOUNTS

pytestmark = [pytest.mark.browser, pytest.mark.browser_context_args(locale="nb-NO")]

OFFICER = next(a for a in DEMO_ACCOUNTS if a.email == "consular@tracker.example")
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def no_horizontal_scroll(page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"], f"horizontal scrolling: {widths}"


def at_both_widths(page, screenshot, name: str) -> None:
    """Screenshots at laptop and phone width; Norwegian words are longer: nothing overflows."""
    for label, size in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        no_horizontal_scroll(page)
        screenshot(f"nb-{name}-{label}.png")
    page.set_viewport_size(LAPTOP)


def test_an_officers_day_in_norwegian(page, screenshot, console_errors):
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logg inn")
    switch = page.get_by_role("navigation", name="Språk")
    expect(switch.get_by_role("link", name="Norsk bokmål")).to_have_attribute(
        "aria-current", "true")
    at_both_widths(page, screenshot, "sign-in")

    # English for this session, whatever the browser asks; and back.
    switch.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_role("navigation", name="Language").get_by_role(
        "link", name="Norsk bokmål").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logg inn")

    # A wrong password, said in Norwegian.
    page.locator("#email").fill(OFFICER.email)
    page.locator("#password").fill("not the password at all, surely")
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "E-postadressen eller passordet er ikke riktig.")

    page.locator("#email").fill(OFFICER.email)
    page.locator("#password").fill(OFFICER.password)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(re.compile(r"^[^?#]*://[^/]+/(?:[?#].*)?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Hei, "))
    nav = page.get_by_role("navigation", name="Hovedmeny")
    expect(nav.get_by_role("link")).to_have_text(
        ["Forside", "Konsulært arbeid", "Henvendelser", "Forespørsler", "Rapporter"])
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    at_both_widths(page, screenshot, "home")

    nav.get_by_role("link", name="Konsulært arbeid").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Konsulært arbeid")
    expect(page.get_by_role("heading", name=re.compile("^Mine henvendelser"))).to_be_visible()
    at_both_widths(page, screenshot, "queues")

    nav.get_by_role("link", name="Henvendelser").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Konsulære henvendelser")
    at_both_widths(page, screenshot, "requests")

    page.get_by_role("link", name="Registrer en henvendelse").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrer en henvendelse")
    page.get_by_role("button", name="Registrer henvendelsen").click()
    expect(page.get_by_role("alert")).to_contain_text("Det er et problem")
    at_both_widths(page, screenshot, "new-request-errors")

    nav.get_by_role("link", name="Forespørsler").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrer en forespørsel")
    at_both_widths(page, screenshot, "enquiries")

    page.get_by_role("banner").get_by_role("link", name=re.compile(OFFICER.display_name)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Din konto")
    at_both_widths(page, screenshot, "account")

    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_contain_text("Du er logget ut.")
    assert console_errors() == []
