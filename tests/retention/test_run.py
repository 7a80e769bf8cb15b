"""A retention run anonymises exactly what is due, leaves no trace of it, and can be resumed."""
from __future__ import annotations

import random
import string

import pytest
from sqlalchemy import select

from tests.conftest import audit_rows, count, make_office, make_user
from tracker.audit.models import AuditEvent
from tracker.auth.models import Role
from tracker.cases import documents
from tracker.cases.models import Attachment, Case, JournalNote, TimelineEvent
from tracker.consular.models import ConsularRequest, request_subjects
from tracker.extensions import db
from tracker.people.models import Person, PersonIdentifier, PersonName, PersonRelation
from tracker.police.models import CaseParty, Exchange, LiaisonCase
from tracker.retention import service
from tracker.retention.models import RetentionRun

from .helpers import (
    LATELY,
    NOW,
    files_holding,
    hold,
    marked_liaison_case,
    marked_request,
    text_columns_holding,
)


def snapshot() -> dict:
    """Every row count and every case's status and dates: what a dry run must not change."""
    tables = [Case, ConsularRequest, LiaisonCase, Person, PersonName, PersonIdentifier,
              PersonRelation, JournalNote, TimelineEvent, Attachment, Exchange, CaseParty]
    counts = {m.__tablename__: count(m) for m in tables}
    cases = db.session.execute(select(Case.id, Case.summary, Case.anonymised_at, Case.version)
                               .order_by(Case.id)).all()
    return {"counts": counts, "cases": [tuple(c) for c in cases],
            "names": sorted(db.session.scalars(select(Person.full_name)))}


def fresh(word: str) -> str:
    """A marker no earlier test left in the documents folder (files outlive rolled-back tests)."""
    return word + "".join(random.choice(string.ascii_lowercase) for _ in range(8))


@pytest.fixture
def world(app):
    m = {k: fresh(k) for k in ("Qzwdue", "Qzwpol", "Qzwrecent", "Qzwopen", "Qzwheld",
                                "Qzwpolheld")}
    office = make_office()
    officer = make_user(Role.CONSULAR_OFFICER, office=office)
    liaison = make_user(Role.POLICE_LIAISON_OFFICER)
    due = marked_request(m["Qzwdue"], office=office, officer=officer)
    due_police = marked_liaison_case(m["Qzwpol"], officer=liaison)
    recent = marked_request(m["Qzwrecent"], office=office, officer=officer, closed_at=LATELY)
    still_open = marked_request(m["Qzwopen"], office=office, officer=officer, closed_at=None)
    held = marked_request(m["Qzwheld"], office=office, officer=officer)
    hold(held, officer, "Claim against the embassy (Qzwheldreason)")
    held_police = marked_liaison_case(m["Qzwpolheld"], officer=liaison)
    hold(held_police, liaison, "Court case in Oslo")
    return {"m": m, "due": due, "due_police": due_police, "recent": recent, "open": still_open,
            "held": held, "held_police": held_police, "officer": officer, "liaison": liaison}


def test_a_dry_run_counts_what_is_due_and_changes_nothing(world, app):
    before = snapshot()
    files = sorted(p.name for p in documents.storage_dir().iterdir())
    record = service.run(dry_run=True, as_of=NOW)
    assert record.dry_run and record.finished_at is not None
    assert record.due == 2 and record.anonymised == 0
    assert record.per_rule["consular/passport"] == 1
    assert record.per_rule["police/child_abduction"] == 1
    db.session.expire_all()
    assert snapshot() == before
    assert sorted(p.name for p in documents.storage_dir().iterdir()) == files
    assert "cases.summary" in text_columns_holding(world["m"]["Qzwdue"])  # all still there


def test_a_run_anonymises_what_is_due_and_nothing_else(world, app):
    record = service.run(as_of=NOW)
    assert (record.due, record.anonymised) == (2, 2)
    assert record.per_rule == {**{k: 0 for k in record.per_rule},
                               "consular/passport": 1, "police/child_abduction": 1}
    db.session.expire_all()
    for marker in (world["m"]["Qzwdue"], world["m"]["Qzwpol"]):
        assert text_columns_holding(marker) == [], marker
        assert files_holding(documents.storage_dir(), marker) == [], marker
    for name in ("recent", "open", "held", "held_police"):
        marker = world["m"][{"recent": "Qzwrecent", "open": "Qzwopen", "held": "Qzwheld",
                             "held_police": "Qzwpolheld"}[name]]
        assert db.session.get(Case, world[name].id).anonymised_at is None, name
        found = text_columns_holding(marker)
        assert "cases.summary" in found and "persons.full_name" in found, name
        assert "journal_notes.text" in found and "attachments.filename" in found, name
    assert files_holding(documents.storage_dir(), world["m"]["Qzwrecent"])
    assert text_columns_holding("Qzwheldreason") == ["legal_holds.reason"]


