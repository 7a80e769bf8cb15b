"""Steps that are hard to undo are confirmed on their own page: what will happen in plain
words, an optional comment kept on the timeline, and the case's version, so that a change made
in between is the conflict page and not a silent overwrite. Publishing a month likewise."""
from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest

from tests.conftest import make_liaison_case, make_request, make_user, reload, timeline
from tracker.auth.models import Role
from tracker.cases import workflow
from tracker.consular import services as consular
from tracker.db import utcnow
from tracker.extensions import db
from tracker.reports.periods import Month

from tests.reports.pages import pdf_text

C, P, M = Role.CONSULAR_OFFICER, Role.POLICE_LIAISON_OFFICER, Role.MANAGER
CONFLICT = "This was changed by someone else"


def text(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


@pytest.fixture
def death_awaiting_approval(app):
    """A death resolved as 'Remains repatriated' by an officer, waiting for a manager."""
    officer = make_user(C)
    case = make_request(officer=officer, category="death:repatriation",
                        summary="Death in Rawalpindi")
    consular.move(case, officer, "start")
    consular.move(case, officer, "request_approval", closing_reason="repatriated")
    db.session.commit()
    return case, officer


def resolved_request(officer):
    case = make_request(officer=officer)
    consular.move(case, officer, "start")
    consular.move(case, officer, "resolve", closing_reason="issued")
    db.session.commit()
    return case


def steps_url(case, name):
    prefix = "/police/cases" if case.kind == "liaison_case" else "/consular/requests"
    return f"{prefix}/{case.reference}/steps/{name}"


# --- the step pages ------------------------------------------------------------------------


def test_approving_says_what_will_happen_and_keeps_the_comment(login_as,
                                                                death_awaiting_approval):
    case, officer = death_awaiting_approval
    manager = login_as(M)
    detail = text(manager.get(f"/consular/requests/{case.reference}"))
    # Not one click from the case page any more: a link to the step page.
    assert f'href="{steps_url(case, "approve")}"' in detail
    page = manager.get(steps_url(case, "approve"))
    assert page.status_code == 200
    shown = text(page)
    assert "The request will be resolved as 'Remains repatriated'" in shown
    assert officer.display_name in shown  # whose approval request it answers
    assert ">Confirm<" in shown
    response = manager.post(steps_url(case, "approve"),
                            {"version": case.version, "comment": "Checked with the family"})
    assert response.status_code == 302
    assert reload(case).status == "resolved"
    last = timeline(case)[-1]
    assert last.transition == "approve" and last.comment == "Checked with the family"
    assert "Checked with the family" in text(manager.get(f"/consular/requests/{case.reference}"))


def test_sending_back_needs_a_reason_and_says_so(login_as, death_awaiting_approval):
    case, _ = death_awaiting_approval
    manager = login_as(M)
    shown = text(manager.get(steps_url(case, "send_back")))
    assert "'Remains repatriated' will not be approved" in shown
    refused = manager.post(steps_url(case, "send_back"), {"version": case.version})
    assert refused.status_code == 422 and reload(case).status == "pending_approval"
    assert manager.post(steps_url(case, "send_back"),
                        {"version": case.version, "comment": "Ask the hospital first"}
                        ).status_code == 302
    assert reload(case).status == "in_progress"
    assert timeline(case)[-1].comment == "Ask the hospital first"


@pytest.mark.parametrize("step, details, words", [
    ("close", {}, "will be closed with the outcome 'Passport issued'"),
    ("cancel", {"cancel_reason": "duplicate"}, "will be cancelled"),
])
def test_closing_and_cancelling_a_request(login_as, step, details, words):
    officer = login_as(C)
    case = resolved_request(officer.user) if step == "close" else make_request(
        officer=officer.user)
    assert words in text(officer.get(steps_url(case, step)))
    response = officer.post(steps_url(case, step),
                            {**details, "version": case.version, "comment": "As agreed"})
    assert response.status_code == 302
    case = reload(case)
    assert case.status == ("closed" if step == "close" else "cancelled")
    assert timeline(case)[-1].comment == "As agreed"


def test_closing_a_liaison_case(login_as):
    officer = login_as(P)
    case, *_ = make_liaison_case(officer.user)
    shown = text(officer.get(steps_url(case, "close")))
    assert "The case will be closed with the outcome you choose" in shown
    response = officer.post(steps_url(case, "close"), {
        "closing_reason": "arrest", "version": case.version, "comment": "FIA confirmed"})
    assert response.status_code == 302
    assert reload(case).status == "closed"
    assert timeline(case)[-1].comment == "FIA confirmed"


def confirmation_cases(login_as, death_awaiting_approval):
    """(user, case, step, details) for each step that needs confirmation."""
    case, _ = death_awaiting_approval
    manager = login_as(M)
    officer = login_as(C)
    police = login_as(P)
    liaison_case, *_ = make_liaison_case(police.user)
    return [(manager, case, "approve", {}),
            (manager, case, "send_back", {"comment": "Not yet"}),
            (officer, resolved_request(officer.user), "close", {}),
            (officer, make_request(officer=officer.user), "cancel",
             {"cancel_reason": "duplicate"}),
            (police, liaison_case, "close", {"closing_reason": "arrest"})]


def test_a_confirmation_without_the_version_changes_nothing(login_as, death_awaiting_approval):
    for user, case, step, details in confirmation_cases(login_as, death_awaiting_approval):
        before = (reload(case).status, len(timeline(case)))
        for version in ({}, {"version": "not a number"}):
            response = user.post(steps_url(case, step), {**details, **version})
            assert response.status_code == 409, (step, version)
            assert CONFLICT in text(response)
        assert (reload(case).status, len(timeline(case))) == before, step


def test_a_change_in_between_gives_the_conflict_page(login_as, death_awaiting_approval):
    for user, case, step, details in confirmation_cases(login_as, death_awaiting_approval):
        opened_at = case.version
        # Someone else edits the case after the step page was opened.
        case.summary = case.summary + " (edited)"
        db.session.commit()
        before = (reload(case).status, len(timeline(case)))
        response = user.post(steps_url(case, step), {**details, "version": opened_at})
        assert response.status_code == 409, step
        page = text(response)
        assert CONFLICT in page and "nothing was done" in page
        assert (reload(case).status, len(timeline(case))) == before, step


def test_one_click_steps_stay_one_click(login_as):
    officer = login_as(C)
    case = make_request(officer=officer.user)
    page = text(officer.get(f"/consular/requests/{case.reference}"))
    assert f'action="{steps_url(case, "start")}"' in page
    assert officer.post(steps_url(case, "start")).status_code == 302  # no version needed
    assert reload(case).status == "in_progress"


# --- break-glass ----------------------------------------------------------------------------


def test_break_glass_says_what_confirming_does(login_as):
    from tracker.police import services as police

    named = make_user(P)
    case, *_ = make_liaison_case(named)
    police.set_restriction(case, named, True, [])
    db.session.commit()
    other = login_as(P)
    shown = text(other.get(f"/police/cases/{case.reference}/break-glass"))
    assert "When you confirm, every page of this case opens to you for 8 hours" in shown
    assert "Confirm: open the case" in shown


# --- publishing a month ---------------------------------------------------------------------


@pytest.fixture
def month_is_over(monkeypatch):
    later = utcnow() + timedelta(days=40)
    monkeypatch.setattr("tracker.reports.report.utcnow", lambda: later)
    monkeypatch.setattr("tracker.reports.views.utcnow", lambda: later)


def test_publishing_is_confirmed_with_a_comment_on_the_page_and_in_the_pdf(login_as,
                                                                          month_is_over):
    manager = login_as(M)
    make_request(officer=make_user(C, office=manager.user.office))
    month = Month.containing(utcnow(), "Asia/Karachi")
    report = text(manager.get(f"/reports/?month={month}&office=all"))
    assert f'/reports/publish?month={month}&amp;office=all' in \
        manager.get(f"/reports/?month={month}&office=all").get_data(as_text=True)
    assert "<form method=\"post\" action=\"/reports/publish\"" not in report  # not one click
    page = manager.get(f"/reports/publish?month={month}&office=all")
    assert page.status_code == 200
    shown = text(page)
    assert f"The figures for {month.label} (all offices) will be frozen" in shown
    assert "this will be the first" in shown
    response = manager.post("/reports/publish", {"month": str(month), "office": "all",
                                                 "comment": "Two deaths counted in March"})
    assert response.status_code == 302
    published = text(manager.get(f"/reports/?month={month}&office=all"))
    assert "Comment on publishing: Two deaths counted in March" in " ".join(
        published.replace("<strong>", "").replace("</strong>", "").split())
    pdf = manager.get(f"/reports/export/pdf?month={month}&office=all")
    assert "Two deaths counted in March" in " ".join(pdf_text(pdf.data).split())
    # The next month's confirmation names this publication.
    later = manager.get(f"/reports/publish?month={month.next()}&office=all")
    if later.status_code == 200:
        assert f"was {month}" in text(later) and "Two deaths counted in March" in text(later)


def test_publishing_a_running_month_has_no_confirmation_page(login_as):
    manager = login_as(M)
    month = Month.containing(utcnow(), "Asia/Karachi")
    response = manager.get(f"/reports/publish?month={month}&office=all")
    assert response.status_code == 302
    assert "not over yet" in text(manager.get(response.headers["Location"]))


def test_only_managers_confirm_publishing(login_as, month_is_over):
    month = Month.containing(utcnow(), "Asia/Karachi")
    for role in (C, P):
        assert login_as(role).get(f"/reports/publish?month={month}").status_code == 403


def test_the_engine_still_takes_confirmed_steps_from_services(death_awaiting_approval):
    """Confirmation is the web page's business: a script's move needs no version."""
    case, _ = death_awaiting_approval
    workflow.move(case, make_user(M), "approve")
    assert case.status == "resolved"


def test_the_publish_confirmation_shows_figure_by_figure_what_changed(login_as, month_is_over):
    """Publishing a month shows, before the officer confirms, each figure that differs from
    the last publication (here: the month before, with no requests), and no figure that does
    not."""
    manager = login_as(M)
    month = Month.containing(utcnow(), "Asia/Karachi")
    assert manager.post("/reports/publish", {"month": str(month.previous()), "office": "all",
                                             "comment": ""}).status_code == 302
    officer = make_user(C, office=manager.user.office)
    for _ in range(7):  # above the small-count threshold, so the figure itself is shown
        make_request(officer=officer, category="passport:renewal")
    shown = text(manager.get(f"/reports/publish?month={month}&office=all"))
    assert f"What {month.label} shows differently from {month.previous()}" in shown
    rows = re.findall(r"<tr><td>([^<]*)</td><th scope=\"row\">([^<]*)</th><td>([^<]*)</td>"
                      r"<td class=\"num\">([^<]*)</td><td class=\"num\">([^<]*)</td></tr>", shown)
    assert rows, "no figure listed"
    assert all(was != now for *_, was, now in rows)
    assert any(row.startswith("Passport") and (was, now) == ("0", "7")
               for _, row, _, was, now in rows), rows
