"""Notes and contact entries on a case: immutable once saved; a correction is a new note."""
from __future__ import annotations

from sqlalchemy import event
from flask_babel import format_decimal, gettext as _

from tracker.audit import service as audit
from tracker.auth.models import User
from tracker.cases.models import Case, ContactChannel, JournalNote, NoteKind, TimelineEvent
from tracker.cases.models import TimelineKind
from tracker.extensions import db
from tracker.domain import FieldError
from tracker.notifications.models import NotificationKind
from tracker.notifications.service import notify

MAX_NOTE = 20_000


class JournalError(FieldError):
    """A note or contact entry cannot be saved as it is."""


class NoteIsImmutable(RuntimeError):
    """A saved note was changed; the journal keeps what was written."""


@event.listens_for(JournalNote, "before_update")
def _refuse_note_changes(mapper, connection, target):
    raise NoteIsImmutable("A saved note cannot be changed; add a correction instead.")


@event.listens_for(JournalNote, "before_delete")
def _refuse_note_deletion(mapper, connection, target):
    raise NoteIsImmutable("A saved note cannot be deleted; add a correction instead.")


def _clean_text(text: str | None, field: str = "text") -> str:
    text = (text or "").strip()
    if not text:
        raise JournalError(_("Write the note."), field)
    if len(text) > MAX_NOTE:
        raise JournalError(_("Keep a note under %(limit)s characters.",
                             limit=format_decimal(MAX_NOTE)), field)
    return text


def add_note(case: Case, author: User, text: str, *, corrects_id: int | None = None
             ) -> JournalNote:
    """Add a note (or a correction of an earlier note of the same case)."""
    if corrects_id is not None:
        # A number no row can have is refused before the database is asked (SQLite cannot
        # even compare an integer beyond 64 bits).
        earlier = db.session.get(JournalNote, corrects_id) if 0 < corrects_id < 2**31 else None
        if earlier is None or earlier.case_id != case.id:
            raise JournalError(_("The note to correct is not on this request."), "corrects_id")
    note = JournalNote(case_id=case.id, kind=NoteKind.NOTE, author=author,
                       text=_clean_text(text), corrects_id=corrects_id)
    return _record(case, author, note, TimelineKind.NOTE)


def add_contact(case: Case, author: User, channel: str, with_whom: str, text: str
                ) -> JournalNote:
    """Record a call, meeting, e-mail or visit, and with whom."""
    try:
        channel = ContactChannel(channel)
    except ValueError:
        raise JournalError(_("Choose how the contact was made."), "contact_channel")
    with_whom = (with_whom or "").strip()
    if not with_whom:
        raise JournalError(_("Say who the contact was with."), "contact_with")
    note = JournalNote(case_id=case.id, kind=NoteKind.CONTACT, author=author,
                       text=_clean_text(text, "said"), contact_channel=channel,
                       contact_with=with_whom[:200])
    return _record(case, author, note, TimelineKind.CONTACT)


def _record(case: Case, author: User, note: JournalNote, kind: TimelineKind) -> JournalNote:
    db.session.add(note)
    db.session.flush()
    db.session.add(TimelineEvent(case_id=case.id, actor=author, kind=kind, note_id=note.id,
                                 at=note.at))
    audit.record(f"{case.kind}.{kind.value}_added", object_type=str(case.kind),
                 object_id=case.reference, actor=author, details={"note": note.id})
    db.session.flush()
    notify(NotificationKind.NOTE_ADDED, [case.assigned_to], case, actor=author)
    return note