def test_what_the_statistics_count_stays(world, app):
    due = world["due"]
    kept = db.session.execute(select(
        Case.reference, Case.office_id, Case.status, Case.opened_at, Case.closed_at,
        Case.closing_reason, ConsularRequest.category, ConsularRequest.subcategory,
        ConsularRequest.channel).where(Case.id == due.id)).one()
    subjects = count(request_subjects, request_subjects.c.request_id == due.id)
    police = world["due_police"]
    police_kept = db.session.execute(select(LiaisonCase.category, LiaisonCase.country,
                                            LiaisonCase.closing_reason)
                                     .where(LiaisonCase.id == police.id)).one()
    exchanges = db.session.execute(select(Exchange.exchanged_on, Exchange.direction,
                                          Exchange.handling_code)
                                   .where(Exchange.case_id == police.id)).all()
    service.run(as_of=NOW)
    db.session.expire_all()
    assert db.session.execute(select(
        Case.reference, Case.office_id, Case.status, Case.opened_at, Case.closed_at,
        Case.closing_reason, ConsularRequest.category, ConsularRequest.subcategory,
        ConsularRequest.channel).where(Case.id == due.id)).one() == kept
    assert count(request_subjects, request_subjects.c.request_id == due.id) == subjects
    assert db.session.execute(select(LiaisonCase.category, LiaisonCase.country,
                                     LiaisonCase.closing_reason)
                              .where(LiaisonCase.id == police.id)).one() == police_kept
    assert db.session.execute(select(Exchange.exchanged_on, Exchange.direction,
                                     Exchange.handling_code)
                              .where(Exchange.case_id == police.id)).all() == exchanges
    [child] = db.session.scalars(select(Person).join(CaseParty).where(
        CaseParty.case_id == police.id, CaseParty.role == "abducted_child"))
    assert child.full_name == "" and child.phone is None and child.address is None
    assert child.date_of_birth.isoformat() == "1984-04-01"  # cut to its quarter
    assert count(PersonIdentifier, PersonIdentifier.person_id == child.id) == 0
    assert count(PersonName, PersonName.person_id == child.id) == 0


def test_persons_left_on_no_case_are_removed_and_others_keep_their_record(world, app,
                                                                           login_as):
    officer = world["officer"]
    # The same person on a due request and on one still open: the open one keeps them.
    both = db.session.get(ConsularRequest, world["open"].id).subjects[0]
    twice = fresh("Qzwtwice")
    other = marked_request(twice, office=officer.office, officer=officer, subject=both)
    requester_id = db.session.get(ConsularRequest, world["due"].id).requester_id
    record = service.run(as_of=NOW)
    db.session.expire_all()
    assert db.session.get(Person, requester_id) is None  # named on no case any more
    assert record.persons_removed >= 1  # the due request's requester
    kept = db.session.get(Person, both.id)
    assert world["m"]["Qzwopen"] in kept.full_name  # the open request still needs them
    assert db.session.get(ConsularRequest, other.id).anonymised_at is not None
    # Its requester is the parent of someone with a live request: that file still names them.
    assert set(text_columns_holding(twice)) == {"persons.full_name", "persons.folded_name",
                                                 "person_name_tokens.token"}
    # The anonymised request still counts them (the report's distinct persons), but no page
    # or search ties it to them any more.
    manager = login_as(Role.MANAGER)
    page = manager.get(f"/consular/requests/{other.reference}").get_data(as_text=True)
    assert world["m"]["Qzwopen"] not in page and "Anonymised on" in page
    person_page = manager.get(f"/consular/persons/{both.id}").get_data(as_text=True)
    assert world["m"]["Qzwopen"] in person_page and other.reference not in person_page
    found = manager.get("/consular/search", query_string={"q": world["m"]["Qzwopen"]})
    assert other.reference not in found.get_data(as_text=True)
    assert world["open"].reference in found.get_data(as_text=True)


def test_a_run_is_recorded_and_audited_and_each_case_too(world, app):
    record = service.run(as_of=NOW)
    actions = [e.action for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "retention_run",
                                 AuditEvent.object_id == str(record.id)))]
    assert actions == ["retention.run_started", "retention.run_finished"]
    assert [e.action for e in audit_rows(world["due"].reference, "consular_request.anonymised")
            ] == ["consular_request.anonymised"]
    assert audit_rows(world["due_police"].reference, "liaison_case.anonymised")
    assert audit_rows(world["held"].reference, "consular_request.anonymised") == []


