"""Creating, finding and de-duplicating persons, always inside one compartment."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, or_, select, union
from sqlalchemy.orm import selectinload
from flask_babel import gettext as _, lazy_gettext as _l

from tracker.audit import service as audit
from tracker.auth.models import User
from tracker.cases import scope
from tracker.cases.references import parse_reference, reference_parts
from tracker.extensions import db
from tracker.people import duplicates
from tracker.people.identifiers import (
    IdentifierError,
    canonical_identifier,
    identifier_birth_date,
    search_forms,
)
from tracker.people.models import (
    Compartment,
    IdentifierKind,
    Nationality,
    Person,
    PersonIdentifier,
    PersonName,
    PersonNameToken,
    PersonRelation,
    PossibleDuplicate,
    RelationKind,
    Sex,
)
from tracker.people.name_index import TOP
from tracker.people.names import fold_name, name_tokens, names_match
from tracker.domain import FieldError, raise_all, too_long
from tracker.i18n import local_date

MAX_CANDIDATES = 10
CHOOSE_KIND = _l("Choose what kind of number this is.")


class PersonError(FieldError):
    """A person's details break a rule (a check digit, a date in the future...)."""


@dataclass
class IdentifierInput:
    kind: str
    value: str
    country: str | None = None


@dataclass
class PersonInput:
    """What an officer typed about a person, before validation."""

    full_name: str
    date_of_birth: date | None = None
    sex: str | None = None
    nationality: str | None = None
    other_nationality: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    other_names: list[str] = field(default_factory=list)
    identifiers: list[IdentifierInput] = field(default_factory=list)


@dataclass(frozen=True)
class CheckedIdentifier:
    kind: IdentifierKind
    value: str
    country: str | None


def check_identifier(entry: IdentifierInput, field_name: str = "identifier"
                     ) -> CheckedIdentifier:
    """The identifier in canonical form, or PersonError with the validator's message."""
    try:
        kind = IdentifierKind(entry.kind)
    except ValueError:
        raise PersonError(CHOOSE_KIND, f"{field_name}_kind")
    country = (entry.country or "").strip().upper() or None
    if kind is IdentifierKind.PASSPORT:
        country = country or "NO"
        if len(country) != 2 or not country.isalpha() or not country.isascii():
            raise PersonError(_("Give the issuing country as two letters, e.g. NO or PK."),
                              f"{field_name}_country")
    try:
        value = canonical_identifier(kind.value, entry.value, country=country)
    except IdentifierError as exc:
        raise PersonError(str(exc), f"{field_name}_value")
    return CheckedIdentifier(kind, value, country if kind is IdentifierKind.PASSPORT else None)


def _search_key(full_name: str, other_names: list[str]) -> str:
    return " | ".join(fold_name(n) for n in [full_name, *other_names] if n.strip())[:400]


def _checked(data: PersonInput) -> tuple[str, list[str], list[CheckedIdentifier]]:
    """The person's details in canonical form; every broken rule at once (PersonError)."""
    problems: list[FieldError] = []
    full_name, other_names = checked_names(data.full_name, data.other_names,
                                           data.date_of_birth, problems)
    identifiers = []
    for entry in data.identifiers:
        if entry.value.strip():
            try:
                identifiers.append(check_identifier(entry))
            except PersonError as error:
                problems.append(error)
    if data.date_of_birth:
        for identifier in identifiers:
            try:
                check_birth_date(identifier, data.date_of_birth)
            except PersonError as error:
                problems.append(error)
    raise_all(problems)
    return full_name, other_names, identifiers


def checked_names(full_name: str | None, other_names: list[str], date_of_birth: date | None,
                  problems: list[FieldError]) -> tuple[str, list[str]]:
    """The name and other spellings tidied; a missing or too long name and a birth date in the
    future added to `problems` (shared by new persons and corrections)."""
    full_name = " ".join((full_name or "").split())
    if not full_name:
        problems.append(PersonError(_("Write the person's name as they write it."), "full_name"))
    elif len(full_name) > 200:
        problems.append(PersonError(too_long(200, len(full_name)), "full_name"))
    if date_of_birth and date_of_birth > date.today():
        problems.append(PersonError(_("The date of birth is in the future."), "date_of_birth"))
    return full_name, [" ".join(n.split())[:200] for n in other_names if n and n.strip()]


