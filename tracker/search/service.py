"""The search box of both compartments: reference, identifier, name and words, ranked.

Each way of matching finds its few candidates through an index and leaves the reader's scope
to the data layer (tracker/cases/scope.py), which checks it per candidate with an indexed
EXISTS; nothing builds the reader's population as a set. A part of a reference becomes the
whole references it can be (every office's prefix, every year: equality on the unique index);
an identifier the persons holding it (the identifier index); a name the persons whose folded
name holds it, then their cases; words the entries holding them (the full-text index). The
candidates' ids come without ORDER BY ... LIMIT, which would tempt the planner to walk every
case newest first and test each: they are few, and sorted here. They are ranked (reference,
identifier, name, then words by the database's own text rank), the best `limit` loaded once,
and what matched marked in each.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import Select, and_, column, func, literal_column, or_, select
from sqlalchemy import table as table_

from tracker.cases.models import CaseKind
from tracker.cases.references import parse_reference, reference_parts
from tracker.extensions import db
from tracker.people.identifiers import search_forms
from tracker.people.models import Compartment, Person, PersonIdentifier
from tracker.people.names import name_tokens
from tracker.people.services import identifier_clause, named
from tracker.search.highlight import Terms, highlight, mark_all
from tracker.db import utcnow
from tracker.search.schema import TABLES

MAX_TEXT = 200
MAX_WORDS = 8
# The matching persons looked at per name search: a name as common as "Muhammad" matches a
# third of all persons; the newest requests of the first thousand are shown.
MAX_PERSONS = 1000
MAX_ENTRIES = 200  # text matches ranked per search
MAX_CASES = 2000  # cases looked at per way of matching
FIRST_YEAR = 2000  # of references that a part of one may mean
_WORD = re.compile(r"[^\W_]+")

FIELD_LABELS = {"summary": _l("Summary"), "place": _l("Place"), "details": _l("Case details"),
                "note": _l("Note"), "contact": _l("Contact"), "document": _l("Document"),
                "exchange": _l("Exchange"), "reference": _l("Reference"),
                "identifier": _l("Identifier"), "name": _l("Name")}
# Rank of each way of matching: a reference beats an identifier beats a name beats words.
REFERENCE, PART_OF_REFERENCE, IDENTIFIER, NAME, WORDS = 500, 450, 400, 200, 100


@dataclass(frozen=True)
class SearchSpec:
    """What a compartment tells the search: its cases, and how a person leads to them."""

    kind: CaseKind
    model: type
    entries: type  # the table of its searchable text (tracker.search.models)
    compartment: Compartment
    digits: int  # of the reference's number
    prefixes: Callable[[], list[str]]  # every prefix its references may have
    # person ids -> clauses on `model`, each: the cases those persons are in one way
    cases_of_persons: Callable[[list[int]], list]
    # a case -> the persons shown with it (their names and identifiers may have matched)
    persons_of: Callable[[object], list[Person]]
    # () -> loader options for the results (a function: options made at import would
    # configure the mappers before every model is imported)
    load_options: Callable[[], tuple] = tuple


@dataclass
class Hit:
    """One thing that matched, in words and with the matching text marked."""

    field: str
    text: Markup

    @property
    def label(self) -> str:
        return str(FIELD_LABELS.get(self.field, self.field))


@dataclass
class Result:
    case: object
    rank: tuple
    hits: list[Hit] = field(default_factory=list)


@dataclass
class _Candidate:
    rank: tuple
    opened: object = None  # when the case was opened, where known: newest first in a rank
    ways: set[str] = field(default_factory=set)
    entries: list[tuple[str, str]] = field(default_factory=list)  # (field, body)

    def add(self, rank: tuple, way: str) -> None:
        self.rank = max(self.rank, rank)
        self.ways.add(way)


def clean(text: str | None) -> str:
    return " ".join((text or "").split())[:MAX_TEXT]


def search(spec: SearchSpec, text: str, limit: int = 50) -> list[Result]:
    """The reader's cases of one compartment that match `text`, best first, marked."""
    text = clean(text)
    if not text:
        return []
    exact = parse_reference(text, spec.digits)
    if exact:
        found = db.session.scalars(select(spec.model).where(spec.model.reference == exact)
                                   .options(*spec.load_options())).all()
        if found:  # a whole reference means that case, and nothing else is looked for
            return [Result(found[0], (REFERENCE, 0), [Hit("reference", mark_all(exact))])]
    candidates: dict[int, _Candidate] = {}

    def found_by(rows, rank: tuple, way: str) -> None:
        for case_id, opened in rows:
            candidate = candidates.setdefault(case_id, _Candidate(rank))
            candidate.add(rank, way)
            candidate.opened = opened

    parts = reference_parts(text)
    if parts:
        found_by(_cases(spec, [_reference_clause(spec, parts)]), (PART_OF_REFERENCE, 0),
                 "reference")
    forms = search_forms(text)
    if forms:
        holders = select(PersonIdentifier.person_id).where(identifier_clause(forms))
        found_by(_cases_of_persons(spec, Person.id.in_(holders)), (IDENTIFIER, 0),
                 "identifier")
    # A name has letters: a number typed is an identifier or a reference, not a name.
    tokens = [t for t in name_tokens(text) if len(t) >= 2 and not t.isdigit()]
    if tokens and not exact and not parts:
        found_by(_cases_of_persons(spec, Person.id.in_(named(spec.compartment, tokens))),
                 (NAME, 0), "name")
    words = _words(text)
    if words:
        for case_id, field_, body, rank in db.session.execute(_word_statement(spec, words)):
            candidates.setdefault(case_id, _Candidate((WORDS, rank))).add((WORDS, rank),
                                                                           "words")
            candidates[case_id].entries.append((field_, body))
    best = sorted(candidates.items(), key=lambda item: (item[1].rank, item[1].opened, item[0]),
                  reverse=True)[:limit]
    if not best:
        return []
    loaded = {case.id: case for case in db.session.scalars(
        select(spec.model).where(spec.model.id.in_([case_id for case_id, _ in best]))
        .options(*spec.load_options()))}
    terms = (Terms(words=tuple(k for w in words for k in name_tokens(w)[:1])),
             Terms(names=tuple(tokens)))
    return [Result(loaded[case_id], candidate.rank,
                   _hits(spec, loaded[case_id], candidate, forms, terms))
            for case_id, candidate in best if case_id in loaded]