def test_an_interrupted_run_is_finished_by_the_next(app, monkeypatch):
    office = make_office()
    officer = make_user(Role.CONSULAR_OFFICER, office=office)
    markers = [fresh(f"Qzwbatch{i}x") for i in range(5)]
    cases = [marked_request(markers[i], office=office, officer=officer,
                            category="advice", subcategory="general") for i in range(5)]
    real, calls = service.anonymise_case, []

    def failing_on_the_third(case, **kwargs):
        calls.append(case.id)
        if len(calls) == 3:
            raise RuntimeError("the power went")
        return real(case, **kwargs)

    monkeypatch.setattr(service, "anonymise_case", failing_on_the_third)
    with pytest.raises(RuntimeError, match="power"):
        service.run(as_of=NOW)
    monkeypatch.setattr(service, "anonymise_case", real)
    db.session.expire_all()
    first = db.session.scalars(select(RetentionRun).order_by(RetentionRun.id.desc())).first()
    assert first.finished_at is None and first.due == 5  # shown as not finished
    assert first.anonymised == 2 and first.per_rule["consular/advice"] == 2
    done = {c.id for c in cases if db.session.get(Case, c.id).anonymised_at is not None}
    assert len(done) == 2
    second = service.run(as_of=NOW)
    assert (second.due, second.anonymised) == (3, 3) and second.finished_at is not None
    assert first.anonymised + second.anonymised == len(cases)
    db.session.expire_all()
    assert all(db.session.get(Case, c.id).anonymised_at is not None for c in cases)
    for i in range(5):
        assert text_columns_holding(markers[i]) == []
        assert files_holding(documents.storage_dir(), markers[i]) == []
    assert service.run(as_of=NOW).due == 0  # nothing left


def test_a_lifted_hold_stops_the_clock_for_as_long_as_it_lasted(app):
    from datetime import timedelta

    from sqlalchemy import update

    from tracker.cases import holds
    from tracker.cases.models import LegalHold

    office = make_office()
    officer = make_user(Role.CONSULAR_OFFICER, office=office)
    # Advice is kept 2 years; closed 2 years and 10 days before NOW: due by 10 days.
    request = marked_request("Qzwclock", office=office, officer=officer, category="advice",
                             subcategory="general",
                             closed_at=NOW - timedelta(days=365 * 2 + 10))
    holds.place_hold(request, officer, "Inquiry")
    db.session.commit()
    assert service.run(dry_run=True, as_of=NOW).due == 0  # held
    holds.lift_hold(request, officer, "Inquiry over")
    db.session.commit()
    # The hold held the closed case for 30 days: 20 days still to go.
    db.session.execute(update(LegalHold.__table__).values(paused_seconds=30 * 86400))
    db.session.commit()
    assert service.run(dry_run=True, as_of=NOW).due == 0
    assert service.run(dry_run=True, as_of=NOW + timedelta(days=21)).due == 1


def test_a_case_on_hold_refuses_anonymisation_by_any_caller(world, app):
    with pytest.raises(service.NotToBeAnonymised):
        service.anonymise_case(world["held"], why="erasure request")


def test_the_command_counts_first_then_anonymises_and_names_no_reference(world, context_app):
    runner = context_app.test_cli_runner()
    dry = runner.invoke(args=["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Passport: 1 due (dry run: nothing changed)" in dry.output
    assert "Child abduction: 1 due" in dry.output
    assert db.session.get(Case, world["due"].id).anonymised_at is None
    done = runner.invoke(args=["retention", "run"])
    assert done.exit_code == 0, done.output
    assert "Passport: 1 anonymised" in done.output and "2 anonymised" in done.output
    assert world["due"].reference not in done.output
    assert world["due_police"].reference not in done.output
    db.session.expire_all()
    assert db.session.get(Case, world["due"].id).anonymised_at is not None


def test_a_relative_named_in_a_live_file_is_kept(app):
    from tests.conftest import make_person
    from tracker.people import services as people

    office = make_office()
    officer = make_user(Role.CONSULAR_OFFICER, office=office)
    old = marked_request(fresh("Qzwold"), office=office, officer=officer)
    live = marked_request(fresh("Qzwlive"), office=office, officer=officer, closed_at=None)
    mother = make_person("Amina Relativesen")  # on no case: only a relative
    live_subject = db.session.get(ConsularRequest, live.id).subjects[0]
    old_subject = db.session.get(ConsularRequest, old.id).subjects[0]
    people.relate(mother, live_subject, "parent", actor=officer)
    people.relate(mother, old_subject, "parent", actor=officer)
    db.session.commit()
    service.run(as_of=NOW)
    db.session.expire_all()
    kept = db.session.get(Person, mother.id)
    assert kept is not None and kept.full_name == "Amina Relativesen"
    assert count(PersonRelation, PersonRelation.related_id == live_subject.id) >= 1
    assert db.session.get(Person, old_subject.id).full_name == ""


def test_a_correction_s_and_an_export_s_reason_go_with_the_person_s_details(app):
    """A correction (0023) and a subject-access request (0024) keep a reason beside the person:
    it names the person too."""
    from tracker.consular import subject_access
    from tracker.people import rectification

    marker = fresh("Qzwcorr")
    request = marked_request(marker)
    [subject] = request.subjects
    officer = request.assigned_to
    rectification.correct(subject, rectification.Correction(
        full_name=subject.full_name, phone="+47 912 34 567"),
        f"{marker} showed a passport at the counter", officer, subject.version)
    subject_access.ask(subject, f"Letter from {marker} of 3 March", officer)
    db.session.commit()
    assert {"person_corrections.reason", "subject_access_requests.reason"} <= set(
        text_columns_holding(marker))
    service.run(as_of=NOW)
    db.session.expire_all()
    assert text_columns_holding(marker) == []
