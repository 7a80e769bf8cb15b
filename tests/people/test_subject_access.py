"""Subject access: a consular person's data exported as a ZIP (data.json, export.pdf) after a
manager other than the one who asked approved it; never past the scope, never police data."""
from __future__ import annotations

import io
import json
import subprocess
import zipfile

import pytest

from tests.conftest import audit_rows, count, make_liaison_case, make_person, make_request, reload
from tests.police.helpers import field_error, page, police_person
from tracker.auth.models import Role
from tracker.cases import journal
from tracker.consular.models import SubjectAccessRequest, SubjectAccessStatus
from tracker.extensions import db
from tracker.people import services as people

REASON = "Letter from the citizen of 28 November, our ref. 2026/118"
NOTE = "The embassy called the hospital; the patient is stable"
POLICE_MARKER = "Operation Kestrel abduction file"


@pytest.fixture
def officer(login_as):
    return login_as(Role.CONSULAR_OFFICER)


@pytest.fixture
def manager(login_as, officer):
    return login_as(Role.MANAGER, office=officer.user.office)


def subject_of(officer, name="Ayaan Testkhan"):
    person = make_person(name, phone="+92 300 1234567")
    case = make_request(officer=officer.user, subject=person, summary="Hospitalised in Lahore")
    journal.add_note(case, officer.user, NOTE)
    db.session.commit()
    return person, case


def ask(officer, person, reason=REASON):
    return officer.post(f"/consular/persons/{person.id}/subject-access", {"reason": reason})


def asked(person) -> SubjectAccessRequest:
    db.session.expire_all()
    return db.session.query(SubjectAccessRequest).filter_by(person_id=person.id).one()


def decide(manager, export, decision="approve", note="The request is signed and in order"):
    return manager.post(f"/consular/subject-access/{export.id}/{decision}",
                        {f"export-{export.id}-note": note})


def download(user, export):
    return user.get(f"/consular/subject-access/{export.id}/export.zip")


def approved_export(officer, manager, **kwargs):
    person, case = subject_of(officer, **kwargs)
    assert ask(officer, person).status_code == 302
    export = asked(person)
    assert decide(manager, export).status_code == 302
    return person, case, export


def test_the_officer_asks_from_the_person_page_and_the_manager_sees_it_waiting(officer,
                                                                             manager):
    person, _ = subject_of(officer)
    html = page(officer.get(f"/consular/persons/{person.id}"))
    assert "Prepare a subject-access export" in html
    assert ask(officer, person).status_code == 302
    export = asked(person)
    assert (export.status, export.asked_by_id, export.reason) == (
        SubjectAccessStatus.PENDING, officer.user.id, REASON)
    assert [r.action for r in audit_rows(export.id, "subject_access.asked")]
    waiting = page(manager.get("/consular/subject-access"))
    assert "Ayaan Testkhan" in waiting and REASON in waiting
    assert manager.user.id in {r.actor_id for r in audit_rows(person.id,
                                                              "consular_person.viewed")}
    assert "Decide subject-access exports" in page(manager.get("/"))


def test_a_request_without_the_citizen_s_request_is_refused_beside_the_field(officer):
    person, _ = subject_of(officer)
    response = ask(officer, person, reason="  ")
    assert response.status_code == 422
    assert field_error(page(response), "reason")
    assert count(SubjectAccessRequest) == 0


def test_the_export_cannot_be_downloaded_before_approval_nor_after_refusal(officer, manager):
    person, _ = subject_of(officer)
    ask(officer, person)
    export = asked(person)
    assert download(officer, export).status_code == 403
    assert decide(manager, export, "refuse", "No signed request is on file").status_code == 302
    assert reload(export).status is SubjectAccessStatus.REFUSED
    assert download(officer, export).status_code == 403
    assert download(manager, export).status_code == 403
    assert not audit_rows(export.id, "subject_access.downloaded")


def test_the_one_who_asked_cannot_approve_and_an_officer_cannot_approve(officer, manager,
                                                                          login_as):
    person, _ = subject_of(officer)
    assert ask(manager, person).status_code == 302
    export = asked(person)
    response = decide(manager, export)
    assert response.status_code == 403
    assert "another manager decides it" in page(response)
    assert decide(officer, export).status_code == 403
    assert reload(export).status is SubjectAccessStatus.PENDING
    other_manager = login_as(Role.MANAGER, office=officer.user.office)
    assert decide(other_manager, export).status_code == 302
    assert reload(export).status is SubjectAccessStatus.APPROVED
    assert audit_rows(export.id, "subject_access.approved")[0].actor_id == other_manager.user.id
    # decided once: a second decision is refused
    assert decide(other_manager, export, "refuse").status_code == 409


