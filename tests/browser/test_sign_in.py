"""Signing in and out in a real browser, for every role, by mouse and by keyboard."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tracker.auth.models import Role
from tracker.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

ADMIN_LINKS = ("Accounts", "Offices", "Audit log")
# The main navigation each role sees, in order: nothing of another role's work.
NAVIGATION = {
    Role.CONSULAR_OFFICER: ["Home", "Consular work", "Requests", "Enquiries", "Reports"],
    Role.POLICE_LIAISON_OFFICER: ["Home", "Liaison cases", "Reports"],
    Role.MANAGER: ["Home", "Consular work", "Requests", "Duplicates", "Reports", "Retention"],
    Role.ADMINISTRATOR: ["Home", "Accounts", "Offices", "Service targets", "Letter templates",
                         "Audit log", "Mail outbox", "Retention"],
}
HOME_HEADING = re.compile(r"^Good to see you")
BAD_CREDENTIALS = "The e-mail address or password is not right."
SHORT_PASSWORD_ERROR = "Use at least 15 characters; a few words work well."
PHONE = {"width": 390, "height": 844}


def demo_account(role: Role):
    return next(account for account in DEMO_ACCOUNTS if account.role == role)


def path_of(page) -> str:
    return urlsplit(page.url).path


def expect_home_page(page, account) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_HEADING)
    assert path_of(page) == "/"
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name=re.compile("^" + re.escape(account.display_name)))
           ).to_have_attribute("href", "/account")
    expect(header.get_by_role("button", name="Sign out")).to_be_visible()


def settle(page) -> None:
    """Wait two frames after load: Chromium applies `autofocus` at a rendering step, and a
    person never presses a key before that; a Tab pressed earlier would race it."""
    page.wait_for_load_state()
    page.evaluate("() => new Promise(done => requestAnimationFrame("
                  "() => requestAnimationFrame(done)))")


def expect_sign_in_page(page) -> None:
    assert path_of(page) == "/login", page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_label("E-mail address", exact=True)).to_be_visible()
    expect(page.get_by_text(HOME_HEADING)).to_have_count(0)
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_each_role_signs_in_sees_its_navigation_and_signs_out(
        role, page, sign_in, screenshot, console_errors):
    account = demo_account(role)
    sign_in(account)
    expect_home_page(page, account)

    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(NAVIGATION[role])
    for name in ADMIN_LINKS:
        expect(nav.get_by_role("link", name=name, exact=True)).to_have_count(
            1 if role is Role.ADMINISTRATOR else 0)
    expect(nav.get_by_role("link", name="Home", exact=True)).to_have_attribute(
        "aria-current", "page")
    screenshot(f"home-{role.value}.png")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login$"))
    expect(page.get_by_role("status").filter(has_text="You have signed out.")).to_be_visible()

    # Cache-Control: no-store: the back button asks the server again, which wants a sign-in.
    page.go_back()
    page.wait_for_load_state()
    expect_sign_in_page(page)
    assert console_errors() == []


def test_home_page_fits_a_phone(page, sign_in, screenshot, console_errors):
    account = demo_account(Role.ADMINISTRATOR)
    page.set_viewport_size(PHONE)
    sign_in(account)
    expect_home_page(page, account)
    screenshot("home-administrator-phone.png")
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"], f"horizontal scrolling at phone width: {widths}"
    assert console_errors() == []


def test_sign_in_page_is_ready_to_type_and_the_skip_link_comes_first(page, console_errors):
    """At 2 a.m. the cursor is already in the e-mail field; the skip link is still first."""
    page.goto("/login")
    settle(page)
    expect(page.get_by_label("E-mail address", exact=True)).to_be_focused()
    first_focusable = page.evaluate(
        "() => document.querySelector('a[href], button, input:not([type=hidden]), select, "
        "textarea, [tabindex]:not([tabindex=\"-1\"])').textContent.trim()")
    assert first_focusable == "Skip to main content"
    page.keyboard.press("Shift+Tab")  # the site name
    page.keyboard.press("Shift+Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()  # shown when focused, not left off-screen
    assert console_errors() == []


def test_sign_in_with_the_keyboard_only(page, console_errors):
    account = demo_account(Role.CONSULAR_OFFICER)
    page.goto("/login")
    settle(page)

    email = page.get_by_label("E-mail address", exact=True)
    for _ in range(8):  # Tab through the page until the e-mail field has the focus
        if email.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(email).to_be_focused()
    page.keyboard.type(account.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(account.password)
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/$"))
    expect_home_page(page, account)
    settle(page)

    # On the home page the first Tab reaches the skip link, and Enter moves to the content.
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert console_errors() == []


def test_wrong_password_is_refused_with_a_message(page, sign_in, screenshot, console_errors):
    account = demo_account(Role.POLICE_LIAISON_OFFICER)
    sign_in(account, password="not the password of this account", expect_home=False)
    expect(page.get_by_role("alert")).to_contain_text(BAD_CREDENTIALS)
    expect_sign_in_page(page)
    expect(page.get_by_label("E-mail address", exact=True)).to_have_value(account.email)
    screenshot("login-error.png")
    assert console_errors() == []


def test_administrator_creates_an_account_after_fixing_a_short_password(
        page, sign_in, screenshot, console_errors):
    sign_in(demo_account(Role.ADMINISTRATOR))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts")
    page.get_by_role("link", name="Create an account").click()
    page.wait_for_url(re.compile(r"/admin/users/new$"))

    page.get_by_label("E-mail address", exact=True).fill("farah.baig@tracker.example")
    page.get_by_label("Name", exact=True).fill("Farah Baig")
    page.get_by_label("Role", exact=True).select_option(label="Consular officer")
    page.get_by_label("Office", exact=True).select_option(
        label="Honorary Consulate of Norway, Karachi")
    page.get_by_label("Initial password", exact=True).fill("too short")
    page.get_by_label("Account is active", exact=True).check()
    with page.expect_response(lambda r: r.request.method == "POST"
                              and urlsplit(r.url).path == "/admin/users/new") as answer:
        page.get_by_role("button", name="Create account").click()
    assert answer.value.status == 422
    page.wait_for_load_state()

    password = page.get_by_label("Initial password", exact=True)
    field = page.locator(".field").filter(has=password)
    expect(field).to_have_count(1)
    expect(field.locator(".error")).to_contain_text(SHORT_PASSWORD_ERROR)
    expect(password).to_have_attribute("aria-invalid", "true")
    error_id = field.locator(".error").first.get_attribute("id")
    expect(password).to_have_attribute("aria-describedby", re.compile(rf"\b{error_id}\b"))
    # What was typed is kept, except the password.
    expect(page.get_by_label("Name", exact=True)).to_have_value("Farah Baig")
    screenshot("user-form-error.png")

    password.fill("a kite over the margalla hills")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status").filter(has_text="Account for Farah Baig created.")
           ).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Farah Baig")
    assert console_errors() == []
