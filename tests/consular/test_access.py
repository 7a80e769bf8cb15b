"""Who sees what: own office to work, other offices to read only if allowed, 404 otherwise."""
from __future__ import annotations

import pytest

from tests.conftest import (PDF_BYTES, make_document, make_office, make_request, make_user,
                            reload)
from tests.consular.helpers import audit_rows, count, timeline
from tracker.audit.models import AuditEvent
from tracker.auth.models import Role
from tracker.cases.models import Attachment, JournalNote
from tracker.consular import access

C, P, M, A = (Role.CONSULAR_OFFICER, Role.POLICE_LIAISON_OFFICER, Role.MANAGER,
              Role.ADMINISTRATOR)


@pytest.fixture
def other_office_request(app):
    """A request of Karachi, with a document, and everything an URL can name."""
    karachi = make_office(name="Honorary consulate Karachi")
    officer = make_user(C, office=karachi)
    from tests.conftest import make_person

    subject = make_person("Zainab Unseen Qureshi")
    request = make_request(office=karachi, officer=officer, subject=subject,
                           summary="Lost passport in Clifton")
    document = make_document(request, officer)
    return request, document, subject


def routes(request, document):
    """Every page of a request: (method, url, form data a worker would send)."""
    ref = request.reference
    base = f"/consular/requests/{ref}"
    return [
        ("GET", base, None),
        ("GET", f"{base}/edit", None),
        ("POST", f"{base}/edit", {"version": str(request.version), "subcategory": "renewal",
                                  "priority": "urgent", "summary": "Changed"}),
        ("GET", f"{base}/steps/start", None),
        ("POST", f"{base}/steps/start", {}),
        ("GET", f"{base}/steps/wait", None),
        ("POST", f"{base}/steps/cancel", {"cancel_reason": "duplicate",
                                          "version": lambda: str(reload(request).version)}),
        ("POST", f"{base}/notes", {"text": "Written where it should not be"}),
        ("POST", f"{base}/contacts", {"contact_channel": "call", "contact_with": "Mother",
                                      "said": "Called"}),
        ("POST", f"{base}/documents", {"file": (__import__("io").BytesIO(PDF_BYTES),
                                                "x.pdf")}),
        ("GET", f"{base}/documents/{document.id}", None),
        ("POST", f"{base}/documents/{document.id}/remove", {"reason": "Not needed"}),
        ("POST", f"{base}/assign", {"assigned_to": "0"}),
    ]


READ_ROUTES = {"GET /consular/requests/{ref}", "GET /consular/requests/{ref}/documents/{doc}"}


def _key(method, url, request, document):
    return f"{method} " + url.replace(request.reference, "{ref}").replace(
        f"/documents/{document.id}", "/documents/{doc}")


def _open(user, method, url, data):
    if method == "GET":
        return user.get(url)
    # A value known only when sent (the case's version at that moment).
    data = {key: value() if callable(value) else value for key, value in (data or {}).items()}
    if data and "file" in data:
        import io

        data = {**data, "file": (io.BytesIO(PDF_BYTES), "x.pdf")}
    return user.post(url, data or {})


def _state(request):
    return (count(JournalNote, JournalNote.case_id == request.id),
            count(Attachment, Attachment.case_id == request.id,
                  Attachment.removed_at.is_(None)),
            len(timeline(request)))


def test_an_officer_of_another_office_gets_404_everywhere(login_as, other_office_request):
    request, document, _ = other_office_request
    officer = login_as(C)
    before = _state(request)
    wrong = []
    for method, url, data in routes(request, document):
        response = _open(officer, method, url, data)
        if response.status_code != 404:
            wrong.append((method, url, response.status_code))
        assert "Zainab" not in response.get_data(as_text=True)
    assert not wrong
    assert _state(request) == before
    assert audit_rows(request.reference, "consular_request.viewed") == []
    assert audit_rows(request.reference, "consular_request.document_downloaded") == []


def test_reading_all_offices_reads_but_does_not_work(login_as, other_office_request):
    request, document, _ = other_office_request
    reader = login_as(C, reads_all_offices=True)
    before = _state(request)
    wrong = []
    for method, url, data in routes(request, document):
        response = _open(reader, method, url, data)
        expected = 200 if _key(method, url, request, document) in READ_ROUTES else 404
        if response.status_code != expected:
            wrong.append((method, url, expected, response.status_code))
    assert not wrong
    assert _state(request) == before
    page = reader.get(f"/consular/requests/{request.reference}").get_data(as_text=True)
    assert "Zainab Unseen Qureshi" in page
    # No buttons or forms for work it may not do.
    assert "/steps/" not in page and "Add a note" not in page and "Upload" not in page


def test_a_manager_reads_and_works_every_office(login_as, other_office_request):
    request, document, _ = other_office_request
    manager = login_as(M)
    for method, url, data in routes(request, document):
        response = _open(manager, method, url, data)
        assert response.status_code in (200, 302), (method, url, response.status_code)


@pytest.mark.parametrize("role", [P, A])
def test_police_and_administrators_see_no_request(login_as, other_office_request, role):
    """Refused for the whole section, whether the request exists or not: nothing leaks."""
    request, document, _ = other_office_request
    user = login_as(role, office=request.office)
    for method, url, data in routes(request, document):
        real = _open(user, method, url, data)
        made_up = _open(user, method, url.replace(request.reference, "ISB-1999-99999"), data)
        assert real.status_code == made_up.status_code, (method, url)
        assert real.status_code in (403, 404)
        assert "Zainab" not in real.get_data(as_text=True)
    for page in ("/consular/", "/consular/requests/", "/consular/search?q=Zainab"):
        response = user.get(page)
        assert response.status_code == 403
        assert request.reference not in response.get_data(as_text=True)