def check_person(data: PersonInput) -> None:
    """Raise PersonError carrying every rule the typed details break (nothing is saved)."""
    _checked(data)


def check_birth_date(identifier: CheckedIdentifier, date_of_birth: date,
                     field_name: str = "date_of_birth") -> None:
    """PersonError when the number carries a birth date other than the one typed."""
    carried = identifier_birth_date(identifier.kind.value, identifier.value)
    if carried is not None and carried != date_of_birth:
        raise PersonError(
            _("The identity number carries the date of birth %(carried)s, not %(typed)s: "
              "check both for typing errors.", carried=local_date(carried, "long"),
              typed=local_date(date_of_birth, "long")), field_name)


def identifier_clause(pairs) -> object | None:
    """Identifiers equal to any of the (kind, canonical value) pairs; None for no pairs."""
    pairs = list(pairs)
    if not pairs:
        return None
    return or_(*(and_(PersonIdentifier.kind == kind, PersonIdentifier.value == value)
                 for kind, value in pairs))


def person_match_clause(compartment: Compartment, text: str):
    """Persons with an identifier in `text` (any notation) or a name whose folded variants
    hold every word of it; None when the text could name nobody. One IN over the ids found
    each way, so that the planner looks persons up by id instead of testing every person."""
    ways = []
    same_identifier = identifier_clause(search_forms(text))
    if same_identifier is not None:
        ways.append(select(PersonIdentifier.person_id).where(same_identifier))
    # A reference (or a part of one) is not a name: looked for as three name words, it cost a
    # scan of every person (docs/benchmarks.md). Nor is a word of digits.
    looks_like_reference = parse_reference(text) or reference_parts(text)
    tokens = [token for token in name_tokens(text) if not token.isdigit()]
    if tokens and not looks_like_reference:
        ways.append(named(compartment, tokens))
    if not ways:
        return None
    return Person.id.in_(ways[0] if len(ways) == 1 else union(*ways))


def named(compartment: Compartment, tokens: list[str]):
    """Ids of the persons with a word of their names (any spelling kept) beginning with each
    token: prefix ranges over `person_name_tokens`, which PostgreSQL may take from the index
    under row security (tracker/people/name_index.py)."""
    ids = None
    # Each word narrows the ones before it (an IN, not INTERSECT: SQLite takes no compound
    # SELECT inside another).
    for token in tokens:
        stmt = select(PersonNameToken.person_id).where(
            PersonNameToken.compartment == compartment,
            PersonNameToken.token >= token[:100], PersonNameToken.token < token[:100] + TOP)
        ids = stmt if ids is None else stmt.where(PersonNameToken.person_id.in_(ids))
    return ids


def _matches(compartment: Compartment, data: PersonInput) -> dict[int, tuple[Person, str]]:
    """Persons of the compartment who may be this one, as far as the reader may see.

    Same identifier, or same date of birth and a name that matches after folding the usual
    transliteration variants (Muhammad/Mohammed, Chaudhry/Chaudhary, case, accents).
    """
    full_name, other_names, identifiers = _checked(data)
    same_identifier = identifier_clause([(i.kind, i.value) for i in identifiers])
    live = and_(Person.compartment == compartment, Person.merged_into_id.is_(None))
    found: dict[int, tuple[Person, str]] = {}
    if same_identifier is not None:
        stmt = (select(Person).join(Person.identifiers).where(live, same_identifier)
                .options(selectinload(Person.identifiers), selectinload(Person.other_names))
                .limit(MAX_CANDIDATES))
        found.update({p.id: (p, "identifier") for p in db.session.scalars(stmt)})
    if data.date_of_birth:
        stmt = (select(Person).where(live, Person.date_of_birth == data.date_of_birth)
                .options(selectinload(Person.identifiers), selectinload(Person.other_names))
                .limit(200))
        names = [full_name, *other_names]
        for person in db.session.scalars(stmt):
            theirs = [person.full_name, *(n.name for n in person.other_names)]
            if any(names_match(a, b) for a in names for b in theirs):
                found.setdefault(person.id, (person, "name and birth date"))
    return found


