"""An enquiry that turns into a case: the request is logged from it and the two are linked."""
from __future__ import annotations

import re

from sqlalchemy import select

from tests.conftest import make_office
from tracker.auth.models import Role
from tracker.consular import services as consular
from tracker.consular.models import ConsularRequest, Enquiry
from tracker.extensions import db


def test_a_request_logged_from_an_enquiry_is_linked_to_it(login_as):
    office = make_office()
    officer = login_as(Role.CONSULAR_OFFICER, office=office)
    enquiry = consular.log_enquiry(officer.user, channel="walk_in", topic="passport")
    listing = officer.get("/consular/enquiries").get_data(as_text=True)
    assert f"/consular/requests/new?enquiry={enquiry.id}" in listing
    form = officer.get(f"/consular/requests/new?enquiry={enquiry.id}").get_data(as_text=True)
    assert "follows the passport enquiry" in form
    assert re.search(r'<option selected value="passport:new"|value="passport:new" selected', form)
    response = officer.post("/consular/requests/new", {
        "enquiry_id": str(enquiry.id), "kind": "passport:renewal", "priority": "routine",
        "channel": "walk_in", "summary": "Renewal after asking at the counter",
        "full_name": "Kari Testesen", "assigned_to": str(officer.user.id)})
    assert response.status_code == 302
    db.session.expire_all()
    linked = db.session.get(Enquiry, enquiry.id)
    request = db.session.scalar(select(ConsularRequest))
    assert linked.became_request_id == request.id
    assert request.reference in officer.get("/consular/enquiries").get_data(as_text=True)
    again = officer.get(f"/consular/requests/new?enquiry={enquiry.id}", follow_redirects=True)
    assert "has become a request already" in again.get_data(as_text=True)


def test_another_office_cannot_follow_the_enquiry(login_as):
    counted_by = login_as(Role.CONSULAR_OFFICER)
    enquiry = consular.log_enquiry(counted_by.user, channel="phone", topic="advice")
    other = login_as(Role.CONSULAR_OFFICER)
    response = other.get(f"/consular/requests/new?enquiry={enquiry.id}", follow_redirects=True)
    assert "counted at another office" in response.get_data(as_text=True)
    assert other.get("/consular/requests/new?enquiry=99999999").status_code == 404
