"""A consular officer's day in a real browser: log, work and resolve requests, and a manager's
four-eyes approval of a death abroad.

Everything is found as a person finds it: by labels, roles and the text on buttons and links.
"""
from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tracker.auth.models import Role
from tracker.demo import DEMO_ACCOUNTS
from tracker.people.synthetic import norwegian_id

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
REQUEST_URL = re.compile(r"/consular/requests/(ISB-\d{4}-\d{5})$")
REFERENCE = re.compile(r"^ISB-\d{4}-\d{5}\b")
TINY_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

OFFICER = next(a for a in DEMO_ACCOUNTS if a.email == "consular@tracker.example")
MANAGER = next(a for a in DEMO_ACCOUNTS if a.role is Role.MANAGER)


# --- helpers --------------------------------------------------------------------------------


def flash(page, text):
    return page.get_by_role("status").filter(has_text=text)


def status_badge(page):
    return page.locator(".case-head .status")


def timeline_items(page):
    return page.locator("#timeline ol.timeline > li")


def open_new_request_form(page) -> None:
    """From anywhere: the main navigation, the queues, then "Log a request"."""
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Consular work", exact=True).click()
    page.wait_for_url(re.compile(r"/consular/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Consular work")
    page.get_by_role("link", name="Log a request", exact=True).click()
    page.wait_for_url(re.compile(r"/consular/requests/new$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a request")


def reference_after_logging(page) -> str:
    """On the new request's page: its reference, from the address and the heading."""
    page.wait_for_url(REQUEST_URL)
    reference = REQUEST_URL.search(page.url)[1]
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("^" + re.escape(reference) + r"\b"))
    expect(flash(page, f"Request {reference} logged.")).to_be_visible()
    expect(status_badge(page)).to_have_text("New")
    return reference


def take_step_directly(page, label: str, becomes: str) -> None:
    """A one-click step: the button on the request page posts it."""
    page.get_by_role("region", name="What you can do").get_by_role(
        "button", name=label, exact=True).click()
    step_done(page, label, becomes)


def step_done(page, label: str, becomes: str) -> None:
    """Back on the request page: a message that the step is done, and the new status."""
    page.wait_for_url(REQUEST_URL)
    expect(flash(page, re.compile("^" + re.escape(f"{label}: done.")))).to_be_visible()
    expect(status_badge(page)).to_have_text(becomes)


def open_step_page(page, reference: str, label: str) -> None:
    """A step with a form: the "…" link on the request page opens its own page."""
    page.get_by_role("region", name="What you can do").get_by_role(
        "link", name=f"{label}…", exact=True).click()
    page.wait_for_url(re.compile(rf"/consular/requests/{reference}/steps/\w+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(label)


def no_horizontal_scroll(page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"], f"horizontal scrolling: {widths}"


# --- the journeys ---------------------------------------------------------------------------


def test_officer_logs_an_emergency_passport_and_works_it_to_resolved(
        page, sign_in, screenshot, console_errors, tmp_path):
    page.set_viewport_size(LAPTOP)
    d_number = norwegian_id(date(1990, 5, 17), random.Random(7), d_number=True)
    typed = f"{d_number[:6]} {d_number[6:]}"  # as officers type it, a space after the date
    sign_in(OFFICER)
    open_new_request_form(page)

    # The form, filled in as a person would.
    kind = page.get_by_label("What is it about", exact=True)
    kind.select_option("passport:emergency")
    expect(kind.locator("option:checked")).to_have_text("Emergency passport")
    expect(kind.locator("optgroup", has=page.locator("option:checked"))
           ).to_have_attribute("label", "Passport")
    page.get_by_label("Priority", exact=True).select_option(label="Emergency")
    page.get_by_label("Came in by", exact=True).select_option(label="Walk-in")
    page.get_by_label("Summary", exact=True).fill("Passport lost on the Karakoram Highway")
    page.get_by_label("Details", exact=True).fill(
        "Lost at a checkpoint near Chilas; flight to Oslo from Islamabad in four days.")
    # An embassy officer serves the consulates too: the request is logged for Islamabad, and
    # officers are listed with their office.
    expect(page.get_by_label("Logged for", exact=True)).to_have_value(
        page.get_by_label("Logged for", exact=True).locator("option").first.get_attribute("value"))
    page.get_by_label("Where it happened", exact=True).fill("Chilas")
    page.get_by_label("Assign to", exact=True).select_option(label=f"{OFFICER.display_name} (ISB)")
    page.get_by_label("Name, as the person writes it", exact=True).fill("Åse Ødegård Khan")
    page.get_by_label("Date of birth", exact=True).fill("1990-05-17")
    page.get_by_label("Identity number", exact=True).select_option(
        label="Fødselsnummer or D-number")
    page.get_by_label("Number", exact=True).fill(typed)
    phone = page.get_by_label("Phone", exact=True)
    phone.fill("+92 300 1234567")
    screenshot("consular-new-request-filled.png")

    # Enter in the last field submits the form, as it does in any browser.
    phone.press("Enter")
    reference = reference_after_logging(page)
    expect(page.get_by_text("This person may be known already")).to_have_count(0)
    persons = page.get_by_role("region", name="Person")
    expect(persons.get_by_role("link", name="Åse Ødegård Khan")).to_be_visible()
    expect(persons).to_contain_text(f"Fødselsnummer or D-number: {d_number}")  # no space
    expect(persons).to_contain_text("born 17 May 1990")
    expect(page.locator(".case-head")).to_contain_text("Emergency")
    expect(page.get_by_role("region", name="Details")).to_contain_text(
        "Passport · Emergency passport")

    take_step_directly(page, "Start work", "In progress")

    # A note.
    note_text = "Police report from Chilas requested; applicant brings photos tomorrow."
    page.get_by_role("link", name="Add a note", exact=True).click()
    page.get_by_label("Note", exact=True).fill(note_text)
    page.get_by_role("button", name="Save note", exact=True).click()
    expect(flash(page, "Note added.")).to_be_visible()
    expect(timeline_items(page).last).to_contain_text(note_text)

    # A document.
    pdf = tmp_path / "police-report-chilas.pdf"
    pdf.write_bytes(TINY_PDF)
    page.get_by_role("region", name="Documents").get_by_role("link", name="Add a document").click()
    page.get_by_label("Document", exact=True).set_input_files(pdf)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(flash(page, "Document added.")).to_be_visible()
    expect(page.get_by_role("region", name="Documents").get_by_role(
        "link", name="police-report-chilas.pdf", exact=True)).to_be_visible()

    # The search box finds the request by words of its note, and shows them marked; on a
    # phone too, without scrolling sideways.
    page.goto("/consular/search")
    box = page.get_by_label(
        "Reference or part of one, identity number, name, or words from the request",
        exact=True)
    box.fill("chilas PHOTOS")
    box.press("Enter")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row.locator("mark")).to_have_text(["Chilas", "photos"])
    expect(row).to_contain_text("Note: Police report from Chilas")
    screenshot("consular-search-words.png")
    page.set_viewport_size(PHONE)
    no_horizontal_scroll(page)
    screenshot("consular-search-words-phone.png")
    page.set_viewport_size(LAPTOP)
    row.get_by_role("link", name=reference).click()
    page.wait_for_url(REQUEST_URL)

    # On hold, waiting for the applicant, and back.
    open_step_page(page, reference, "Put on hold (waiting)")
    expect(page.get_by_text("now in progress, will be waiting")).to_be_visible()
    page.get_by_label("Waiting on", exact=True).select_option(label="The applicant")
    page.get_by_label("Waiting for", exact=True).fill("Passport photos")
    hold_until = date.today() + timedelta(days=7)
    page.get_by_label("Hold until (optional)", exact=True).fill(hold_until.isoformat())
    page.get_by_label("Comment", exact=True).fill("Photos from the studio in Blue Area.")
    screenshot("consular-step-waiting.png")
    page.get_by_role("button", name="Put on hold (waiting)", exact=True).click()
    step_done(page, "Put on hold (waiting)", "Waiting")
    expect(page.get_by_role("status").filter(has_text="Waiting on the applicant")).to_contain_text(
        f"Passport photos · back to work on {hold_until.strftime('%d %b %Y')}")
    expect(page.locator(".case-head")).to_contain_text("(clock paused)")

    take_step_directly(page, "Resume work", "In progress")

    # Resolved: a passport category needs no approval.
    actions = page.get_by_role("region", name="What you can do")
    expect(actions.get_by_role("link", name="Resolve (ask a manager to approve)…")
           ).to_have_count(0)
    open_step_page(page, reference, "Resolve")
    page.get_by_label("Outcome", exact=True).select_option(label="Passport issued")
    page.get_by_label("Comment", exact=True).fill("Emergency passport handed over at the gate.")
    page.get_by_role("button", name="Resolve", exact=True).click()
    step_done(page, "Resolve", "Resolved")
    expect(page.get_by_role("region", name="Details")).to_contain_text("Passport issued")

    # The timeline tells all of it, in order, each by the officer.
    items = timeline_items(page)
    expect(items).to_have_text([
        re.compile(r"Opened as new\."),
        re.compile(r"Start work: New → In progress"),
        re.compile(r"Note\s+" + re.escape(note_text)),
        re.compile(r"Document added: police-report-chilas\.pdf"),
        re.compile(r"Put on hold \(waiting\): In progress → Waiting\s*"
                   r"Waiting on the applicant: .+; back to work on \d\d \w{3} \d{4}\s*"
                   r"Photos from the studio in Blue Area\."),
        re.compile(r"Resume work: Waiting → In progress"),
        re.compile(r"Resolve: In progress → Resolved\s*Outcome: Passport issued\s*"
                   r"Emergency passport handed over at the gate\."),
    ])
    for i in range(7):
        expect(items.nth(i).locator(".timeline-meta")).to_contain_text(OFFICER.display_name)
    screenshot("consular-request-resolved.png")

    # The same page on a phone: nothing wider than the screen.
    page.set_viewport_size(PHONE)
    page.reload()
    expect(status_badge(page)).to_have_text("Resolved")
    screenshot("consular-request-resolved-phone.png")
    no_horizontal_scroll(page)
    assert console_errors() == []


def test_death_abroad_is_resolved_only_with_a_managers_approval(
        page, sign_in, screenshot, console_errors):
    page.set_viewport_size(LAPTOP)
    sign_in(OFFICER)
    open_new_request_form(page)

    kind = page.get_by_label("What is it about", exact=True)
    kind.select_option("death:repatriation")
    expect(kind.locator("option:checked")).to_have_text("Repatriation (death abroad)")
    expect(kind.locator("optgroup", has=page.locator("option:checked"))
           ).to_have_attribute("label", "Death abroad")
    page.get_by_label("Priority", exact=True).select_option(label="Urgent")
    page.get_by_label("Came in by", exact=True).select_option(label="Phone")
    summary = "Died in a road accident near Jhelum, family in Drammen wants repatriation"
    page.get_by_label("Summary", exact=True).fill(summary)
    page.get_by_label("Name, as the person writes it", exact=True).fill("Tariq Mehmood Awan")
    page.get_by_label("Date of birth", exact=True).fill("1958-11-03")
    page.get_by_label("Their name", exact=True).fill("Nadia Awan")
    page.get_by_label("Their relationship to the person", exact=True).fill("daughter")
    page.get_by_role("button", name="Log the request", exact=True).click()
    reference = reference_after_logging(page)
    expect(page.get_by_text("This person may be known already")).to_have_count(0)

    take_step_directly(page, "Start work", "In progress")
    actions = page.get_by_role("region", name="What you can do")
    expect(actions.get_by_role("link", name="Resolve…", exact=True)).to_have_count(0)
    open_step_page(page, reference, "Resolve (ask a manager to approve)")
    expect(page.get_by_text("A manager other than you approves the outcome")).to_be_visible()
    page.get_by_label("Outcome", exact=True).select_option(label="Remains repatriated")
    page.get_by_label("Comment", exact=True).fill("Body flown to Oslo via Doha on PIA/QR.")
    page.get_by_role("button", name="Resolve (ask a manager to approve)", exact=True).click()
    step_done(page, "Resolve (ask a manager to approve)", "Pending approval")
    expect(page.get_by_role("status").filter(has_text="asks a manager to approve")).to_have_text(
        f"{OFFICER.display_name} asks a manager to approve the outcome: Remains repatriated.")

    # The officer cannot approve their own: no button, and the step's address refuses too.
    expect(page.get_by_role("region", name="What you can do").get_by_text(
        "Approve the resolution")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Send back"))).to_have_count(0)
    answer = page.goto(f"/consular/requests/{reference}/steps/approve")
    assert answer.status == 409
    expect(page.get_by_role("alert")).to_contain_text("Your role cannot take this step.")

    page.goto(f"/consular/requests/{reference}")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login$"))

    # The manager finds it in the approvals queue.
    sign_in(MANAGER)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Consular work", exact=True).click()
    page.wait_for_url(re.compile(r"/consular/$"))
    approvals = page.get_by_role("region", name=re.compile(r"^Waiting for your approval"))
    row = approvals.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(summary)
    expect(row).to_contain_text("Pending approval")
    screenshot("consular-queues-manager.png")
    row.get_by_role("link", name=reference).click()
    page.wait_for_url(REQUEST_URL)

    actions = page.get_by_role("region", name="What you can do")
    expect(actions.get_by_role("link", name="Send back…", exact=True)).to_be_visible()
    # Approving is confirmed on its own page, which says what will happen.
    open_step_page(page, reference, "Approve the resolution")
    expect(page.get_by_text("The request will be resolved as 'Remains repatriated'")
           ).to_be_visible()
    page.get_by_label("Comment").fill("Papers from the hospital checked")
    page.get_by_role("button", name="Confirm", exact=True).click()
    step_done(page, "Approve the resolution", "Resolved")
    expect(page.get_by_role("region", name="Details")).to_contain_text("Remains repatriated")
    last = timeline_items(page).last
    expect(last).to_contain_text("Approve the resolution: Pending approval → Resolved")
    expect(last.locator(".timeline-meta")).to_contain_text(MANAGER.display_name)
    expect(timeline_items(page).nth(-2)).to_contain_text(
        "Resolve (ask a manager to approve): In progress → Pending approval")
    expect(timeline_items(page).nth(-2).locator(".timeline-meta")).to_contain_text(
        OFFICER.display_name)
    screenshot("consular-death-approved.png")

    # Approved, it has left the approvals queue.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Consular work", exact=True).click()
    page.wait_for_url(re.compile(r"/consular/$"))
    expect(page.get_by_role("region", name=re.compile(r"^Waiting for your approval"))
           .get_by_role("link", name=reference)).to_have_count(0)
    assert console_errors() == []
