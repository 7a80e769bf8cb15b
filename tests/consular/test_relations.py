"""Relations between persons: recorded from the person page, among those named together."""
from __future__ import annotations

from sqlalchemy import select

from tests.conftest import make_office, make_person, make_request, make_user
from tracker.auth.models import Role
from tracker.consular import services as consular
from tracker.extensions import db
from tracker.people.models import PersonRelation


def _request_with_reporting_mother(office, officer):
    child, mother = make_person("Ayaan Khan"), make_person("Sadia Khan")
    request = consular.create_request(
        officer, office, consular.RequestInput(
            category="missing_person", subcategory="child", priority="urgent",
            channel="phone", summary="Son missing", assigned_to_id=officer.id,
            requester_relationship="mother"), [child], mother)
    return request, child, mother


def test_an_officer_records_that_the_reporter_is_the_childs_parent(login_as):
    office = make_office()
    officer = login_as(Role.CONSULAR_OFFICER, office=office)
    _, child, mother = _request_with_reporting_mother(office, officer.user)
    page = officer.get(f"/consular/persons/{mother.id}").get_data(as_text=True)
    assert 'name="related"' in page and "Ayaan Khan" in page
    response = officer.post(f"/consular/persons/{mother.id}/relations",
                            {"kind": "parent", "related": str(child.id)})
    assert response.status_code == 302
    relation = db.session.scalar(select(PersonRelation))
    assert (relation.person_id, relation.related_id, relation.kind.value) == (
        mother.id, child.id, "parent")
    assert "is parent of this person" in officer.get(
        f"/consular/persons/{child.id}").get_data(as_text=True)
    again = officer.post(f"/consular/persons/{mother.id}/relations",
                         {"kind": "parent", "related": str(child.id)})
    assert again.status_code == 422 and "recorded already" in again.get_data(as_text=True)


def test_only_persons_named_together_can_be_related(login_as):
    office = make_office()
    officer = login_as(Role.CONSULAR_OFFICER, office=office)
    _, child, mother = _request_with_reporting_mother(office, officer.user)
    stranger = make_request(office=office).subjects[0]
    response = officer.post(f"/consular/persons/{mother.id}/relations",
                            {"kind": "parent", "related": str(stranger.id)})
    assert response.status_code == 422
    assert db.session.scalar(select(PersonRelation)) is None


def test_another_office_cannot_relate_persons_it_cannot_see(login_as):
    office = make_office()
    _, child, mother = _request_with_reporting_mother(office, make_user(
        Role.CONSULAR_OFFICER, office=office))
    outsider = login_as(Role.CONSULAR_OFFICER)
    response = outsider.post(f"/consular/persons/{mother.id}/relations",
                             {"kind": "parent", "related": str(child.id)})
    assert response.status_code == 404
