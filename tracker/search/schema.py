"""The database's own search machinery, per dialect: written by migration 0016_search.

Two tables of entries, `search_entries` (consular requests) and `police_search_entries`
(liaison cases, behind row security on PostgreSQL like every police table).

PostgreSQL: a `document` tsvector generated from the body with the 'simple' configuration over
`tracker_search_text()` (unaccent, punctuation made spaces), and a GIN index. Not the Norwegian
or English dictionaries: their stemmers change names ("Mohammed" becomes "moham", "Chaudhry"
"chaudhri" in English; Norwegian cuts "Tøyenløftet" to "tøyenløft"), a body mixes both
languages with Urdu names, and SQLite has no such dictionaries, so both databases would answer
differently; prefix matching of every word gives most of what stemming would.

No trigram (pg_trgm) index: under row security (cases, persons: migration 0010; FORCE, so for
the owner too) PostgreSQL never uses an index for LIKE or @@, whose functions are not
leakproof; only equality and comparisons are. So references are looked up by equality
(tracker/search/service.py), and the full-text index lives on the consular entries, which need
no row security.

SQLite: an FTS5 index over each table (external content, unicode61 without diacritics) kept by
triggers on that table.

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
    kinds: tuple[str, ...] = ("consular_request", "liaison_case")  # the cases it belongs to


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
           columns=("place_of_event",), kinds=("consular_request",)),
    Source("liaison_cases", "'details'",
           _words("'Operation ' || NEW.operation_name", "NEW.requesting_agency",
                  "NEW.agency_reference", "NEW.counterpart_reference", "NEW.fir_number"),
           case_id="NEW.id", kind="'liaison_case'",
           columns=("operation_name", "requesting_agency", "agency_reference",
                    "counterpart_reference", "fir_number"), kinds=("liaison_case",)),
    Source("journal_notes", "NEW.kind",
           "coalesce(NEW.contact_with || ': ', '') || NEW.text", columns=("text",)),
    Source("attachments", "'document'", "NEW.filename", when="NEW.removed_at IS NULL",
           columns=("filename", "removed_at")),
    Source("exchanges", "'exchange'", "NEW.counterpart || ': ' || NEW.summary",
           columns=("counterpart", "summary"), kinds=("liaison_case",)),
)

# kind of case -> (its entries' table, that table's FTS5 index on SQLite)
TABLES = {"consular_request": ("search_entries", "search_fts"),
          "liaison_case": ("police_search_entries", "police_search_fts")}
FTS_TABLES = tuple(fts for _, fts in TABLES.values())
# Objects the database keeps that the models do not describe: left out of the comparison
# of models and schema (migrations/env.py, tests/test_migrations.py).
DATABASE_ONLY_TABLES = frozenset(FTS_TABLES) | {
    f"{fts}_{shadow}" for fts in FTS_TABLES
    for shadow in ("data", "idx", "content", "docsize", "config")}
DATABASE_ONLY_COLUMNS = frozenset((table, "document") for table, _ in TABLES.values())
DATABASE_ONLY_INDEXES = frozenset(f"ix_{table}_document" for table, _ in TABLES.values())


def include_name(name, type_, parent_names) -> bool:
    """Alembic's filter: leave out what only the database keeps (see above)."""
    if type_ == "table":
        return name not in DATABASE_ONLY_TABLES
    if type_ == "column":
        return (parent_names.get("table_name"), name) not in DATABASE_ONLY_COLUMNS
    if type_ == "index":
        return name not in DATABASE_ONLY_INDEXES
    return True


def _insert(source: Source, kind: str, new: str = "NEW") -> str:
    def on(expression: str) -> str:
        return expression.replace("NEW.", f"{new}.")
    table = TABLES[kind][0]
    return (f"INSERT INTO {table} (case_id, kind, origin, origin_id, field, body) "
            f"SELECT {on(source.case_id)}, {on(source.kind)}, '{source.table}', {new}.id, "
            f"{on(source.field)}, {on(source.body)}")


def _where_kind(source: Source, kind: str, new: str = "NEW") -> str:
    return f"{source.kind.replace('NEW.', f'{new}.')} = '{kind}'"


def _inserts(source: Source, condition: str = "") -> str:
    """The INSERTs of a trigger: one per table, each for its kind of case."""
    return "; ".join(f"{_insert(source, kind)} WHERE {_where_kind(source, kind)}{condition}"
                     for kind in source.kinds)