def duplicate_candidates(compartment: Compartment, data: PersonInput) -> list[Person]:
    """Persons the reader may see who may be this one (the scope leaves out all others)."""
    return _candidates(_matches(compartment, data))


def _candidates(matches: dict[int, tuple[Person, str]]) -> list[Person]:
    return [p for p, _ in matches.values()][:MAX_CANDIDATES]


def hidden_matches(compartment: Compartment, data: PersonInput, visible) -> dict[int, str]:
    """Matches outside the reader's scope (id -> what matched), given the ids of those inside
    it: to queue, never to show."""
    with scope.unscoped("queue duplicates the reader may not see; nothing of them is shown"):
        everyone = _matches(compartment, data)
    hidden = {}
    for pid, (person, matched) in everyone.items():
        if pid not in visible:
            hidden[pid] = matched
            if person in db.session:  # keep the reader's session free of them (cascades)
                db.session.expunge(person)
    return hidden


def create_person(compartment: Compartment, data: PersonInput, actor: User | None) -> Person:
    """Validate and add a person (flushed: the caller's unit of work decides)."""
    full_name, other_names, identifiers = _checked(data)
    try:
        sex = Sex(data.sex) if data.sex else None
        nationality = Nationality(data.nationality) if data.nationality else None
    except ValueError:
        raise PersonError(_("Choose from the list."), "sex" if data.sex else "nationality")
    person = Person(
        compartment=compartment, full_name=full_name,
        folded_name=_search_key(full_name, other_names), date_of_birth=data.date_of_birth,
        sex=sex, nationality=nationality,
        other_nationality=(data.other_nationality or "").strip()[:80] or None,
        phone=(data.phone or "").strip()[:60] or None,
        email=(data.email or "").strip()[:254] or None,
        address=(data.address or "").strip() or None,
        created_by_id=actor.id if actor else None,
        other_names=[PersonName(name=n) for n in other_names],
        identifiers=[PersonIdentifier(kind=i.kind, value=i.value, country=i.country)
                     for i in dict.fromkeys(identifiers)],
    )
    db.session.add(person)
    db.session.flush()
    audit.record("person.created", object_type=f"{compartment}_person", object_id=person.id,
                 actor=actor)
    return person


def add_identifier(person: Person, entry: IdentifierInput, actor: User | None
                   ) -> PersonIdentifier:
    """Give a person another identity number (flushed), checked as on the person forms.

    Refused when another person the officer sees holds it (the records are to be merged, not
    both given the number); a holder the officer may not see is queued as a possible duplicate
    for someone who may see both, and nothing of them is shown.
    """
    checked = check_identifier(entry)
    if person.date_of_birth:
        check_birth_date(checked, person.date_of_birth, "identifier_value")
    if any(i.kind is checked.kind and i.value == checked.value for i in person.identifiers):
        raise PersonError(_("This person holds this number already."), "identifier_value")
    holders = (select(Person.id, Person.full_name).join(Person.identifiers)
               .where(Person.compartment == person.compartment,
                      Person.merged_into_id.is_(None), Person.id != person.id,
                      PersonIdentifier.kind == checked.kind,
                      PersonIdentifier.value == checked.value))
    visible = db.session.execute(holders.limit(1)).first()
    if visible is not None:
        raise PersonError(
            _("%(name)s holds this number already: if this is the same person, the two records "
              "are to be merged, not both given the number.", name=visible.full_name),
            "identifier_value")
    with scope.unscoped("queue a holder the reader may not see; nothing of them is shown"):
        hidden = set(db.session.scalars(select(holders.subquery().c.id)))
    queued = set(db.session.scalars(select(PossibleDuplicate.other_id).where(
        PossibleDuplicate.person_id == person.id)))
    identifier = PersonIdentifier(person=person, kind=checked.kind, value=checked.value,
                                  country=checked.country)
    db.session.add(identifier)
    db.session.flush()
    audit.record("person.identifier_added", object_type=f"{person.compartment}_person",
                 object_id=person.id, actor=actor, details={"kind": checked.kind.value})
    duplicates.queue_hidden_matches(person, dict.fromkeys(hidden - queued, "identifier"))
    return identifier


