"""Enquiries are counted without personal data; administrators set the service targets."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, select

from tests.conftest import make_office, make_user
from tests.consular.helpers import count
from tracker.auth.models import Role
from tracker.consular import services
from tracker.consular.categories import Category
from tracker.consular.models import Enquiry, ServiceTarget
from tracker.db import utcnow
from tracker.extensions import db


def karachi_today():
    return utcnow().astimezone(ZoneInfo("Asia/Karachi")).date()


@pytest.fixture
def officer(login_as):
    return login_as(Role.CONSULAR_OFFICER)


def test_an_enquiry_keeps_date_office_channel_topic_and_who_only(officer):
    day = karachi_today() - timedelta(days=2)
    response = officer.post("/consular/enquiries", {"topic": "passport", "channel": "email",
                                                    "received_on": day.isoformat()})
    assert response.status_code == 302
    enquiry = db.session.scalars(select(Enquiry).order_by(Enquiry.id.desc())).first()
    assert (enquiry.received_on, enquiry.office_id, enquiry.channel.value,
            enquiry.topic.value, enquiry.handled_by_id) == (
        day, officer.user.office_id, "email", "passport", officer.user.id)
    columns = {c.key for c in inspect(Enquiry).columns}
    assert columns == {"id", "office_id", "received_on", "channel", "topic", "handled_by_id",
                       "became_request_id", "created_at"}
    page = officer.get("/consular/enquiries").get_data(as_text=True)
    latest = page.split("Latest at")[1]
    assert day.strftime("%d %b %Y") in latest and "Passport" in latest and "E-mail" in latest


def test_no_date_means_today_in_the_office(officer):
    assert officer.post("/consular/enquiries", {"topic": "advice",
                                                "channel": "phone"}).status_code == 302
    enquiry = db.session.scalars(select(Enquiry).order_by(Enquiry.id.desc())).first()
    assert enquiry.received_on == karachi_today()


def test_a_future_date_is_refused(officer):
    before = count(Enquiry)
    tomorrow = karachi_today() + timedelta(days=1)
    response = officer.post("/consular/enquiries", {"topic": "advice", "channel": "phone",
                                                    "received_on": tomorrow.isoformat()})
    assert response.status_code == 422
    assert "The date is in the future" in response.get_data(as_text=True)
    assert count(Enquiry) == before
    with pytest.raises(services.RequestError):
        services.log_enquiry(officer.user, channel="phone", topic="advice",
                             received_on=tomorrow)


def test_another_offices_enquiries_are_not_in_the_recent_list(officer):
    elsewhere = make_user(Role.CONSULAR_OFFICER, office=make_office(),
                          display_name="Officer Elsewhere")
    services.log_enquiry(elsewhere, channel="walk_in", topic="notarial")
    page = officer.get("/consular/enquiries").get_data(as_text=True)
    assert "Officer Elsewhere" not in page


@pytest.mark.parametrize("fields", [{"topic": "gossip", "channel": "phone"},
                                    {"topic": "advice", "channel": "telepathy"},
                                    {"topic": "advice", "channel": "phone",
                                     "received_on": "12/31/2025"}])
def test_bad_enquiries_save_nothing(officer, fields):
    before = count(Enquiry)
    assert officer.post("/consular/enquiries", fields).status_code == 422
    assert count(Enquiry) == before


# --- service targets -----------------------------------------------------------------------


@pytest.fixture
def admin(login_as):
    return login_as(Role.ADMINISTRATOR)


def test_setting_a_target(admin):
    page = admin.get("/consular/service-targets").get_data(as_text=True)
    assert 'name="working_days" min="1" max="365" value="15"' in page  # passport default
    response = admin.post("/consular/service-targets", {"category": "passport",
                                                        "working_days": "7", "version": ""})
    assert response.status_code == 302
    assert db.session.get(ServiceTarget, Category.PASSPORT).working_days == 7
    assert services.target_days(Category.PASSPORT) == 7
    target = db.session.get(ServiceTarget, Category.PASSPORT)
    version = target.version
    assert admin.post("/consular/service-targets", {
        "category": "passport", "working_days": "9", "version": str(version)}
    ).status_code == 302
    db.session.expire_all()
    assert db.session.get(ServiceTarget, Category.PASSPORT).working_days == 9
    # A form opened before that save is stale: nothing is overwritten.
    stale = admin.post("/consular/service-targets", {
        "category": "passport", "working_days": "30", "version": str(version)})
    assert stale.status_code == 409
    assert "nothing of theirs was overwritten" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ServiceTarget, Category.PASSPORT).working_days == 9


@pytest.mark.parametrize("days", ["0", "366", "-3", "ten", "", "1.5"])
def test_bad_targets_are_refused(admin, days):
    response = admin.post("/consular/service-targets", {"category": "death",
                                                        "working_days": days})
    assert response.status_code == 422
    assert 'id="err-death"' in response.get_data(as_text=True)
    assert db.session.get(ServiceTarget, Category.DEATH) is None


def test_an_unknown_category_is_a_bad_request(admin):
    response = admin.post("/consular/service-targets", {"category": "teleportation",
                                                        "working_days": "3"})
    assert response.status_code == 400


@pytest.mark.parametrize("role", [Role.CONSULAR_OFFICER, Role.MANAGER,
                                  Role.POLICE_LIAISON_OFFICER])
def test_only_administrators_set_targets(login_as, role):
    user = login_as(role)
    assert user.post("/consular/service-targets", {"category": "passport",
                                                   "working_days": "1"}).status_code == 403
    assert db.session.get(ServiceTarget, Category.PASSPORT) is None
