"""The words of persons' names, one row each, kept by the database: written by migration
0022_name_tokens, read by `tracker.people.services.name_clause`.

A name search used to test `folded_name LIKE '%word%'` on every person of the compartment:
`persons` is under row security (0010), and PostgreSQL uses an index under a policy only for
leakproof operators, which LIKE and pg_trgm's are not. Comparisons of text are leakproof, so
each folded word of a person's names is a row of `person_name_tokens` in a bytewise ("C")
order, and a word typed is looked up as a prefix range through the index: the few persons
named so are found first, and only they meet the reader's scope.

Triggers on `persons` replace a person's rows whenever `folded_name` (the name and its other
spellings, folded; written by tracker/people/services.py) or the compartment changes, so every
writer is covered: the services, merges, migrations, the load generator's bulk inserts. A
SQLite migration that copies `persons` (`batch_alter_table`) drops them: it must run
`create_triggers` again (tests/people/test_name_index.py fails if one is missing).
"""
from __future__ import annotations

# Above every character: a prefix's range is [word, word + TOP).
TOP = "\U0010ffff"

POLICE = "current_setting('tracker.compartment', true) IN ('police', 'all')"

_PG_FUNCTION = """
CREATE FUNCTION person_name_tokens_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM person_name_tokens WHERE person_id = NEW.id;
    INSERT INTO person_name_tokens (person_id, compartment, token)
    SELECT DISTINCT NEW.id, NEW.compartment, word
    FROM regexp_split_to_table(NEW.folded_name, '[ |]+') AS word
    WHERE word <> '' AND length(word) <= 100;
    RETURN NULL;
END $$
"""

# SQLite triggers allow no WITH clause: the words are split by json_each over the key written
# as a JSON array (a folded name holds no quote or backslash; they are dropped all the same).
_SQLITE_WORDS = (
    "SELECT DISTINCT NEW.id, NEW.compartment, value FROM json_each('[\"' || "
    "replace(replace(replace(replace(replace(NEW.folded_name, '\\', ''), '\"', ''), "
    "' | ', ' '), '|', ' '), ' ', '\",\"') || '\"]') "
    "WHERE value <> '' AND length(value) <= 100")


def trigger_names(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return ["person_name_tokens_keep"]
    return ["person_name_tokens_ai", "person_name_tokens_au"]


def create_triggers(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [_PG_FUNCTION,
                "CREATE TRIGGER person_name_tokens_keep AFTER INSERT OR UPDATE OF folded_name, "
                "compartment ON persons FOR EACH ROW EXECUTE FUNCTION person_name_tokens_keep()"]
    insert = f"INSERT INTO person_name_tokens (person_id, compartment, token) {_SQLITE_WORDS}"
    return [
        f"CREATE TRIGGER person_name_tokens_ai AFTER INSERT ON persons BEGIN {insert}; END",
        "CREATE TRIGGER person_name_tokens_au AFTER UPDATE OF folded_name, compartment ON persons "
        f"BEGIN DELETE FROM person_name_tokens WHERE person_id = NEW.id; {insert}; END"]


def drop_triggers(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return ["DROP TRIGGER IF EXISTS person_name_tokens_keep ON persons",
                "DROP FUNCTION IF EXISTS person_name_tokens_keep()"]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in trigger_names(dialect)]


def backfill(dialect: str) -> str:
    if dialect == "postgresql":
        return ("INSERT INTO person_name_tokens (person_id, compartment, token) "
                "SELECT DISTINCT p.id, p.compartment, word FROM persons p, "
                "regexp_split_to_table(p.folded_name, '[ |]+') AS word "
                "WHERE word <> '' AND length(word) <= 100")
    return ("INSERT INTO person_name_tokens (person_id, compartment, token) "
            + _SQLITE_WORDS.replace("NEW.", "p.").replace("json_each(", "persons p, json_each("))


def row_security() -> list[str]:
    """As on `persons` (0010): police persons' words only inside the compartment."""
    others = "compartment <> 'police'"
    return ["ALTER TABLE person_name_tokens ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE person_name_tokens FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY compartment ON person_name_tokens USING ({POLICE} OR {others}) "
            f"WITH CHECK ({POLICE} OR {others})"]
