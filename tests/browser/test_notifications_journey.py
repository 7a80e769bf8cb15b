"""Notifications in a real browser: an officer asks for a manager's approval of a death abroad;
the manager's header shows one unread, the centre says a request is waiting for their approval,
the manager follows it and approves; the officer's centre then shows the approval."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_consular_journey import (
    MANAGER,
    OFFICER,
    REQUEST_URL,
    open_new_request_form,
    open_step_page,
    reference_after_logging,
    step_done,
    take_step_directly,
    no_horizontal_scroll,
)
from tests.browser.conftest import LAPTOP, PHONE

pytestmark = pytest.mark.browser


def header_link(page):
    return page.get_by_role("banner").get_by_role("link", name=re.compile(r"^Notifications"))


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login$"))


def start_with_nothing_unread(page, sign_in, account) -> None:
    """Earlier tests on the live server may have told this account things: read them all."""
    sign_in(account)
    header_link(page).click()
    page.wait_for_url(re.compile(r"/notifications$"))
    mark_all = page.get_by_role("button", name="Mark all as read")
    if mark_all.count():
        mark_all.click()
        expect(page.get_by_role("status").filter(has_text="All notifications are marked as read.")
               ).to_be_visible()
    expect(header_link(page)).to_have_text("Notifications")
    sign_out(page)


def test_a_manager_is_told_of_an_approval_and_the_officer_of_the_answer(
        page, sign_in, screenshot, console_errors):
    page.set_viewport_size(LAPTOP)
    start_with_nothing_unread(page, sign_in, MANAGER)
    start_with_nothing_unread(page, sign_in, OFFICER)

    # The officer logs a death abroad and resolves it, which asks a manager to approve.
    sign_in(OFFICER)
    open_new_request_form(page)
    page.get_by_label("What is it about", exact=True).select_option("death:repatriation")
    page.get_by_label("Priority", exact=True).select_option(label="Urgent")
    page.get_by_label("Came in by", exact=True).select_option(label="Phone")
    page.get_by_label("Summary", exact=True).fill("Died in hospital in Multan, family in Bergen")
    page.get_by_label("Name, as the person writes it", exact=True).fill("Imran Qadir Bhatti")
    page.get_by_label("Their name", exact=True).fill("Sana Bhatti")
    page.get_by_label("Their relationship to the person", exact=True).fill("sister")
    page.get_by_role("button", name="Log the request", exact=True).click()
    reference = reference_after_logging(page)
    take_step_directly(page, "Start work", "In progress")
    open_step_page(page, reference, "Resolve (ask a manager to approve)")
    page.get_by_label("Outcome", exact=True).select_option(label="Remains repatriated")
    page.get_by_role("button", name="Resolve (ask a manager to approve)", exact=True).click()
    step_done(page, "Resolve (ask a manager to approve)", "Pending approval")
    expect(header_link(page)).to_have_text("Notifications")  # the officer is told nothing
    sign_out(page)

    # The manager: one unread in the header, on every page.
    sign_in(MANAGER)
    expect(header_link(page)).to_have_text("Notifications 1 unread")
    expect(header_link(page).locator(".notice-count")).to_have_text("1")
    header_link(page).click()
    page.wait_for_url(re.compile(r"/notifications$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_text("1 unread notification.")).to_be_visible()
    waiting = page.locator(".notice.unread")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("A request is waiting for your approval")
    expect(waiting).to_contain_text(reference)
    expect(waiting).not_to_contain_text("Multan")  # the list names the case, never its content
    screenshot("notifications-centre-manager-laptop.png")
    no_horizontal_scroll(page)
    page.set_viewport_size(PHONE)
    no_horizontal_scroll(page)
    screenshot("notifications-centre-manager-phone.png")
    page.set_viewport_size(LAPTOP)

    # Following it opens the request, and it is read.
    waiting.get_by_role("link", name="A request is waiting for your approval").click()
    page.wait_for_url(REQUEST_URL)
    assert REQUEST_URL.search(page.url)[1] == reference
    expect(header_link(page)).to_have_text("Notifications")
    open_step_page(page, reference, "Approve the resolution")
    page.get_by_role("button", name="Confirm", exact=True).click()
    step_done(page, "Approve the resolution", "Resolved")
    sign_out(page)

    # The officer's centre shows the approval.
    sign_in(OFFICER)
    expect(header_link(page)).to_have_text("Notifications 1 unread")
    header_link(page).click()
    page.wait_for_url(re.compile(r"/notifications$"))
    answer = page.locator(".notice.unread")
    expect(answer).to_have_count(1)
    expect(answer).to_contain_text("Your resolution was approved")
    expect(answer).to_contain_text(reference)
    screenshot("notifications-centre-officer-laptop.png")
    # Marked read with its own button (keyboard: a real button in the list).
    answer.get_by_role("button", name="Mark as read").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/notifications$"))
    expect(page.locator(".notice.unread")).to_have_count(0)
    expect(header_link(page)).to_have_text("Notifications")

    # The choices page: every kind with a labelled choice.
    page.get_by_role("link", name="Choose how you are told").click()
    page.wait_for_url(re.compile(r"/notifications/settings$"))
    choice = page.get_by_label("Your resolution was approved", exact=True)
    expect(choice).to_have_value("email_now")
    page.set_viewport_size(PHONE)
    no_horizontal_scroll(page)
    screenshot("notifications-settings-phone.png")
    page.set_viewport_size(LAPTOP)
    choice.select_option(label="Only in the tracker")
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("status").filter(has_text="Your choices are saved.")).to_be_visible()
    expect(page.get_by_label("Your resolution was approved", exact=True)).to_have_value("in_app")
    assert console_errors() == []
