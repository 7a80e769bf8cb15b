"""Rectification: a person's details corrected, with a reason, by an officer who works the
person's compartment (the data subject's right to have wrong data corrected).

The record then holds the corrected details; each correction keeps which details changed, why,
by whom and when (`PersonCorrection`, shown on the person's page), and the audit log records
it. The duplicate check runs again on the corrected details: a match the officer may see, or
one they may not, goes to the duplicates queue for someone who may see both.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm.attributes import flag_modified

from tracker.audit import service as audit
from tracker.auth.models import User
from tracker.cases import scope
from tracker.domain import FieldError, StaleRecord, raise_all, too_long
from tracker.extensions import db
from tracker.people import duplicates
from tracker.people.models import (
    Nationality,
    Person,
    PersonCorrection,
    PersonName,
    PossibleDuplicate,
    Sex,
)
from tracker.people.services import (
    CheckedIdentifier,
    IdentifierInput,
    PersonError,
    PersonInput,
    _matches,
    _search_key,
    check_birth_date,
    checked_names,
)

# Each detail a correction may change, with its name as the history shows it.
FIELD_LABELS = {
    "full_name": _l("Name"), "other_names": _l("Other spellings"),
    "date_of_birth": _l("Date of birth"), "sex": _l("Sex"), "nationality": _l("Nationality"),
    "phone": _l("Phone"), "email": _l("E-mail"), "address": _l("Address"),
    "identifiers": _l("Identity numbers"),
}
MIN_REASON = 10


@dataclass(frozen=True)
class Correction:
    """The details as the officer corrected them, and the identity numbers to drop."""

    full_name: str
    other_names: list[str] = field(default_factory=list)
    date_of_birth: date | None = None
    sex: str | None = None
    nationality: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    drop_identifiers: list[int] = field(default_factory=list)


def _tidy(text: str | None) -> str | None:
    return " ".join((text or "").split()) or None


def _checked(person: Person, data: Correction, reason: str) -> dict:
    """The new values by field; every broken rule at once (PersonError)."""
    problems: list[FieldError] = []
    full_name, other_names = checked_names(data.full_name, data.other_names,
                                           data.date_of_birth, problems)
    other_names = list(dict.fromkeys(other_names))
    values = {}
    for name, enum in (("sex", Sex), ("nationality", Nationality)):
        raw = getattr(data, name)
        try:
            values[name] = enum(raw) if raw else None
        except ValueError:
            problems.append(PersonError(_("Choose from the list."), name))
    held = {i.id: i for i in person.identifiers}
    if any(i not in held for i in data.drop_identifiers):
        problems.append(PersonError(_("Choose from the list."), "drop_identifiers"))
    kept = [i for i in person.identifiers if i.id not in data.drop_identifiers]
    if data.date_of_birth:
        for identifier in kept:
            try:
                check_birth_date(CheckedIdentifier(identifier.kind, identifier.value,
                                                   identifier.country), data.date_of_birth)
            except PersonError as error:
                problems.append(error)
    for name, limit in (("phone", 60), ("email", 254), ("address", 2000)):
        text = (getattr(data, name) or "").strip()
        if len(text) > limit:
            problems.append(PersonError(too_long(limit, len(text)), name))
    if len(" ".join(reason.split())) < MIN_REASON:
        problems.append(PersonError(
            _("Say why the details are corrected (at least %(count)d characters): it is kept "
              "with the correction.", count=MIN_REASON), "reason"))
    raise_all(problems)
    return {"full_name": full_name, "other_names": other_names,
            "date_of_birth": data.date_of_birth, **values,
            "phone": _tidy(data.phone), "email": _tidy(data.email),
            "address": (data.address or "").strip() or None,
            "identifiers": [i.id for i in kept]}


def correct(person: Person, data: Correction, reason: str, actor: User,
            version: int | None) -> list[str]:
    """Correct the person's details (flushed); the keys of the details that changed.

    `version` is the record's version when the form was opened: a person changed since is
    not overwritten (StaleRecord)."""
    if version != person.version:
        raise StaleRecord(_("The person's record changed after you opened the correction: "
                            "nothing was saved. Open it again to see the details as they are."))
    new = _checked(person, data, reason)
    old = {"full_name": person.full_name, "other_names": [n.name for n in person.other_names],
           "date_of_birth": person.date_of_birth, "sex": person.sex,
           "nationality": person.nationality, "phone": person.phone, "email": person.email,
           "address": person.address, "identifiers": [i.id for i in person.identifiers]}
    changed = [key for key in FIELD_LABELS if new[key] != old[key]]
    if not changed:
        raise PersonError(_("Nothing was changed: correct a detail, or leave the page."))
    for key in ("full_name", "date_of_birth", "sex", "nationality", "phone", "email",
                "address"):
        setattr(person, key, new[key])
    if "other_names" in changed:
        person.other_names = [PersonName(name=n) for n in new["other_names"]]
    if "identifiers" in changed:
        person.identifiers = [i for i in person.identifiers if i.id in new["identifiers"]]
    person.folded_name = _search_key(person.full_name, new["other_names"])
    flag_modified(person, "folded_name")  # the record's version moves with every correction
    reason = " ".join(reason.split())
    person.corrections.append(PersonCorrection(corrected_by_id=actor.id,
                                               fields=",".join(changed), reason=reason))
    db.session.flush()
    audit.record("person.corrected", object_type=f"{person.compartment}_person",
                 object_id=person.id, actor=actor,
                 details={"fields": ",".join(changed), "reason": reason})
    _check_duplicates_again(person)
    return changed


def _check_duplicates_again(person: Person) -> None:
    """Queue every person the corrected details may be (same identity number, or same birth
    date and a matching name), seen by the officer or not, not queued with this one already."""
    data = PersonInput(
        full_name=person.full_name, date_of_birth=person.date_of_birth,
        other_names=[n.name for n in person.other_names],
        identifiers=[IdentifierInput(i.kind.value, i.value, i.country)
                     for i in person.identifiers])
    queued = {pid for pair in db.session.scalars(select(PossibleDuplicate).where(or_(
        PossibleDuplicate.person_id == person.id, PossibleDuplicate.other_id == person.id)))
        for pid in (pair.person_id, pair.other_id)}
    loaded = set(db.session.identity_map.values())
    with scope.unscoped("the duplicate check after a correction; nothing of them is shown"):
        found = _matches(person.compartment, data)
    matches = {}
    for pid, (other, matched) in found.items():
        if other is not person and other not in loaded:
            db.session.expunge(other)  # loaded past the scope: never handed to the page
        if pid != person.id and pid not in queued:
            matches[pid] = matched
    duplicates.queue_hidden_matches(person, matches)
