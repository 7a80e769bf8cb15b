"""The journal: notes never change; corrections point back; contacts say how and with whom."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import make_request, make_user, reload
from tests.consular.helpers import audit_rows, count, timeline
from tracker.auth.models import Role
from tracker.cases import journal
from tracker.cases.journal import JournalError, NoteIsImmutable
from tracker.cases.models import JournalNote, NoteKind, TimelineKind
from tracker.extensions import db


@pytest.fixture
def officer(app):
    return make_user(Role.CONSULAR_OFFICER)


@pytest.fixture
def request_(officer):
    return make_request(officer=officer)


def test_a_note_is_saved_on_the_timeline_and_audited(request_, officer):
    note = journal.add_note(request_, officer, "  Mother called; flight on Friday.  ")
    assert note.text == "Mother called; flight on Friday."
    assert (note.kind, note.author_id, note.case_id) == (NoteKind.NOTE, officer.id,
                                                         request_.id)
    [event] = [e for e in timeline(request_) if e.kind is TimelineKind.NOTE]
    assert event.note_id == note.id and event.actor_id == officer.id
    assert len(audit_rows(request_.reference, "consular_request.note_added")) == 1


def test_a_saved_note_cannot_be_changed(request_, officer):
    note = journal.add_note(request_, officer, "What was written")
    db.session.commit()  # services flush; saved here, as the unit of work would
    note.text = "Something else"
    with pytest.raises(NoteIsImmutable):
        db.session.flush()
    db.session.rollback()
    assert reload(note).text == "What was written"


def test_a_freshly_loaded_note_cannot_be_changed_either(request_, officer):
    note_id = journal.add_note(request_, officer, "What was written").id
    db.session.expire_all()
    fresh = db.session.scalar(select(JournalNote).where(JournalNote.id == note_id))
    fresh.contact_with = "Someone"
    with pytest.raises(NoteIsImmutable):
        db.session.commit()
    db.session.rollback()


def test_a_saved_note_cannot_be_deleted(request_, officer):
    note = journal.add_note(request_, officer, "What was written")
    db.session.commit()  # services flush; saved here, as the unit of work would
    db.session.delete(note)
    with pytest.raises(NoteIsImmutable):
        db.session.flush()
    db.session.rollback()
    assert count(JournalNote, JournalNote.id == note.id) == 1


def test_a_correction_is_a_new_note_pointing_back(request_, officer):
    original = journal.add_note(request_, officer, "Flight on Friday")
    correction = journal.add_note(request_, officer, "Flight on Saturday, not Friday",
                                  corrects_id=original.id)
    assert correction.id != original.id and correction.corrects_id == original.id
    assert reload(original).text == "Flight on Friday"
    assert count(JournalNote, JournalNote.case_id == request_.id) == 2


def test_a_correction_must_point_to_a_note_of_the_same_request(request_, officer):
    elsewhere = make_request(office=officer.office, officer=officer)
    foreign = journal.add_note(elsewhere, officer, "On another request")
    for wrong in (foreign.id, 987_654_321):
        with pytest.raises(JournalError) as refused:
            journal.add_note(request_, officer, "Correction", corrects_id=wrong)
        assert refused.value.field == "corrects_id"
    db.session.rollback()
    assert count(JournalNote, JournalNote.case_id == request_.id) == 0


@pytest.mark.parametrize("text", ["", "   ", None, "x" * 20_001])
def test_an_empty_or_huge_note_is_refused(request_, officer, text):
    with pytest.raises(JournalError) as refused:
        journal.add_note(request_, officer, text)
    assert refused.value.field == "text"


def test_a_contact_needs_how_and_with_whom(request_, officer):
    with pytest.raises(JournalError) as refused:
        journal.add_contact(request_, officer, "pigeon", "Mother", "Talked")
    assert refused.value.field == "contact_channel"
    with pytest.raises(JournalError) as refused:
        journal.add_contact(request_, officer, "call", "  ", "Talked")
    assert refused.value.field == "contact_with"
    db.session.rollback()
    assert count(JournalNote, JournalNote.case_id == request_.id) == 0
    contact = journal.add_contact(request_, officer, "visit", "The prison governor",
                                  "Visit agreed for Tuesday")
    assert (contact.kind, contact.contact_channel.value, contact.contact_with) == (
        NoteKind.CONTACT, "visit", "The prison governor")
    [event] = [e for e in timeline(request_) if e.kind is TimelineKind.CONTACT]
    assert event.note_id == contact.id


def test_notes_and_contacts_over_http(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    request = make_request(office=officer.user.office, officer=officer.user)
    base = f"/consular/requests/{request.reference}"
    assert officer.post(f"{base}/notes", {"text": "First note"}).status_code == 302
    note = db.session.scalar(select(JournalNote).where(JournalNote.case_id == request.id))
    assert officer.post(f"{base}/notes", {"text": "Corrected", "corrects_id": str(note.id)}
                        ).status_code == 302
    refused = officer.post(f"{base}/contacts", {"contact_channel": "call", "said": "x"})
    assert refused.status_code == 422
    assert "This field is required" in refused.get_data(as_text=True)
    assert officer.post(f"{base}/contacts", {"contact_channel": "call",
                                             "contact_with": "The mother",
                                             "said": "She has the papers"}).status_code == 302
    page = officer.get(base).get_data(as_text=True)
    assert "First note" in page and "Corrected" in page
    assert "corrects an earlier note" in page
    assert "Phone call with The mother" in page
    # The correction link leads to the note's own page with the note to correct.
    assert f'href="{base}/notes?correct={note.id}"' in page
    form = officer.get(f"{base}/notes?correct={note.id}").get_data(as_text=True)
    assert f'name="corrects_id" value="{note.id}"' in form


def test_a_correction_of_another_requests_note_over_http(login_as):
    officer = login_as(Role.CONSULAR_OFFICER)
    request = make_request(office=officer.user.office, officer=officer.user)
    other = make_request(office=officer.user.office, officer=officer.user)
    foreign = journal.add_note(other, officer.user, "Elsewhere")
    before = count(JournalNote)
    response = officer.post(f"/consular/requests/{request.reference}/notes",
                            {"text": "Sneaky", "corrects_id": str(foreign.id)})
    assert response.status_code == 422
    assert "not on this request" in response.get_data(as_text=True)
    assert count(JournalNote) == before