def _reference_clause(spec: SearchSpec, parts) -> object:
    """The references a part of one can mean: equality on the unique index (no LIKE: under
    row security PostgreSQL cannot use an index for it), except an office's whole year."""
    years = [str(y) for y in range(FIRST_YEAR, utcnow().year + 2)]
    prefixes = [p.upper() for p in spec.prefixes()]
    whole, clauses = set(), []
    for prefix, year, number in parts:
        if number is None:
            clauses.append(spec.model.reference.like(f"{prefix}-{year}-%"))
            continue
        whole.update(f"{p}-{y}-{number:0{spec.digits}d}"
                     for p in ([prefix] if prefix else prefixes)
                     for y in ([year] if year else years))
    if whole:
        clauses.append(spec.model.reference.in_(sorted(whole)))
    return or_(*clauses)


def _cases(spec: SearchSpec, clauses: list) -> list[tuple[int, object]]:
    """(id, opened) of the reader's cases meeting any clause; each clause one statement, with
    no ORDER BY: the matches are few, and sorted by the caller."""
    rows = {}
    for clause in clauses:
        rows.update(db.session.execute(
            select(spec.model.id, spec.model.opened_at).where(clause).limit(MAX_CASES)).all())
    return list(rows.items())


def _cases_of_persons(spec: SearchSpec, clause) -> list[tuple[int, object]]:
    """The cases of the compartment's persons (not merged away) that meet `clause`: the
    persons first, the first MAX_PERSONS of them, then their cases by the persons' ids. An
    anonymised case no longer says who it was about, so a person's name does not find it."""
    ids = list(db.session.scalars(
        select(Person.id).where(Person.compartment == spec.compartment,
                                Person.merged_into_id.is_(None), clause)
        .limit(MAX_PERSONS)))
    if not ids:
        return []
    return _cases(spec, [and_(clause, spec.model.anonymised_at.is_(None))
                         for clause in spec.cases_of_persons(ids)])


