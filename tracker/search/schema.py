"""The database's own search machinery, per dialect: written by migration 0016_search.

PostgreSQL: `search_entries.document`, a tsvector generated from the body with the 'simple'
configuration and `unaccent` (not the Norwegian or English dictionaries: their stemmers
change names ("Mohammed" becomes "moham", "Chaudhry" "chaudhri" in English; Norwegian cuts
"Tøyenløftet" to "tøyenløft"), a body mixes both languages with Urdu names, and SQLite has no
such dictionaries, so both databases would answer differently; prefix matching of every word
gives most of what stemming would). A GIN index on it; pg_trgm GIN indexes on the folded
names of persons and on references, so that `LIKE '%...%'` on them is an index lookup.

SQLite: an FTS5 index over `search_entries` (external content, unicode61 with diacritics
removed) kept by triggers on that table.

Both: triggers on each source table replace its row's entry when the text changes. A SQLite
migration that copies one of these tables (`batch_alter_table`) drops its triggers: such a
migration must call `create_source_triggers` again (tests/search/test_search.py fails if a
trigger is missing).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """A table whose rows give a case searchable text. SQL expressions use NEW."""

    table: str
    field: str  # SQL expression: what the text is
    body: str  # SQL expression: the text
    case_id: str = "NEW.case_id"
    kind: str = "(SELECT c.kind FROM cases c WHERE c.id = NEW.case_id)"
    when: str = "1 = 1"  # SQL condition on NEW: the row has text to search
    columns: tuple[str, ...] = ()  # an update of these columns replaces the entry


def _words(*parts: str) -> str:
    """Non-empty parts joined by a space; NULL parts left out (same SQL on both databases)."""
    return "trim(" + " || ' ' || ".join(f"coalesce({p}, '')" for p in parts) + ")"


SOURCES = (
    Source("cases", "'summary'",
           "NEW.summary || coalesce(' — ' || nullif(NEW.description, ''), '')",
           case_id="NEW.id", kind="NEW.kind", columns=("summary", "description")),
    Source("consular_requests", "'place'", "NEW.place_of_event", case_id="NEW.id",
           kind="'consular_request'",
           when="NEW.place_of_event IS NOT NULL AND NEW.place_of_event <> ''",
           columns=("place_of_event",)),
    Source("liaison_cases", "'details'",
           _words("'Operation ' || NEW.operation_name", "NEW.requesting_agency",
                  "NEW.agency_reference", "NEW.counterpart_reference", "NEW.fir_number"),
           case_id="NEW.id", kind="'liaison_case'",
           columns=("operation_name", "requesting_agency", "agency_reference",
                    "counterpart_reference", "fir_number")),
    Source("journal_notes", "NEW.kind",
           "coalesce(NEW.contact_with || ': ', '') || NEW.text", columns=("text",)),
    Source("attachments", "'document'", "NEW.filename", when="NEW.removed_at IS NULL",
           columns=("filename", "removed_at")),
    Source("exchanges", "'exchange'", "NEW.counterpart || ': ' || NEW.summary",
           columns=("counterpart", "summary")),
)

FTS_TABLE = "search_fts"
# Objects the database keeps that the models do not describe: left out of the comparison
# of models and schema (migrations/env.py, tests/test_migrations.py).
DATABASE_ONLY_TABLES = frozenset({FTS_TABLE} | {
    f"{FTS_TABLE}_{shadow}" for shadow in ("data", "idx", "content", "docsize", "config")})
DATABASE_ONLY_COLUMNS = frozenset({("search_entries", "document")})
DATABASE_ONLY_INDEXES = frozenset({
    "ix_search_entries_document", "ix_persons_folded_name_trgm", "ix_cases_reference_trgm"})


def include_name(name, type_, parent_names) -> bool:
    """Alembic's filter: leave out what only the database keeps (see above)."""
    if type_ == "table":
        return name not in DATABASE_ONLY_TABLES
    if type_ == "column":
        return (parent_names.get("table_name"), name) not in DATABASE_ONLY_COLUMNS
    if type_ == "index":
        return name not in DATABASE_ONLY_INDEXES
    return True


def _insert(source: Source, new: str = "NEW") -> str:
    def on(expression: str) -> str:
        return expression.replace("NEW.", f"{new}.")
    return (f"INSERT INTO search_entries (case_id, kind, origin, origin_id, field, body) "
            f"SELECT {on(source.case_id)}, {on(source.kind)}, '{source.table}', {new}.id, "
            f"{on(source.field)}, {on(source.body)}")