def test_a_reference_that_does_not_exist_is_404_like_a_hidden_one(login_as):
    officer = login_as(C)
    assert officer.get("/consular/requests/ISB-1999-99999").status_code == 404
    assert officer.post("/consular/requests/ISB-1999-99999/notes",
                        {"text": "x"}).status_code == 404


def test_hidden_requests_are_in_no_list_queue_or_search(login_as, other_office_request):
    request, _, subject = other_office_request
    officer = login_as(C)
    own = make_request(office=officer.user.office, officer=officer.user,
                       summary="Own office request")
    # Overdue and unassigned too, so that every queue would have a reason to show it.
    from datetime import timedelta

    from tracker.consular import services
    from tracker.db import utcnow

    overdue = services.create_request(
        make_user(C, office=request.office), request.office, services.RequestInput(
            category="passport", subcategory="new", priority="emergency", channel="phone",
            summary="Lost passport in Clifton"), [subject],
        opened_at=utcnow() - timedelta(days=90))
    pages = ["/consular/", "/consular/requests/", "/consular/requests/?overdue=y",
             f"/consular/requests/?office={request.office_id}",
             f"/consular/search?q={request.reference}", "/consular/search?q=Zainab+Qureshi",
             "/consular/search?q=Zainab"]
    for page in pages:
        html = officer.get(page).get_data(as_text=True)
        assert f'/consular/requests/{request.reference}"' not in html, page
        assert f'/consular/requests/{overdue.reference}"' not in html, page
        assert "Lost passport in Clifton" not in html, page
        assert "Zainab Unseen Qureshi" not in html, page
    assert own.reference in officer.get("/consular/requests/").get_data(as_text=True)
    assert officer.get(f"/consular/persons/{subject.id}").status_code == 404


def test_reading_all_offices_finds_them_in_list_and_search(login_as, other_office_request):
    request, _, _ = other_office_request
    reader = login_as(C, reads_all_offices=True)
    assert request.reference in reader.get("/consular/requests/").get_data(as_text=True)
    found = reader.get("/consular/search?q=Zainab+Qureshi").get_data(as_text=True)
    assert request.reference in found


def test_every_read_is_audited(login_as, other_office_request):
    request, _, _ = other_office_request
    manager = login_as(M)
    reader = login_as(C, reads_all_offices=True)
    before = count(AuditEvent)
    for user in (manager, reader, manager):
        assert user.get(f"/consular/requests/{request.reference}").status_code == 200
    views = audit_rows(request.reference, "consular_request.viewed")
    assert [v.actor_id for v in views] == [manager.user.id, reader.user.id, manager.user.id]
    assert all(v.object_type == "consular_request" for v in views)
    assert count(AuditEvent) == before + 3


def test_the_access_history_is_shown_to_managers_only(login_as, other_office_request):
    request, _, _ = other_office_request
    reader = login_as(C, reads_all_offices=True)
    page = reader.get(f"/consular/requests/{request.reference}").get_data(as_text=True)
    assert "Who opened this request" not in page
    manager = login_as(M)
    page = manager.get(f"/consular/requests/{request.reference}").get_data(as_text=True)
    history = page.split("Who opened this request")[1]
    assert reader.user.email in history and manager.user.email in history
    own = login_as(C, office=request.office)
    page = own.get(f"/consular/requests/{request.reference}").get_data(as_text=True)
    assert "Who opened this request" not in page and reader.user.email not in page


def test_the_rule_in_one_place(app):
    karachi, lahore = make_office(), make_office()
    request = make_request(office=karachi)
    officer = make_user(C, office=lahore)
    reader = make_user(C, office=lahore, reads_all_offices=True)
    colleague = make_user(C, office=karachi)
    manager = make_user(M, office=lahore)
    police = make_user(P, office=karachi)
    admin = make_user(A, office=karachi)
    expect = {officer: (False, False), reader: (True, False), colleague: (True, True),
              manager: (True, True), police: (False, False), admin: (False, False)}
    from sqlalchemy import select

    from tracker.cases import scope
    from tracker.consular.models import ConsularRequest
    from tracker.extensions import db

    for user, (read, work) in expect.items():
        assert access.can_read(user, request) is read
        assert access.can_work(user, request) is work
        with scope.reading_as(user):  # the data layer's rule agrees with the per-object one
            listed = db.session.scalars(
                select(ConsularRequest.id).where(ConsularRequest.id == request.id)).all()
        assert bool(listed) is read


def test_a_persons_page_shows_only_requests_the_user_may_read(login_as):
    from tests.conftest import make_person

    officer = login_as(C)
    person = make_person("Imran Abbasi")
    own = make_request(office=officer.user.office, officer=officer.user, subject=person)
    hidden = make_request(office=make_office(), subject=person, summary="Hidden in Lahore")
    response = officer.get(f"/consular/persons/{person.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert own.reference in html
    assert hidden.reference not in html and "Hidden in Lahore" not in html
    views = [a for a in audit_rows(str(person.id)) if a.action == "consular_person.viewed"]
    assert [v.actor_id for v in views] == [officer.user.id]
    manager = login_as(M)
    assert hidden.reference in manager.get(f"/consular/persons/{person.id}").get_data(
        as_text=True)