def _words(text: str) -> list[str]:
    """The words searched for, in compatibility form ("ﬁle" is "file", "²" is "2"). Modifier
    letters and other numbers left ("ʹ", "৴") part words: some fold to nothing in the
    database's unaccent, and an empty prefix is not a query."""
    text = "".join(" " if unicodedata.category(c) in ("Lm", "No") else c
                   for c in unicodedata.normalize("NFKC", text))
    return [w for w in _WORD.findall(text) if len(w) >= 2][:MAX_WORDS]


def _word_statement(spec: SearchSpec, words: list[str]) -> Select:
    """(case id, field, body, rank) of the entries holding every word (each as a prefix)."""
    entries = spec.entries
    table, fts_name = TABLES[spec.kind.value]
    columns = (entries.case_id, entries.field, entries.body)
    if db.session.get_bind().dialect.name == "postgresql":
        # Each word folded by the same function as the text, then as a prefix; the words are
        # bound parameters of letters and digits only, so they cannot be operators. Joined with
        # || (immutable), the query is a constant when planned, so the GIN index is costed.
        query_text = None
        for w in words:
            # A folded word may still be two ("½" unaccents to "1/2"): each part a prefix.
            term = func.regexp_replace(func.trim(func.tracker_search_text(w)), r"\s+", ":* & ",
                                       "g").concat(":*")
            query_text = term if query_text is None else query_text.concat(" & ").concat(term)
        query = func.to_tsquery("simple", query_text)
        document = literal_column(f"{table}.document")
        rank = func.ts_rank(document, query)
        stmt = select(*columns, rank).where(document.op("@@")(query))
    else:
        fts = table_(fts_name, column("rowid"))
        rank = -func.bm25(literal_column(fts_name))
        stmt = (select(*columns, rank).join_from(entries, fts, fts.c.rowid == entries.id)
                .where(literal_column(fts_name).op("MATCH")(
                    " AND ".join(f'"{w}"*' for w in words))))
    return stmt.order_by(rank.desc(), entries.case_id.desc()).limit(MAX_ENTRIES)


def _hits(spec: SearchSpec, case, candidate: _Candidate, forms: list[tuple[str, str]],
          terms: tuple[Terms, Terms]) -> list[Hit]:
    """What matched in one result, marked: the reference, a person's identifier or name, and
    up to three texts."""
    word_terms, name_terms = terms
    hits: list[Hit] = []
    if "reference" in candidate.ways:
        hits.append(Hit("reference", mark_all(case.reference)))
    persons = spec.persons_of(case)
    if "identifier" in candidate.ways:
        values = {value for _, value in forms}
        for person in persons:
            for identifier in person.identifiers:
                if identifier.value in values:
                    hits.append(Hit("identifier", Markup("{}: {} {}").format(
                        person.full_name, identifier.kind.label, mark_all(identifier.shown))))
    if "name" in candidate.ways:
        for person in persons:
            for name in [person.full_name, *(n.name for n in person.other_names)]:
                shown = highlight(name, name_terms.matches, snippet=False)
                if "<mark>" in shown:
                    hits.append(Hit("name", shown))
                    break
    for field_, body in candidate.entries[:3]:
        hits.append(Hit(field_, highlight(body, word_terms.matches)))
    return hits
