"""Every read of a case, its documents and its persons is logged; the case page lists who
opened it and when. Every other role meets a 404 and leaves no trace in the case."""
from __future__ import annotations

import re

import pytest

from tests.conftest import make_document
from tests.police.helpers import P, audit_rows, count, open_case, page, police_person
from tracker.audit.models import AuditEvent
from tracker.auth.models import Role
from tracker.police import services


@pytest.fixture
def officer(login_as):
    return login_as(P, display_name="Reading Officer")


@pytest.fixture
def case_with_everything(officer):
    case = open_case(officer.user)
    person = police_person("Nadia Testdatter")
    services.add_party(case, officer.user, person, "victim")
    document = make_document(case, officer.user)
    return case, person, document


def test_every_page_view_is_logged(officer, login_as, case_with_everything):
    case, _, _ = case_with_everything
    colleague = login_as(P)
    officer.get(f"/police/cases/{case.reference}")
    colleague.get(f"/police/cases/{case.reference}")
    officer.get(f"/police/cases/{case.reference}")
    rows = audit_rows(case.reference, "liaison_case.viewed")
    assert [r.actor_id for r in rows] == [officer.user.id, colleague.user.id, officer.user.id]
    assert all(r.object_type == "liaison_case" for r in rows)


def test_every_download_is_logged(officer, case_with_everything):
    case, _, document = case_with_everything
    for _ in range(2):
        response = officer.get(f"/police/cases/{case.reference}/documents/{document.id}")
        assert response.status_code == 200
    rows = audit_rows(case.reference, "liaison_case.document_downloaded")
    assert len(rows) == 2 and all(f'"document": {document.id}' in r.details for r in rows)


def test_every_person_page_is_logged(officer, case_with_everything):
    _, person, _ = case_with_everything
    officer.get(f"/police/persons/{person.id}")
    officer.get(f"/police/persons/{person.id}")
    rows = audit_rows(str(person.id), "police_person.viewed")
    assert len(rows) == 2 and rows[0].object_type == "police_person"
    assert rows[0].actor_id == officer.user.id


def test_the_case_page_lists_who_opened_it_and_when(officer, login_as, case_with_everything):
    case, _, document = case_with_everything
    colleague = login_as(P)
    colleague.get(f"/police/cases/{case.reference}")
    colleague.get(f"/police/cases/{case.reference}/documents/{document.id}")
    colleague.get(f"/police/cases/{case.reference}/export")
    html = page(officer.get(f"/police/cases/{case.reference}"))
    viewers = html.split("Who opened this case", 1)[1].split("</ul>", 1)[0]
    lines = [" ".join(line.split()) for line in re.findall(r"<li>(.*?)</li>", viewers, re.S)]

    def line(email, what):
        found = [x for x in lines if email in x and what in x]
        assert found, (email, what, lines)
        return found[0]

    line(officer.user.email, "opened")
    line(colleague.user.email, "opened")
    line(colleague.user.email, "export")
    line(colleague.user.email, "download")
    for text in lines:
        assert re.search(r"\d{2} \w{3} \d{4} \d{2}:\d{2}", text), text  # when


@pytest.mark.parametrize("role", [Role.CONSULAR_OFFICER, Role.MANAGER, Role.ADMINISTRATOR])
def test_other_roles_get_404_and_read_nothing(login_as, case_with_everything, role):
    case, person, document = case_with_everything
    other = login_as(role)
    before = count(AuditEvent)
    for url in (f"/police/cases/{case.reference}", f"/police/cases/{case.reference}/export",
                f"/police/cases/{case.reference}/documents/{document.id}",
                f"/police/persons/{person.id}", "/police/",
                f"/police/cases/{case.reference}/break-glass", "/police/cases/new"):
        response = other.get(url)
        assert response.status_code == 404, url
        assert case.reference not in page(response)
    assert count(AuditEvent) == before
    assert 'href="/police/"' not in page(other.get("/"))  # managers see counts only


def test_strangers_are_sent_to_sign_in(client, case_with_everything):
    case, _, _ = case_with_everything
    response = client.get(f"/police/cases/{case.reference}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_control_character_in_the_address_is_not_found(officer):
    for url in ("/police/cases/POL%00", "/police/cases/%1b/export",
                "/police/cases/POL%00/break-glass"):
        assert officer.get(url).status_code == 404, url