def _delete(source: Source) -> str:
    return "; ".join(f"DELETE FROM {TABLES[kind][0]} WHERE origin = '{source.table}' "
                     f"AND origin_id = OLD.id" for kind in source.kinds)


def backfill(source: Source) -> list[str]:
    """Entries for the rows already there (the migration's upgrade)."""
    when = source.when.replace("NEW.", f"{source.table}.")
    return [_insert(source, kind, new=source.table) + f" FROM {source.table} WHERE {when} AND "
            + _where_kind(source, kind, new=source.table) for kind in source.kinds]


def trigger_names(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"search_{s.table}" for s in SOURCES]
    return [f"search_{s.table}_{op}" for s in SOURCES for op in ("ai", "au", "ad")] + [
        f"{fts}_{op}" for fts in FTS_TABLES for op in ("ai", "au", "ad")]


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
    IF {s.when} THEN {_inserts(s)}; END IF;
  END IF;
  RETURN NULL;
END $$""",
                f"CREATE TRIGGER search_{s.table} AFTER INSERT OR UPDATE OF {columns} OR DELETE "
                f"ON {s.table} FOR EACH ROW EXECUTE FUNCTION search_{s.table}()"]
        else:
            statements += [
                f"CREATE TRIGGER search_{s.table}_ai AFTER INSERT ON {s.table} "
                f"WHEN {s.when} BEGIN {_inserts(s)}; END",
                f"CREATE TRIGGER search_{s.table}_au AFTER UPDATE OF {columns} ON {s.table} "
                f"BEGIN {_delete(s)}; {_inserts(s, f' AND {s.when}')}; END",
                f"CREATE TRIGGER search_{s.table}_ad AFTER DELETE ON {s.table} "
                f"BEGIN {_delete(s)}; END"]
    return statements


def drop_source_triggers(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS search_{s.table} ON {s.table}" for s in SOURCES] + [
            f"DROP FUNCTION IF EXISTS search_{s.table}()" for s in SOURCES]
    return [f"DROP TRIGGER IF EXISTS search_{s.table}_{op}"
            for s in SOURCES for op in ("ai", "au", "ad")]


def postgresql_indexes() -> list[str]:
    statements = [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        # unaccent() is only STABLE (its dictionary could change): a generated column needs an
        # IMMUTABLE function, so the dictionary is named explicitly. Punctuation becomes a
        # space, as in SQLite's tokenizer: PostgreSQL's parser would otherwise read
        # "KRIPOS-2026-4711" as a word and two negative numbers, "FIA/ISB/77" as a file path.
        # Both unaccent names carry the extension's schema: pg_restore runs with an empty
        # search_path and computes the generated column through this function.
        "DO $do$ DECLARE s text; BEGIN "
        "SELECT extnamespace::regnamespace::text INTO s FROM pg_extension "
        "WHERE extname = 'unaccent'; "
        "EXECUTE format('CREATE FUNCTION tracker_search_text(text) RETURNS text LANGUAGE sql "
        "IMMUTABLE PARALLEL SAFE STRICT AS $f$ SELECT pg_catalog.regexp_replace("
        "%1$s.unaccent(%2$L::regdictionary, $1), ''[[:punct:]]+'', '' '', ''g'') $f$', "
        "s, s || '.unaccent'); END $do$"]
    for table, _ in TABLES.values():
        statements += [
            f"ALTER TABLE {table} ADD COLUMN document tsvector GENERATED ALWAYS AS "
            "(to_tsvector('simple'::regconfig, tracker_search_text(body))) STORED",
            f"CREATE INDEX ix_{table}_document ON {table} USING gin (document)"]
    # Row security as on the police tables (0010): police text only in the compartment.
    police = "current_setting('tracker.compartment', true) IN ('police', 'all')"
    statements += [
        "ALTER TABLE police_search_entries ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE police_search_entries FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY compartment ON police_search_entries USING ({police}) "
        f"WITH CHECK ({police})"]
    return statements


def sqlite_indexes() -> list[str]:
    statements = []
    for table, fts in TABLES.values():
        statements += [
            f"CREATE VIRTUAL TABLE {fts} USING fts5(body, content='{table}', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts} (rowid, body) VALUES (new.id, new.body); END",
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts} ({fts}, rowid, body) VALUES ('delete', old.id, old.body); END",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {table} BEGIN "
            f"INSERT INTO {fts} ({fts}, rowid, body) VALUES ('delete', old.id, old.body); "
            f"INSERT INTO {fts} (rowid, body) VALUES (new.id, new.body); END"]
    return statements