def test_the_zip_holds_the_data_the_pdf_and_the_audit_rows(officer, manager, tmp_path):
    person, case, export = approved_export(officer, manager)
    relative = make_person("Zara Testbibi")
    other_case = make_request(officer=officer.user, subject=relative)
    other_case.subjects.append(person)
    db.session.commit()
    people.relate(person, relative, "parent", actor=officer.user)
    db.session.commit()
    assert officer.get(f"/consular/persons/{person.id}").status_code == 200  # a read, audited
    response = download(officer, export)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == ["data.json", "export.pdf"]
    data = json.loads(archive.read("data.json"))
    assert data["person"]["name"] == "Ayaan Testkhan"
    assert data["person"]["phone"] == "+92 300 1234567"
    references = {r["reference"] for r in data["requests"]}
    assert references == {case.reference, other_case.reference}
    mine = next(r for r in data["requests"] if r["reference"] == case.reference)
    assert [n["text"] for n in mine["notes"]] == [NOTE]
    assert mine["timeline"]
    shared = next(r for r in data["requests"] if r["reference"] == other_case.reference)
    assert shared["co_subjects"] == [{"name": "Zara Testbibi",
                                      "mark": "third party: review before sending"}]
    assert data["relations"][0]["of"]["mark"] == "third party: review before sending"
    log = data["access_log"]
    viewed = [row for row in log if row["action"] == "consular_person.viewed"]
    assert viewed and viewed[0]["who"] == officer.user.display_name and viewed[0]["at"]
    assert any(row["about"] == case.reference for row in log)
    pdf = tmp_path / "export.pdf"
    pdf.write_bytes(archive.read("export.pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    text = " ".join(text.split())  # lines wrap inside the table cells
    assert "Ayaan Testkhan" in text and case.reference in text and NOTE in text
    assert "third party: review before sending" in text and "Zara Testbibi" in text
    assert reload(export).status is SubjectAccessStatus.DOWNLOADED
    assert audit_rows(export.id, "subject_access.downloaded")[0].actor_id == officer.user.id
    # the approving manager may download it too; nobody else
    assert download(manager, export).status_code == 200


def test_no_police_data_ever_appears(officer, manager):
    person, case, export = approved_export(officer, manager)
    make_liaison_case(title=POLICE_MARKER, link_to=case)
    police_person("Ayaan Testkhan")  # the same name in the police compartment
    data = download(officer, export).data
    archive = zipfile.ZipFile(io.BytesIO(data))
    text = archive.read("data.json").decode()
    assert POLICE_MARKER not in text and "liaison" not in text.lower()
    assert "Liam Testsson" not in text and "police" not in text.lower()


def test_another_office_and_the_other_compartment_get_404(officer, manager, login_as):
    person, _, export = approved_export(officer, manager)
    outsider = login_as(Role.CONSULAR_OFFICER)  # another office
    outside_manager = login_as(Role.MANAGER)  # sees every office, but did not approve it
    liaison = login_as(Role.POLICE_LIAISON_OFFICER)
    assert outsider.get(f"/consular/persons/{person.id}/subject-access").status_code == 404
    assert ask(outsider, person).status_code == 404
    assert download(outsider, export).status_code == 404
    assert download(outside_manager, export).status_code == 403
    assert liaison.get(f"/consular/persons/{person.id}/subject-access").status_code == 403
    police_side = police_person("Rashid Testmann")
    assert officer.get(f"/consular/persons/{police_side.id}/subject-access").status_code == 404
    assert ask(officer, police_side).status_code == 404
    assert count(SubjectAccessRequest) == 1
    # a colleague of the same office who neither asked nor approved may not download it
    colleague = login_as(Role.CONSULAR_OFFICER, office=officer.user.office)
    assert download(colleague, export).status_code == 403


def test_the_police_and_administrators_cannot_see_or_decide_exports(officer, login_as):
    person, _ = subject_of(officer)
    ask(officer, person)
    export = asked(person)
    for role in (Role.POLICE_LIAISON_OFFICER, Role.ADMINISTRATOR):
        other = login_as(role)
        assert other.get("/consular/subject-access").status_code == 403
        assert decide(other, export).status_code == 403
        assert download(other, export).status_code == 403
    assert reload(export).status is SubjectAccessStatus.PENDING


def test_a_person_removed_by_retention_takes_their_export_requests_along(officer):
    """Retention deletes a person left on no case with a Core DELETE: the export requests go
    with the person (ON DELETE CASCADE), never blocking the run."""
    from sqlalchemy import delete

    from tracker.people.models import Person

    person = make_person("Nadia Testrana")
    db.session.add(SubjectAccessRequest(person=person, asked_by=officer.user, reason=REASON))
    db.session.commit()
    db.session.execute(delete(Person.__table__).where(Person.__table__.c.id == person.id))
    db.session.commit()
    assert count(SubjectAccessRequest) == 0