def relate(person: Person, related: Person, kind: RelationKind | str, *,
           actor: User | None = None) -> PersonRelation:
    """Record that `person` is `kind` of `related` (both of one compartment)."""
    if person.compartment != related.compartment:
        raise PersonError(_("Persons of different compartments cannot be related."))
    if person.id == related.id:
        raise PersonError(_("A person cannot be related to themselves."), "related")
    try:
        kind = RelationKind(kind)
    except ValueError:
        raise PersonError(_("Choose the kind of relation."), "kind")
    if any(r.related_id == related.id and r.kind is kind for r in person.relations):
        raise PersonError(_("This relation is recorded already."), "related")
    relation = PersonRelation(person=person, related=related, kind=kind)
    db.session.add(relation)
    db.session.flush()
    audit.record("person.related", object_type=f"{person.compartment}_person",
                 object_id=person.id, actor=actor,
                 details={"related": related.id, "kind": kind.value})
    db.session.flush()
    return relation


def find_persons(compartment: Compartment, text: str, limit: int = 25, *, where=None
                 ) -> list[Person]:
    """Persons of one compartment by identifier (any notation) or by name (variants folded).

    `where`: a further condition on Person, e.g. only the persons the searcher may see.
    """
    text = (text or "").strip()[:200]
    if not text:
        return []
    match = person_match_clause(compartment, text)
    if match is None:
        return []
    stmt = (select(Person).where(Person.compartment == compartment,
                                 Person.merged_into_id.is_(None), match)
            .options(selectinload(Person.identifiers), selectinload(Person.other_names))
            .order_by(Person.full_name).limit(limit))
    if where is not None:
        stmt = stmt.where(where)
    return list(db.session.scalars(stmt))


def keep_other_spellings(person: Person, names: list[str], actor: User | None) -> list[str]:
    """Keep each typed name the person is not yet known by as another spelling (audited);
    the spellings added."""
    known = {" ".join(n.split()).casefold()
             for n in [person.full_name, *(o.name for o in person.other_names)]}
    added = []
    for name in names:
        name = " ".join((name or "").split())
        if name and name.casefold() not in known and len(name) <= 200:
            known.add(name.casefold())
            person.other_names.append(PersonName(name=name))
            added.append(name)
    if not added:
        return added
    person.folded_name = _search_key(person.full_name, [o.name for o in person.other_names])
    db.session.flush()
    audit.record("person.spelling_added", object_type=f"{person.compartment}_person",
                 object_id=person.id, actor=actor, details={"names": "; ".join(added)})
    return added


class NeedsChoice(Exception):
    """Possible duplicates were found: the officer must pick one or confirm a new person."""

    def __init__(self, candidates: list[Person]):
        super().__init__("possible duplicates")
        self.candidates = candidates


def chosen_or_new_person(compartment: Compartment, data: PersonInput, *,
                         chosen_id: str | int | None, confirmed_new: bool,
                         actor: User | None) -> Person:
    """The existing person the officer picked, or a new one once duplicates are ruled out.

    Only a person the duplicate warning listed for what was typed can be picked: an id slipped
    into the form must not link a case to someone the officer was never shown.
    """
    seen = _matches(compartment, data)
    candidates = _candidates(seen)
    if chosen_id:
        chosen = next((p for p in candidates if str(p.id) == str(chosen_id)), None)
        if chosen is None:
            raise PersonError(_("Choose one of the persons listed."))
        keep_other_spellings(chosen, [data.full_name, *data.other_names], actor)
        return chosen
    if candidates and not confirmed_new:
        raise NeedsChoice(candidates)
    hidden = hidden_matches(compartment, data, visible=seen)
    person = create_person(compartment, data, actor)
    duplicates.queue_hidden_matches(person, hidden)
    return person
