"""A real Chromium (Debian's, driven by Playwright) against the application served live.

The live application has its own SQLite file database, migrated and loaded with the demo
accounts; it never touches the suite's main database. Every test in this folder must carry
the `browser` marker (the suite's transaction fixture stands aside for those).
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from tracker import create_app
from tracker.config import make_test_config
from tracker.demo import DemoAccount, load_demo
from tracker.unit_of_work import unit_of_work
from tracker.extensions import db, limiter

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = f"Chromium not found at {CHROMIUM}; apt-get install chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "build" / "screenshots"

# axe-core, fetched by `make install-dev` (see the Makefile): every page a browser test loads is
# checked against WCAG 2.1 A and AA.
AXE = REPO_ROOT / "build" / "axe" / "axe-4.14.1.min.js"
AXE_MISSING = f"axe-core not found at {AXE}; run `make install-dev`"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Runs in every page once it has loaded and hands the violations to the test's Python side.
REPORT_ON_LOAD = """
window.addEventListener("load", () => {
  if (!window.axe || !window.reportAccessibility) return;
  // Kept, so that the check at the test's end waits for it (axe runs one check at a time).
  window.accessibilityRun = axe.run(document, {runOnly: {type: "tag", values: %s},
                                               resultTypes: ["violations"]})
    .then(result => window.reportAccessibility(location.pathname + location.search,
      result.violations.map(v => ({rule: v.id, impact: v.impact, help: v.help,
                                    where: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))));
});
""" % WCAG_AA

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def chromium_available() -> None:
    """Skip without Chromium on a developer's machine; on CI (CI=true) that is a failure."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(CHROMIUM_MISSING + " (CI=true: browser tests may not be skipped)",
                    pytrace=False)
    pytest.skip(CHROMIUM_MISSING)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_available):
    """Debian's Chromium, never a downloaded one (`playwright install` is not used)."""
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM),
            "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": LAPTOP}


@pytest.fixture(autouse=True)
def accessibility(context):
    """Every page the test loads is checked with axe-core; any WCAG 2.1 A/AA violation fails
    the test (at its end, listing each page, rule and element)."""
    if not AXE.is_file():
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(AXE_MISSING + " (CI=true: the accessibility check may not be skipped)",
                        pytrace=False)
        yield []
        return
    checked: list[tuple[str, list]] = []
    context.expose_function("reportAccessibility",
                            lambda where, violations: checked.append((where, violations)))
    context.add_init_script(path=str(AXE))
    context.add_init_script(script=REPORT_ON_LOAD)
    yield checked
    for page in context.pages:  # the last page may not have reported yet: check it now
        if page.is_closed() or not page.url.startswith("http"):
            continue
        found = page.evaluate("""(tags) => Promise.resolve(window.accessibilityRun).catch(() => null)
            .then(() => axe.run(document, {runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"]}).then(r => r.violations.map(v => ({rule: v.id,
            impact: v.impact, help: v.help, where: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))""",
                              WCAG_AA)
        checked.append((page.url, found))
    problems = [f"{where}: {v['rule']} ({v['impact']}): {v['help']} at {', '.join(v['where'])}"
                for where, violations in checked for v in violations]
    assert checked, "axe-core checked no page"
    assert not problems, "accessibility (WCAG 2.1 AA):\n" + "\n".join(dict.fromkeys(problems))


# --- the live application -------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The application on its own fresh database: migrations, then the demo data."""
    path = tmp_path_factory.mktemp("browser-db") / "tracker-browser.sqlite3"
    application = create_app(make_test_config(f"sqlite:///{path}"))
    with application.app_context():
        upgrade()
        with unit_of_work():
            load_demo()
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    """The live application served on a free port of 127.0.0.1; yields its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server):
    """pytest-playwright gives this to every browser context: page.goto("/login") works."""
    return live_server


@pytest.fixture(autouse=True)
def _fresh_login_limits(live_app):
    """The per-address sign-in limit counts every test's logins from 127.0.0.1: start afresh."""
    limiter.reset()


# --- helpers --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def screenshot(page, screenshot_dir):
    """screenshot("home-manager.png"): a full-page PNG under build/screenshots/."""

    def take(name: str) -> Path:
        path = screenshot_dir / name
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def console_errors(page):
    """console_errors() -> the page's console errors (CSP violations among them) and uncaught
    exceptions so far; a test asserts it is empty at its end.

    Chromium also logs "Failed to load resource: ... status of 401" when a whole page is
    answered with an error status on purpose (a refused sign-in is 401, a form with errors 422).
    Those are left out, for page (document) loads only: a stylesheet, script or image that
    fails to load still counts.
    """
    messages: list[tuple[str, str]] = []
    error_documents: set[str] = set()

    def on_console(message) -> None:
        if message.type == "error":
            messages.append((message.text, message.location.get("url") or ""))

    def on_response(response) -> None:
        if response.request.resource_type == "document" and response.status >= 400:
            error_documents.add(response.url)

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda exc: messages.append((f"uncaught exception: {exc}", page.url)))

    def errors() -> list[str]:
        return [f"{text} ({url})" for text, url in messages
                if not (text.startswith("Failed to load resource: the server responded with a "
                                        "status of ") and url in error_documents)]

    return errors


@pytest.fixture
def sign_in(page):
    """sign_in(account) signs in through the form, as a person would, and waits for the home page.

    sign_in(account, password="...", expect_home=False) only submits the form (wrong passwords).
    """

    def do_sign_in(account: DemoAccount, password: str | None = None, *,
                   expect_home: bool = True) -> None:
        page.goto("/login")
        page.get_by_label("E-mail address").fill(account.email)
        page.get_by_label("Password").fill(account.password if password is None else password)
        page.get_by_role("button", name="Sign in").click()
        if expect_home:
            page.wait_for_url(re.compile(r"^[^?#]*://[^/]+/(?:[?#].*)?$"))
        else:
            page.wait_for_load_state()

    return do_sign_in