def _delete(source: Source) -> str:
    return f"DELETE FROM search_entries WHERE origin = '{source.table}' AND origin_id = OLD.id"


def backfill(source: Source) -> str:
    """Entries for the rows already there (the migration's upgrade)."""
    return (_insert(source, new=source.table) + f" FROM {source.table} WHERE "
            + source.when.replace("NEW.", f"{source.table}."))


def trigger_names(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"search_{s.table}" for s in SOURCES]
    return [f"search_{s.table}_{op}" for s in SOURCES for op in ("ai", "au", "ad")] + [
        f"{FTS_TABLE}_{op}" for op in ("ai", "au", "ad")]


def create_source_triggers(dialect: str, tables: set[str] | None = None) -> list[str]:
    """DDL for the triggers on the source tables (all, or those of `tables`)."""
    statements = []
    for s in SOURCES:
        if tables is not None and s.table not in tables:
            continue
        columns = ", ".join(s.columns)
        if dialect == "postgresql":
            statements += [
                f"""CREATE FUNCTION search_{s.table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN {_delete(s)}; END IF;
  IF TG_OP <> 'DELETE' THEN
    IF {s.when} THEN {_insert(s)}; END IF;
  END IF;
  RETURN NULL;
END $$""",
                f"CREATE TRIGGER search_{s.table} AFTER INSERT OR UPDATE OF {columns} OR DELETE "
                f"ON {s.table} FOR EACH ROW EXECUTE FUNCTION search_{s.table}()"]
        else:
            statements += [
                f"CREATE TRIGGER search_{s.table}_ai AFTER INSERT ON {s.table} "
                f"WHEN {s.when} BEGIN {_insert(s)}; END",
                f"CREATE TRIGGER search_{s.table}_au AFTER UPDATE OF {columns} ON {s.table} "
                f"BEGIN {_delete(s)}; {_insert(s)} WHERE {s.when}; END",
                f"CREATE TRIGGER search_{s.table}_ad AFTER DELETE ON {s.table} "
                f"BEGIN {_delete(s)}; END"]
    return statements


def drop_source_triggers(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS search_{s.table} ON {s.table}" for s in SOURCES] + [
            f"DROP FUNCTION IF EXISTS search_{s.table}()" for s in SOURCES]
    return [f"DROP TRIGGER IF EXISTS search_{s.table}_{op}"
            for s in SOURCES for op in ("ai", "au", "ad")]


POSTGRESQL_INDEXES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # unaccent() is only STABLE (its dictionary could change): a generated column and an
    # index need an IMMUTABLE function, so the dictionary is named explicitly. Punctuation
    # becomes a space, as in SQLite's tokenizer: PostgreSQL's parser would otherwise read
    # "KRIPOS-2026-4711" as a word and two negative numbers, "FIA/ISB/77" as one file path.
    "CREATE FUNCTION tracker_search_text(text) RETURNS text LANGUAGE sql IMMUTABLE "
    "PARALLEL SAFE STRICT AS $$ SELECT regexp_replace("
    "unaccent('unaccent'::regdictionary, $1), '[[:punct:]]+', ' ', 'g') $$",
    "ALTER TABLE search_entries ADD COLUMN document tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, tracker_search_text(body))) STORED",
    "CREATE INDEX ix_search_entries_document ON search_entries USING gin (document)",
    "CREATE INDEX ix_persons_folded_name_trgm ON persons USING gin (folded_name gin_trgm_ops)",
    "CREATE INDEX ix_cases_reference_trgm ON cases USING gin (reference gin_trgm_ops)",
    # Row security as on the police tables (0010): a police entry only in the compartment.
    "ALTER TABLE search_entries ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE search_entries FORCE ROW LEVEL SECURITY",
    "CREATE POLICY compartment ON search_entries USING "
    "(current_setting('tracker.compartment', true) IN ('police', 'all') "
    "OR kind <> 'liaison_case') WITH CHECK "
    "(current_setting('tracker.compartment', true) IN ('police', 'all') "
    "OR kind <> 'liaison_case')",
]

SQLITE_INDEXES = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(body, content='search_entries', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE} (rowid, body) VALUES (new.id, new.body); END",
    f"CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, body) VALUES ('delete', old.id, old.body); "
    "END",
    f"CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE ON search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, body) VALUES ('delete', old.id, old.body); "
    f"INSERT INTO {FTS_TABLE} (rowid, body) VALUES (new.id, new.body); END",
]
