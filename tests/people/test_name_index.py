"""The words of persons' names, kept by the database (tracker/people/name_index.py): current
after every change, found by prefix in any spelling kept, and on PostgreSQL read through the
index even under row security, never across the compartments."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from tests.conftest import make_person, make_request, make_user
from tracker.auth.models import Role
from tracker.cases import scope
from tracker.extensions import db
from tracker.people import name_index
from tracker.people import services as people
from tracker.people.models import Compartment, Person, PersonNameToken


def words(person: Person) -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(
        select(PersonNameToken.token).where(PersonNameToken.person_id == person.id)))


def found(text_: str, compartment=Compartment.CONSULAR) -> set[str]:
    return {p.full_name for p in people.find_persons(compartment, text_)}


def test_every_trigger_is_in_place(app):
    """A later SQLite migration that copies `persons` drops them: caught here."""
    dialect = db.engine.dialect.name
    query = ("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal" if dialect == "postgresql"
             else "SELECT name FROM sqlite_master WHERE type = 'trigger'")
    assert set(name_index.trigger_names(dialect)) <= set(db.session.scalars(text(query)))


def test_a_new_person_s_words_in_their_folded_spelling(app):
    person = make_person("Mohammed Ali Chaudhary", other_names=["Møller-Ødegård", "محمد"])
    assert words(person) == {"muhammad", "ali", "chaudhry", "moller", "odegard", "محمد"}


def test_a_spelling_kept_later_is_found_at_once(app):
    person = make_person("Ayesha Testbibi")
    assert found("Aisha") == set()
    people.keep_other_spellings(person, ["Aisha Testbibi"], None)
    db.session.commit()
    assert "aisha" in words(person)
    assert found("Aisha Testbibi") == {"Ayesha Testbibi"}


def test_a_renamed_key_replaces_the_old_words(app):
    person = make_person("Zarina Oldname")
    person.folded_name = "zarina newname"
    db.session.commit()
    assert words(person) == {"zarina", "newname"}
    assert found("Oldname") == set()


@pytest.mark.parametrize("typed", ["Mohd Chaudhri", "muh chau", "CHAUDHRY", "Md. Ch"])
def test_each_typed_word_is_a_prefix_of_a_word_of_the_name(app, typed):
    make_person("Muhammad Chaudhry")
    make_person("Muhammad Testkhan")
    assert found(typed) == {"Muhammad Chaudhry"}


def test_every_typed_word_must_be_in_the_name(app):
    make_person("Muhammad Chaudhry")
    assert found("Muhammad Qureshi") == set()
    # A word is found from its beginning, not from its middle.
    assert found("haudhry") == set()


def test_a_word_longer_than_the_index_keeps_still_finds_by_its_beginning(app):
    long_word = "Aa" + "b" * 120
    make_person(f"Kari {long_word}")
    assert found(long_word[:60]) == set()  # kept up to 100 characters: the word is not kept
    assert found("Kari") == {f"Kari {long_word}"}


def test_police_words_never_reach_a_consular_search(app):
    make_person("Quetzal Policeperson", compartment="police")
    officer = make_user(Role.CONSULAR_OFFICER)
    make_request(officer=officer, subject=make_person("Quetzal Consularperson"))
    with scope.reading_as(officer):
        assert found("Quetzal") == {"Quetzal Consularperson"}
        if db.engine.dialect.name == "postgresql":  # the second wall: raw SQL sees none either
            assert db.session.scalar(text(
                "SELECT count(*) FROM person_name_tokens WHERE token = 'policeperson'")) == 0
    with scope.reading_as(make_user(Role.POLICE_LIAISON_OFFICER)):
        assert found("Quetzal", Compartment.POLICE) == {"Quetzal Policeperson"}


def test_postgresql_may_take_the_words_from_the_index_under_row_security(app):
    """Prefix ranges are leakproof comparisons: the planner may use the index inside the
    policy (a LIKE could not). Sequential scans are switched off to ask whether it can."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row security is PostgreSQL's")
    make_person("Muhammad Chaudhry")
    with scope.reading_as(make_user(Role.CONSULAR_OFFICER)):
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(db.session.scalars(text(
            "EXPLAIN SELECT person_id FROM person_name_tokens WHERE compartment = 'consular' "
            "AND token >= 'chau' AND token < 'chau' || chr(1114111)")))
    assert "ix_person_name_tokens_compartment_token" in plan, plan


def test_a_removed_person_leaves_no_word_behind(app):
    """Retention removes persons: their name's words must go with them (the foreign key)."""
    person = make_person("Xochitl Removedperson")
    person_id = person.id
    db.session.delete(person)
    db.session.commit()
    assert db.session.scalar(text(
        f"SELECT count(*) FROM person_name_tokens WHERE person_id = {person_id}")) == 0
    assert db.session.scalar(text(
        "SELECT count(*) FROM person_name_tokens WHERE token = 'removedperson'")) == 0
