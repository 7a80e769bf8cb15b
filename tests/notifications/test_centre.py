"""The notification centre: the header's unread count, the list, following one, marking read,
the choices page and the administrators' outbox, as a user sees them."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import make_liaison_case, make_office, make_request, make_user, reload
from tracker.auth.models import OfficeKind, Role
from tracker.cases import assignment, journal
from tracker.extensions import db
from tracker.notifications import service
from tracker.notifications.models import (
    Delivery,
    Notification,
    NotificationChoice,
    NotificationKind as K,
    OutboxMail,
)
from tracker.police import services as police


def unread_in_header(html: str) -> str | None:
    match = re.search(r'class="notice-count">(\d+)<', html)
    return match.group(1) if match else None


@pytest.fixture
def officer_with_news(login_as):
    """A signed-in officer with two notifications: an assignment, then a note."""
    signed = login_as(Role.CONSULAR_OFFICER)
    officer = signed.user
    colleague = make_user(Role.CONSULAR_OFFICER, office=officer.office)
    request = make_request(officer=colleague, summary="Lost passport in Karachi")
    assignment.assign(request, colleague, officer)
    journal.add_note(request, colleague, "Called the police station")
    db.session.commit()
    return signed, request


def test_the_header_shows_the_unread_count_on_every_page(officer_with_news):
    signed, request = officer_with_news
    for url in ("/", "/account", "/notifications", "/consular/requests/" + request.reference):
        html = signed.get(url).get_data(as_text=True)
        assert unread_in_header(html) == "2", url
        assert "2</span><span class=\"visually-hidden\"> unread" in html


def test_no_count_when_nothing_is_unread(login_as):
    html = login_as(Role.MANAGER).get("/").get_data(as_text=True)
    assert unread_in_header(html) is None
    assert 'href="/notifications"' in html


def test_the_centre_lists_newest_first_with_the_unread_marked(officer_with_news):
    signed, request = officer_with_news
    html = signed.get("/notifications").get_data(as_text=True)
    note = html.index("A note was added to a case assigned to you")
    assigned = html.index("A case was assigned to you")
    assert note < assigned
    assert html.count('class="notice unread"') == 2
    assert request.reference in html
    assert "Called the police station" not in html and "Lost passport" not in html


def test_following_a_notification_marks_it_read_and_opens_the_case(officer_with_news):
    signed, request = officer_with_news
    first = db.session.scalar(select(Notification).where(
        Notification.user_id == signed.user.id).order_by(Notification.id))
    response = signed.get(f"/notifications/{first.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/consular/requests/{request.reference}")
    assert reload(first).read_at is not None
    assert unread_in_header(signed.get("/").get_data(as_text=True)) == "1"


def test_another_accounts_notification_is_404(officer_with_news, login_as):
    signed, _ = officer_with_news
    theirs = db.session.scalar(select(Notification.id).where(
        Notification.user_id == signed.user.id))
    intruder = login_as(Role.CONSULAR_OFFICER, office=signed.user.office)
    assert intruder.get(f"/notifications/{theirs}").status_code == 404
    assert intruder.post(f"/notifications/{theirs}/read").status_code == 404
    assert reload(db.session.get(Notification, theirs)).read_at is None


def test_a_case_no_longer_readable_is_not_named_and_does_not_open(officer_with_news):
    signed, request = officer_with_news
    signed.user.office = make_office(kind=OfficeKind.EMBASSY)  # moved to another office
    db.session.commit()
    html = signed.get("/notifications").get_data(as_text=True)
    assert "A case was assigned to you" in html and request.reference not in html
    notification = db.session.scalar(select(Notification.id).where(
        Notification.user_id == signed.user.id))
    assert signed.get(f"/notifications/{notification}").status_code == 404


def test_mark_one_and_mark_all_read(officer_with_news):
    signed, _ = officer_with_news
    ids = list(db.session.scalars(select(Notification.id).where(
        Notification.user_id == signed.user.id).order_by(Notification.id)))
    assert signed.post(f"/notifications/{ids[0]}/read").status_code == 302
    assert unread_in_header(signed.get("/").get_data(as_text=True)) == "1"
    response = signed.post("/notifications/read-all", follow_redirects=True)
    assert "All notifications are marked as read." in response.get_data(as_text=True)
    assert unread_in_header(response.get_data(as_text=True)) is None


def test_marking_read_needs_the_csrf_token(officer_with_news):
    signed, _ = officer_with_news
    assert signed.client.post("/notifications/read-all").status_code == 400
    assert unread_in_header(signed.get("/").get_data(as_text=True)) == "2"


def test_the_choices_page_offers_the_roles_kinds_and_keeps_the_choice(login_as):
    signed = login_as(Role.CONSULAR_OFFICER)
    html = signed.get("/notifications/settings").get_data(as_text=True)
    assert '<label for="note_added">A note was added to a case assigned to you</label>' in html
    assert "waiting for your approval" not in html  # managers only
    assert "named on" not in html  # liaison officers only
    kinds = [k for k in K if signed.user.role in service.KIND_ROLES[k]]
    data = {k.value: "in_app" for k in kinds} | {"assigned": "digest"}
    response = signed.post("/notifications/settings", data)
    assert response.status_code == 302
    choices = service.choices_of(signed.user)
    assert choices[K.ASSIGNED] is Delivery.DIGEST and choices[K.NOTE_ADDED] is Delivery.IN_APP


def test_a_bad_choice_is_refused_beside_its_field_and_nothing_is_saved(login_as):
    signed = login_as(Role.MANAGER)
    kinds = [k for k in K if signed.user.role in service.KIND_ROLES[k]]
    data = {k.value: "in_app" for k in kinds} | {"approval_needed": "carrier-pigeon"}
    response = signed.post("/notifications/settings", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = html[html.index('<label for="approval_needed">'):]
    assert "Not a valid choice." in field[:field.index("</select>")]
    assert db.session.scalar(select(NotificationChoice).where(
        NotificationChoice.user_id == signed.user.id)) is None


def test_a_liaison_officer_sees_the_break_glass_and_the_case(login_as):
    signed = login_as(Role.POLICE_LIAISON_OFFICER)
    breaker = make_user(Role.POLICE_LIAISON_OFFICER, office=signed.user.office)
    case, _, _ = make_liaison_case(signed.user)
    police.set_restriction(case, signed.user, True, [])
    db.session.commit()
    police.break_glass(case, breaker, "Urgent question from the Swedish police")
    db.session.commit()
    html = signed.get("/notifications").get_data(as_text=True)
    assert "A colleague opened a case you are named on" in html and case.reference in html
    notification = db.session.scalar(select(Notification.id).where(
        Notification.user_id == signed.user.id, Notification.kind == K.BREAK_GLASS))
    response = signed.get(f"/notifications/{notification}")
    assert response.headers["Location"].endswith(f"/police/cases/{case.reference}")


def test_the_outbox_page_shows_administrators_the_would_be_mail(login_as):
    admin = login_as(Role.ADMINISTRATOR)
    officer = make_user(Role.CONSULAR_OFFICER)
    request = make_request(officer=officer, assigned=False)
    assignment.assign(request, make_user(Role.MANAGER), officer)
    db.session.commit()
    html = admin.get("/admin/outbox").get_data(as_text=True)
    assert officer.email in html and "A case was assigned to you" in html
    assert "outbox-page" in html and request.reference not in html
    assert db.session.scalar(select(OutboxMail.body)) .count("/notifications/") == 2
    assert login_as(Role.MANAGER).get("/admin/outbox").status_code == 403
