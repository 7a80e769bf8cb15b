"""The second wall (PostgreSQL): raw SQL that slips past the ORM scope reads no police row unless
the reader is a liaison officer or the code said `unscoped`."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.conftest import make_liaison_case, make_request, make_user
from tracker.auth.models import Role
from tracker.cases import scope
from tracker.extensions import db

pytestmark = pytest.mark.usefixtures("postgresql_only")

RAW = {
    "liaison_cases": "SELECT count(*) FROM liaison_cases",
    "police cases": "SELECT count(*) FROM cases WHERE kind = 'liaison_case'",
    "police persons": "SELECT count(*) FROM persons WHERE compartment = 'police'",
    "parties": "SELECT count(*) FROM liaison_case_parties",
    "police timeline": "SELECT count(*) FROM timeline_events t JOIN cases c ON c.id = t.case_id"
                       " WHERE c.kind = 'liaison_case'",
    "police names": "SELECT count(*) FROM person_identifiers i",
    "police search text": "SELECT count(*) FROM police_search_entries",
    "police name words": "SELECT count(*) FROM person_name_tokens WHERE compartment = 'police'",
}


@pytest.fixture
def postgresql_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")


def counts() -> dict[str, int]:
    return {name: db.session.execute(text(sql)).scalar_one() for name, sql in RAW.items()}


def test_raw_sql_reads_no_police_row_outside_the_compartment():
    make_request(summary="A consular request")
    case, party, _ = make_liaison_case(make_user(Role.POLICE_LIAISON_OFFICER))
    everything = counts()
    assert everything["liaison_cases"] >= 1 and everything["police persons"] >= 1
    for role in (Role.CONSULAR_OFFICER, Role.MANAGER, Role.ADMINISTRATOR):
        with scope.reading_as(make_user(role)):
            seen = counts()
        assert seen["liaison_cases"] == seen["police cases"] == seen["parties"] == 0, role
        assert seen["police persons"] == seen["police timeline"] == 0, role
        assert seen["police search text"] == seen["police name words"] == 0, role
    with scope.reading_as(make_user(Role.POLICE_LIAISON_OFFICER)):
        assert counts()["liaison_cases"] == everything["liaison_cases"]
        assert counts()["police search text"] == everything["police search text"] >= 1
        assert counts()["police name words"] == everything["police name words"] >= 1


def test_police_saved_views_are_read_only_in_the_compartment():
    from tracker.cases.models import SavedView

    liaison = make_user(Role.POLICE_LIAISON_OFFICER)
    officer = make_user(Role.CONSULAR_OFFICER)
    for kind, owner in (("liaison_case", liaison), ("consular_request", officer)):
        db.session.add(SavedView(kind=kind, owner=owner, name="Mine", filters="{}",
                                 sort="newest", shared_office=owner.office))
    db.session.commit()
    raw = "SELECT kind FROM saved_views WHERE owner_id IN (:p, :c)"
    ids = {"p": liaison.id, "c": officer.id}
    for role in (Role.CONSULAR_OFFICER, Role.MANAGER, Role.ADMINISTRATOR):
        with scope.reading_as(make_user(role)):
            assert db.session.execute(text(raw), ids).scalars().all() == ["consular_request"]
    with scope.reading_as(liaison):
        assert sorted(db.session.execute(text(raw), ids).scalars()) == [
            "consular_request", "liaison_case"]


def test_a_connection_straight_from_the_pool_reads_no_police_row(app):
    make_liaison_case(make_user(Role.POLICE_LIAISON_OFFICER))
    db.session.commit()
    with db.engine.connect() as connection:  # no session, no reader: no compartment
        assert connection.execute(text(RAW["liaison_cases"])).scalar_one() == 0
        assert connection.execute(text(RAW["police persons"])).scalar_one() == 0


def test_a_police_row_cannot_be_written_from_outside_the_compartment():
    with scope.reading_as(make_user(Role.CONSULAR_OFFICER)):
        db.session.execute(text("SELECT 1"))  # the setting follows the reader
        with pytest.raises(DBAPIError, match="row-level security"):
            with db.session.begin_nested():
                db.session.execute(text(
                    "INSERT INTO persons (compartment, full_name, folded_name, created_at,"
                    " version) VALUES ('police', 'Smuggled In', 'smuggled in', now(), 1)"))


def test_the_application_role_cannot_bypass_it():
    bypass = db.session.execute(text(
        "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
    ).scalar_one()
    assert bypass is False, "connect as an ordinary role: a superuser skips row-level security"
