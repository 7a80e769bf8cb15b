"""Need-to-know, tried as an insider would: each finding of the security review, and every query
of cases, persons and what hangs off them, read as someone who must get nothing."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import or_, select

from tests.conftest import (
    make_document,
    make_liaison_case,
    make_office,
    make_person,
    make_request,
    make_user,
)
from tests.consular import helpers as consular_helpers
from tests.consular.helpers import fnr
from tracker.audit.models import AuditEvent
from tracker.auth.models import Role
from tracker.cases import scope
from tracker.cases.links import ConsularLink
from tracker.cases.models import Attachment, Case, JournalNote, TimelineEvent
from tracker.consular import services as consular
from tracker.consular.models import ConsularRequest
from tracker.extensions import db
from tracker.people import duplicates
from tracker.people import services as people
from tracker.people.models import (
    Compartment,
    DuplicateStatus,
    Person,
    PersonIdentifier,
    PersonName,
    PersonRelation,
    PossibleDuplicate,
)
from tracker.police import services as police
from tracker.police.models import BreakGlass, CaseParty, Exchange, InterpolNotice, LiaisonCase
from tracker.search.models import PoliceSearchEntry, SearchEntry

C, P, M, A = (Role.CONSULAR_OFFICER, Role.POLICE_LIAISON_OFFICER, Role.MANAGER,
              Role.ADMINISTRATOR)
SECRET_NAME = "Zarghuna Hiddenfield"


def new_request_form(**fields) -> dict:
    return consular_helpers.new_request_form(**{"full_name": "Someone Typed", **fields})


@pytest.fixture
def lahore_person():
    """A person known only from a request of another office, with a Norwegian number."""
    number = fnr(7, born=date(1985, 3, 9))
    person = people.create_person(Compartment.CONSULAR, people.PersonInput(
        full_name=SECRET_NAME, date_of_birth=date(1985, 3, 9), other_names=["Zargoona"],
        identifiers=[people.IdentifierInput("norwegian_id", number)]), None)
    db.session.commit()
    make_request(office=make_office(), subject=person, summary="Lahore only")
    return person, number


# --- finding 1: the consular duplicate check -------------------------------------------------


def test_an_identifier_of_a_person_of_another_office_shows_nothing_and_is_queued(
        login_as, lahore_person):
    person, number = lahore_person
    officer = login_as(C)
    response = officer.post("/consular/requests/new", new_request_form(
        identifier_kind="norwegian_id", identifier_value=number))
    html = response.get_data(as_text=True)
    assert SECRET_NAME not in html and "Zargoona" not in html and "1985" not in html
    assert response.status_code == 302  # logged at once, as a new person
    created = db.session.scalars(select(ConsularRequest).order_by(
        ConsularRequest.id.desc())).first()
    [subject] = created.subjects
    assert subject.id != person.id
    pair = db.session.scalar(select(PossibleDuplicate).where(
        PossibleDuplicate.person_id == subject.id))
    assert pair.other_id == person.id and pair.status is DuplicateStatus.OPEN
    assert pair.matched_on == "identifier"
    # ... and the officer still cannot open the other record.
    assert officer.get(f"/consular/persons/{person.id}").status_code == 404


def test_a_name_and_birth_date_of_another_office_is_not_shown_either(login_as, lahore_person):
    person, _ = lahore_person
    officer = login_as(C)
    response = officer.post("/consular/requests/new", new_request_form(
        full_name="ZARGHUNA HIDDENFIELD", date_of_birth="1985-03-09"))
    assert SECRET_NAME not in response.get_data(as_text=True)
    assert response.status_code == 302
    assert db.session.scalar(select(PossibleDuplicate).where(
        PossibleDuplicate.other_id == person.id)).matched_on == "name and birth date"


def test_a_hidden_person_cannot_be_picked_by_slipping_their_id_in(login_as, lahore_person):
    person, number = lahore_person
    officer = login_as(C)
    response = officer.post("/consular/requests/new", new_request_form(
        identifier_kind="norwegian_id", identifier_value=number, use_person=str(person.id)))
    assert response.status_code == 422
    assert SECRET_NAME not in response.get_data(as_text=True)
    assert not db.session.scalars(select(ConsularRequest).join(ConsularRequest.subjects).where(
        Person.id == person.id, ConsularRequest.office_id == officer.user.office_id)).all()


def test_a_manager_compares_merges_and_undoes(login_as, lahore_person):
    person, number = lahore_person
    officer = login_as(C)
    officer.post("/consular/requests/new", new_request_form(
        identifier_kind="norwegian_id", identifier_value=number))
    pair = db.session.scalar(select(PossibleDuplicate).where(
        PossibleDuplicate.other_id == person.id))
    later = pair.person_id
    manager = login_as(M)
    queue = manager.get("/consular/duplicates").get_data(as_text=True)
    assert SECRET_NAME in queue and "Someone Typed" in queue
    assert officer.get("/consular/duplicates").status_code == 403
    page = manager.get(f"/consular/duplicates/{pair.id}").get_data(as_text=True)
    assert SECRET_NAME in page and number in page
    no_reason = manager.post(f"/consular/duplicates/{pair.id}/merge", {"reason": ""})
    assert no_reason.status_code == 422
    merged = manager.post(f"/consular/duplicates/{pair.id}/merge",
                          {"reason": "Same number, same birth date, same family."})
    assert merged.status_code == 302
    db.session.expire_all()
    request_ = db.session.scalars(select(ConsularRequest).where(
        ConsularRequest.office_id == officer.user.office_id)).all()[-1]
    assert [s.id for s in request_.subjects] == [person.id]
    assert db.session.get(Person, later).merged_into_id == person.id
    assert {a.action for a in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("person.merge%")))} == {"person.merged"}
    # The officer now reaches the kept record through their own request.
    assert officer.get(f"/consular/persons/{person.id}").status_code == 200
    undone = manager.post(f"/consular/duplicates/{pair.id}/undo",
                          {"reason": "Wrong person: the families differ."})
    assert undone.status_code == 302
    db.session.expire_all()
    assert [s.id for s in db.session.get(ConsularRequest, request_.id).subjects] == [later]
    assert db.session.get(Person, later).merged_into_id is None
    assert officer.get(f"/consular/persons/{person.id}").status_code == 404


def test_undo_is_refused_once_the_kept_record_is_used_again(login_as, lahore_person):
    person, number = lahore_person
    later = people.create_person(Compartment.CONSULAR, people.PersonInput(
        full_name="Someone Typed", identifiers=[people.IdentifierInput("norwegian_id", number)]),
        None)
    db.session.flush()
    duplicates.queue_hidden_matches(later, {person.id: "identifier"})
    pair = db.session.scalar(select(PossibleDuplicate).where(
        PossibleDuplicate.person_id == later.id))
    manager = make_user(M)
    duplicates.merge(pair, manager, "Same number and birth date.")
    make_request(subject=person, summary="A new request for the kept person")
    assert not duplicates.can_undo(pair)
    with pytest.raises(duplicates.DuplicateError):
        duplicates.undo(pair, manager, "Changed my mind about it.")


# --- finding 2: the police duplicate check -----------------------------------------------------


def test_a_party_known_only_from_a_restricted_case_is_neither_shown_nor_pickable(login_as):
    named = make_user(P)
    hidden_case, party, _ = make_liaison_case(named, title="Sealed matter")
    police.set_restriction(hidden_case, named, True, [named.id])
    db.session.commit()
    person = db.session.get(Person, party.person_id)
    number = fnr(11)
    person.identifiers.append(PersonIdentifier(kind="norwegian_id", value=number))
    db.session.commit()
    other = login_as(P)
    own = police.open_case(other.user, police.CaseInput(
        title="Own case", category="fraud", country="NO", requesting_agency="Kripos",
        counterpart="fia"))
    form = {"full_name": "Anyone", "role": "suspect", "identifier_kind": "norwegian_id",
            "identifier_value": number}
    response = other.post(f"/police/cases/{own.reference}/parties", form)
    html = response.get_data(as_text=True)
    assert "Liam Testsson" not in html and hidden_case.reference not in html
    picked = other.post(f"/police/cases/{own.reference}/parties",
                        {**form, "use_person": str(person.id)})
    assert "Liam Testsson" not in picked.get_data(as_text=True)
    assert not db.session.scalars(select(CaseParty).where(
        CaseParty.case_id == own.id, CaseParty.person_id == person.id)).all()
    pair = db.session.scalar(select(PossibleDuplicate).where(
        PossibleDuplicate.other_id == person.id))
    assert pair is not None and pair.compartment is Compartment.POLICE
    # Only someone who may see both records sees the pair.
    assert other.get(f"/police/duplicates/{pair.id}").status_code == 404
    assert "Liam Testsson" not in other.get("/police/duplicates").get_data(as_text=True)


# --- finding 3: relations ----------------------------------------------------------------------


def test_a_person_page_does_not_name_relatives_the_reader_may_not_open(login_as):
    officer = login_as(C)
    mine = make_person("Visible Parent")
    make_request(office=officer.user.office, officer=officer.user, subject=mine)
    theirs = make_person(SECRET_NAME)
    make_request(office=make_office(), subject=theirs)
    db.session.add(PersonRelation(person_id=mine.id, related_id=theirs.id, kind="parent"))
    db.session.add(PersonRelation(person_id=theirs.id, related_id=mine.id, kind="child"))
    db.session.commit()
    html = officer.get(f"/consular/persons/{mine.id}").get_data(as_text=True)
    assert "Visible Parent" in html and SECRET_NAME not in html
    assert SECRET_NAME in login_as(M).get(f"/consular/persons/{mine.id}").get_data(
        as_text=True)


# --- finding 4: links from the police side -----------------------------------------------------


def test_a_linked_requests_read_shows_in_its_own_history(login_as):
    request_ = make_request(office=make_office(), summary="Arrest in Karachi")
    liaison = login_as(P)
    case, _, _ = make_liaison_case(liaison.user)
    response = liaison.post(f"/police/cases/{case.reference}/links",
                            {"reference": request_.reference})
    assert response.status_code == 302
    page = liaison.get(f"/police/cases/{case.reference}").get_data(as_text=True)
    assert "Arrest in Karachi" in page
    reads = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "consular_request.viewed",
        AuditEvent.object_id == request_.reference)).all()
    assert {r.actor_id for r in reads} == {liaison.user.id} and len(reads) >= 2
    history = login_as(M).get(f"/consular/requests/{request_.reference}").get_data(
        as_text=True)
    assert liaison.user.email in history


def test_unknown_and_non_consular_references_get_the_same_answer(login_as):
    liaison = login_as(P)
    case, _, _ = make_liaison_case(liaison.user)
    other_case, _, _ = make_liaison_case(liaison.user)
    answers = set()
    for reference in ("ISB-2026-9999", other_case.reference, "NOT-A-REFERENCE"):
        response = liaison.post(f"/police/cases/{case.reference}/links",
                                {"reference": reference})
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        answers.add("No consular request has this reference." in html)
    assert answers == {True}


def test_a_liaison_officer_reads_no_unlinked_consular_request():
    request_ = make_request(office=make_office(), summary="Not linked")
    liaison = make_user(P)
    with scope.reading_as(liaison):
        assert db.session.scalars(select(ConsularRequest)).all() == []
        assert db.session.scalars(select(Case).where(Case.id == request_.id)).all() == []


# --- finding 6: every page that shows case content logs a read --------------------------------

# Pages that name a case or a person in their address but show nothing of its content.
NO_CONTENT = {"police_cases.break_glass": "the reference only, to ask for a reason"}
READ_ACTIONS = ("viewed", "document_downloaded", "exported")


def _reads(actor_id: int) -> int:
    return len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.actor_id == actor_id,
        or_(*(AuditEvent.action.endswith(a) for a in READ_ACTIONS)))
        .execution_options(populate_existing=True)).all())


def test_every_get_route_that_shows_case_content_logs_a_read(app, login_as):
    """Walks the URL map: a GET whose address names a case, a person, a document or a pair."""
    from tests.test_permissions import MATRIX, sample_values

    values = sample_values(make_office())
    checked = []
    for rule in app.url_map.iter_rules():
        names_a_record = {"reference", "person_id", "document_id", "pair_id"} & rule.arguments
        if "GET" not in rule.methods or not names_a_record or rule.endpoint in NO_CONTENT:
            continue
        expected = MATRIX[(rule.endpoint, "GET")]
        role = next(r for r in (M, C, P) if expected.get(r) == 200)
        reader = login_as(role)
        sample = values["police" if rule.endpoint.startswith("police") else "consular"]
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **{k: sample[k] for k in rule.arguments})
        before = _reads(reader.user.id)
        response = reader.get(url)
        if response.status_code == 302 and role is C:  # another office: read as a manager
            reader = login_as(M)
            before = _reads(reader.user.id)
            response = reader.get(url)
        assert response.status_code == 200, (rule.endpoint, url, response.status_code)
        assert _reads(reader.user.id) > before, f"{rule.endpoint} shows content unlogged"
        checked.append(rule.endpoint)
    assert {"consular_requests.detail", "consular_requests.edit", "consular_requests.step",
            "consular.person", "police_cases.detail", "police_cases.edit", "police_cases.step",
            "police_cases.export", "police.person", "consular.duplicate_pair",
            "police.duplicate_pair"} <= set(checked)


# --- the scope itself: everything, read as someone who must get nothing ----------------------


SCOPED = [Case, ConsularRequest, LiaisonCase, Person, PersonName, PersonIdentifier,
          PersonRelation, Attachment, TimelineEvent, JournalNote, CaseParty, Exchange,
          InterpolNotice, BreakGlass, ConsularLink, SearchEntry, PoliceSearchEntry]


@pytest.fixture
def world():
    """A request of one office (with a person, a relation, a note, a document) and a
    restricted liaison case (with a party, an exchange, a notice, a link)."""
    office = make_office()
    officer = make_user(C, office=office)
    subject = people.create_person(Compartment.CONSULAR, people.PersonInput(
        full_name=SECRET_NAME, other_names=["Zargoona"],
        identifiers=[people.IdentifierInput("norwegian_id", fnr(3))]), officer)
    db.session.commit()
    request_ = make_request(office=office, officer=officer, subject=subject)
    relative = make_person("Relative Hiddenfield")
    make_request(office=office, officer=officer, subject=relative)
    db.session.add(PersonRelation(person_id=subject.id, related_id=relative.id, kind="parent"))
    from tracker.cases import journal

    journal.add_note(request_, officer, "A note nobody else may read")
    make_document(request_, officer)
    named = make_user(P)
    case, party, link = make_liaison_case(named, link_to=request_)
    police.add_notice(case, named, "yellow", "2026/12345")
    police.add_exchange(case, named, police.ExchangeInput(
        exchanged_on=date(2026, 11, 1), direction="received", channel="email",
        counterpart="fia", summary="Exchange text", handling_code="H1", restriction="",
        source_grade="A", information_grade="1"))
    make_document(case, named)
    police.set_restriction(case, named, True, [named.id])
    db.session.commit()
    return {"request": request_, "case": case, "subject": subject, "named": named,
            "office": office}


def _readers(world) -> dict[str, object]:
    return {"officer of another office": make_user(C, office=make_office()),
            "administrator": make_user(A, office=world["office"]),
            "unnamed liaison officer": make_user(P)}


def test_no_query_returns_anything_of_the_world_to_an_outsider(world):
    ids = {world["request"].id, world["case"].id}
    for label, reader in _readers(world).items():
        with scope.reading_as(reader):
            for entity in SCOPED:
                rows = db.session.scalars(select(entity).execution_options(
                    populate_existing=True)).all()
                leaked = [r for r in rows if getattr(r, "case_id", None) in ids
                          or getattr(r, "id", None) in ids
                          or getattr(r, "liaison_case_id", None) in ids
                          or getattr(r, "person_id", None) == world["subject"].id
                          or getattr(r, "full_name", None) == SECRET_NAME]
                assert not leaked, (label, entity.__name__, leaked)


def test_no_service_function_returns_anything_to_an_outsider(world):
    request_ = world["request"]
    for label, reader in _readers(world).items():
        with scope.reading_as(reader):
            assert people.find_persons(Compartment.CONSULAR, SECRET_NAME) == [], label
            assert people.find_persons(Compartment.POLICE, "Liam Testsson") == [], label
            assert people.duplicate_candidates(Compartment.CONSULAR, people.PersonInput(
                full_name=SECRET_NAME, identifiers=[people.IdentifierInput(
                    "norwegian_id", fnr(3))])) == [], label
            assert consular.search_requests(reader, request_.reference) == [], label
            assert consular.search_requests(reader, SECRET_NAME) == [], label
            assert db.session.scalars(consular.request_list(
                reader, consular.RequestFilter())).all() == [], label
            assert police.find_cases("Child taken") == [], label
            assert consular.search_requests(reader, "nobody else may read") == [], label
            assert police.find_cases("Exchange text") == [], label
            assert duplicates.pairs(Compartment.CONSULAR) == [], label
            assert duplicates.pairs(Compartment.POLICE) == [], label


def test_outside_any_request_code_reads_nothing_unless_it_says_so(world):
    scope.set_outside_requests(None)
    try:
        assert db.session.scalars(select(Case).execution_options(
            populate_existing=True)).all() == []
        assert db.session.scalars(select(Person)).all() == []
        with scope.unscoped("this test"):
            assert db.session.scalars(select(Case)).all()
    finally:
        scope.set_outside_requests(scope.EVERYTHING)


def test_unscoped_needs_a_reason():
    with pytest.raises(ValueError):
        with scope.unscoped(""):
            pass


def test_every_route_naming_the_world_is_404_to_an_outsider(app, world):
    from tests.conftest import login

    request_, case, subject = world["request"], world["case"], world["subject"]
    urls = [f"/consular/requests/{request_.reference}",
            f"/consular/requests/{request_.reference}/edit",
            f"/consular/requests/{request_.reference}/steps/wait",
            f"/consular/persons/{subject.id}",
            f"/consular/requests/new?person={subject.id}",
            f"/police/cases/{case.reference}/edit",
            f"/police/cases/{case.reference}/export",
            f"/police/cases/{case.reference}/steps/await_counterpart"]
    for label, reader in _readers(world).items():
        client = app.test_client()
        login(client, reader.email)
        for url in urls:
            response = client.get(url)
            html = response.get_data(as_text=True)
            # 403: a role that has no such pages at all (the administrator)
            assert response.status_code in (302, 403, 404), (label, url, response.status_code)
            if response.status_code == 302:  # the unnamed liaison officer: asked for a reason
                assert response.headers["Location"].endswith(
                    f"/police/cases/{case.reference}/break-glass"), (label, url)
            assert SECRET_NAME not in html and "Child taken" not in html, (label, url)


def test_a_police_merge_moves_the_party_and_undo_puts_it_back():
    """The merge finds every reference to a person from the schema: the police tables too."""
    officer = make_user(P)
    case, party, _ = make_liaison_case(officer)
    kept = db.session.get(Person, party.person_id)
    later = people.create_person(Compartment.POLICE, people.PersonInput(full_name="L. Testsson"),
                                 officer)
    other_case = police.open_case(officer, police.CaseInput(
        title="Second matter", category="fraud", country="SE",
        requesting_agency="Polismyndigheten", counterpart="fia"))
    police.add_party(other_case, officer, later, "suspect")
    db.session.flush()
    duplicates.queue_hidden_matches(later, {kept.id: "name and birth date"})
    pair = db.session.scalar(select(PossibleDuplicate).where(
        PossibleDuplicate.person_id == later.id))
    duplicates.merge(pair, officer, "Same person, two spellings of one name.")
    db.session.commit()
    db.session.expire_all()
    assert {p.person_id for p in db.session.scalars(select(CaseParty).where(
        CaseParty.case_id == other_case.id))} == {kept.id}
    duplicates.undo(pair, officer, "Two different persons after all.")
    db.session.commit()
    db.session.expire_all()
    assert {p.person_id for p in db.session.scalars(select(CaseParty).where(
        CaseParty.case_id == other_case.id))} == {later.id}
    assert db.session.get(Person, later.id).merged_into_id is None
