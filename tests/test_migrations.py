"""The migrations are the schema: upgrade gives exactly the models, every step reverses, and a
downgrade never drops data unless the operator allows it (never the audit log in production)."""
from __future__ import annotations

import ast
import uuid
from datetime import datetime, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import Boolean, Date, DateTime, Integer, MetaData, Table, inspect, text

from tests.conftest import sibling_database
from tracker import create_app
from tracker.config import ROOT, make_test_config
from tracker.demo import load_demo
from tracker.unit_of_work import unit_of_work
from tracker.extensions import db
from tracker.migration_guard import DataLossRefused
from tracker.search.schema import include_name

pytestmark = pytest.mark.own_database


@pytest.fixture
def empty_app(database_url, tmp_path):
    url = sibling_database(database_url, "migrations", tmp_path)
    app = create_app(make_test_config(url))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _revisions():
    script = ScriptDirectory(str(ROOT / "migrations"))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _schema_differences():
    with db.engine.connect() as conn:
        return compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True,
                                                   "include_name": include_name}),
            db.metadata)


def test_upgrade_gives_exactly_the_models_schema(empty_app):
    upgrade()
    assert _schema_differences() == []


def test_demo_data_loads_once(empty_app):
    upgrade()
    with unit_of_work():
        assert load_demo() > 0
    with unit_of_work():
        assert load_demo() == 0


# --- downgrades with data -------------------------------------------------------------------
#
# FILLS has one entry per revision: it puts a row into what that revision adds (a table, or a
# value into a new column) and returns probes, SQL counts that are non-zero while that data is
# there. A revision that adds nothing holding data (indexes, policies) returns no probes. A new
# migration adds its entry here; the walk below fails until it does.

def _insert(conn, table: str, **values) -> int:
    """Insert one row, giving a plain value to every required column not named."""
    reflected = Table(table, MetaData(), autoload_with=conn)
    now = datetime.now(timezone.utc)
    for column in reflected.columns:
        if column.name in values or column.nullable or column.server_default is not None:
            continue
        if column.primary_key and column.autoincrement in (True, "auto") and \
                isinstance(column.type, Integer):
            continue
        kind = column.type
        values[column.name] = (
            now if isinstance(kind, DateTime) else now.date() if isinstance(kind, Date)
            else False if isinstance(kind, Boolean) else 1 if isinstance(kind, Integer)
            else f"t{uuid.uuid4().hex[:8]}"[:getattr(kind, "length", None) or 40])
    result = conn.execute(reflected.insert().values(**values))
    return result.inserted_primary_key[0] if result.inserted_primary_key else None


def _count(table: str, where: str = "") -> str:
    return f"SELECT count(*) FROM {table}" + (f" WHERE {where}" if where else "")


def _audit_row(conn, **values) -> None:
    _insert(conn, "audit_events", action="test.filled", prev_hash="0" * 64,
            hash=uuid.uuid4().hex * 2, **values)


def _fill_0001(conn, ids):
    ids["office"] = _insert(conn, "offices", code="TST", name="Test office", kind="embassy")
    ids["user"] = _insert(conn, "users", email="filled@tracker.example", role="manager",
                          office_id=ids["office"])
    _audit_row(conn)
    return [_count("offices"), _count("users"), _count("audit_events")]


def _fill_0002(conn, ids):
    case = dict(office_id=ids["office"], kind="consular_request", priority="routine",
                paused_seconds=0, created_by_id=ids["user"])
    ids["case"] = _insert(conn, "cases", reference="TST-2026-00001", **case)
    _insert(conn, "consular_requests", id=ids["case"], category="passport", channel="phone")
    ids["person"] = _insert(conn, "persons", compartment="consular",
                            created_by_id=ids["user"])
    ids["timeline"] = _insert(conn, "timeline_events", case_id=ids["case"], kind="opened",
                              actor_id=ids["user"])
    ids["liaison_case"] = _insert(conn, "cases", reference="TST-2026-00002",
                                  **{**case, "kind": "liaison_case"})
    conn.execute(text("UPDATE users SET reads_all_offices = true"))
    return [_count("consular_requests"), _count("persons"), _count("timeline_events"),
            _count("users", "reads_all_offices = true")]


def _fill_0003(conn, ids):
    _insert(conn, "liaison_cases", id=ids["liaison_case"], category="fraud", country="NO",
            counterpart="fia")
    _insert(conn, "interpol_notices", case_id=ids["liaison_case"], colour="yellow")
    return [_count("liaison_cases"), _count("interpol_notices")]


def _fill_0004(conn, ids):
    _insert(conn, "report_snapshots", month="2026-10", scope="all", figures="{}",
            published_by_id=ids["user"])
    return [_count("report_snapshots")]


def _fill_0005(conn, ids):
    conn.execute(text("UPDATE timeline_events SET detail = 'outcome: passport issued' "
                      "WHERE id = :id"), {"id": ids["timeline"]})
    return [_count("timeline_events", "detail IS NOT NULL")]


def _fill_0007(conn, ids):
    _audit_row(conn, key_id="test")
    return [_count("audit_events", "key_id IS NOT NULL")]


def _fill_0008(conn, ids):
    _insert(conn, "account_change_proposals", kind="password_reset", target_id=ids["user"],
            proposed_by_id=ids["user"])
    return [_count("account_change_proposals")]


def _fill_0009(conn, ids):
    other = _insert(conn, "persons", compartment="consular", created_by_id=ids["user"],
                    merged_into_id=ids["person"])
    _insert(conn, "possible_duplicates", compartment="consular", person_id=other,
            other_id=ids["person"], status="open")
    return [_count("possible_duplicates"), _count("persons", "merged_into_id IS NOT NULL")]


def _fill_0011(conn, ids):
    conn.execute(text("UPDATE liaison_cases SET fir_number = 'FIR 12/2026'"))
    return [_count("liaison_cases", "fir_number IS NOT NULL")]


def _fill_0013(conn, ids):
    _insert(conn, "person_identifiers", person_id=ids["person"], kind="swedish_id",
            value="191212121212")
    return [_count("person_identifiers", "kind = 'swedish_id'")]


def _fill_0014(conn, ids):
    conn.execute(text("UPDATE consular_requests SET place_of_event = 'Rawalpindi'"))
    conn.execute(text("UPDATE report_snapshots SET comment = 'Figures checked twice'"))
    return [_count("consular_requests", "place_of_event IS NOT NULL"),
            _count("report_snapshots", "comment IS NOT NULL")]


def _fill_0015(conn, ids):
    conn.execute(text("UPDATE users SET language = 'nb'"))
    return [_count("users", "language IS NOT NULL")]


def _fill_0016(conn, ids):
    # The entries are copies kept by triggers: the earlier fills' cases are searchable, and
    # a note added now is too. Nothing of its own to lose on a downgrade.
    _insert(conn, "journal_notes", case_id=ids["case"], kind="note", author_id=ids["user"],
            text="filled note")
    assert conn.scalar(text(_count("search_entries", "origin = 'journal_notes'"))) >= 1
    assert conn.scalar(text(_count("search_entries", "origin = 'cases'"))) >= 1
    assert conn.scalar(text(_count("police_search_entries", "origin = 'cases'"))) >= 1
    return []


def _fill_0017(conn, ids):
    _insert(conn, "timeline_events", case_id=ids["liaison_case"], kind="break_glass",
            comment="Covering for a named colleague on leave")
    return [_count("timeline_events", "kind = 'break_glass'")]


def _fill_0018(conn, ids):
    notification = _insert(conn, "notifications", user_id=ids["user"], kind="assigned",
                           case_id=ids["case"], count=1, delivery="email_now")
    _insert(conn, "notification_choices", user_id=ids["user"], kind="note_added",
            delivery="in_app")
    _insert(conn, "mail_outbox", user_id=ids["user"], notification_id=notification,
            recipient="officer@tracker.example", subject="A case was assigned to you",
            body="Open it in the tracker", status="pending", attempts=0)
    return [_count("notifications"), _count("notification_choices"), _count("mail_outbox")]


def _fill_0022(conn, ids):
    # The words are copies kept by triggers: the earlier fills' persons have theirs, and a
    # person added now does too. Nothing of its own to lose on a downgrade.
    assert conn.scalar(text(_count("person_name_tokens"))) >= 1
    person = _insert(conn, "persons", compartment="consular", full_name="Filled Person",
                     folded_name="filled person")
    assert conn.scalar(text(_count("person_name_tokens", f"person_id = {person}"))) == 2
    return []


def _fill_0023(conn, ids):
    _insert(conn, "person_corrections", person_id=ids["person"], corrected_by_id=ids["user"],
            fields="full_name", reason="The name was misspelt when logged")
    return [_count("person_corrections")]

def _fill_0024(conn, ids):
    _insert(conn, "subject_access_requests", person_id=ids["person"], asked_by_id=ids["user"],
            reason="Letter from the citizen, ref. 118", status="approved",
            decided_by_id=ids["user"])
    return [_count("subject_access_requests")]

def _fill_0020(conn, ids):
    _insert(conn, "saved_views", kind="consular_request", owner_id=ids["user"],
            name="Overdue passports", filters='{"category": "passport"}', sort="due",
            shared_office_id=ids["office"])
    return [_count("saved_views")]

def _fill_0019(conn, ids):
    _insert(conn, "legal_holds", case_id=ids["case"], reason="Claim against the embassy",
            placed_by_id=ids["user"], paused_seconds=0)
    _insert(conn, "retention_runs", counts="{}", dry_run=False, due=0, anonymised=0,
            persons_removed=0)
    conn.execute(text("UPDATE cases SET anonymised_at = started_at FROM retention_runs")
                 if conn.dialect.name == "postgresql" else
                 text("UPDATE cases SET anonymised_at = (SELECT started_at FROM retention_runs)"))
    conn.execute(text("UPDATE retention_rules SET years = 3, version = 2 "
                      "WHERE category = 'advice'"))
    return [_count("legal_holds"), _count("retention_runs"),
            _count("cases", "anonymised_at IS NOT NULL"),
            _count("retention_rules", "version > 1")]

def _fill_0021(conn, ids):
    conn.execute(text("UPDATE offices SET address = 'Diplomatic Enclave'"))
    template = _insert(conn, "letter_templates", name="Note verbale", category="any",
                       language="en", version=1, content=b"PK", size=2,
                       uploaded_by_id=ids["user"])
    _insert(conn, "attachments", case_id=ids["case"], stored_name=uuid.uuid4().hex,
            uploaded_by_id=ids["user"], letter_template_id=template)
    return [_count("letter_templates"), _count("offices", "address IS NOT NULL"),
            _count("attachments", "letter_template_id IS NOT NULL")]


def _nothing_to_fill(conn, ids):
    return []


FILLS = {
    "0001": _fill_0001, "0002": _fill_0002, "0003": _fill_0003, "0004": _fill_0004,
    "0005": _fill_0005, "0006": _nothing_to_fill, "0007": _fill_0007, "0008": _fill_0008,
    "0009": _fill_0009, "0010": _nothing_to_fill, "0011": _fill_0011,
    "0012_audit_seal": _nothing_to_fill,
    "0013_nordic_identifiers": _fill_0013,
    "0014_place_of_event": _fill_0014,
    "0015_account_language": _fill_0015,
    "0016_search": _fill_0016,
    "0017_casepage": _fill_0017,
    "0018_notifications": _fill_0018,
    "0022_name_tokens": _fill_0022,
    "0023_person_corrections": _fill_0023,
    "0024_subject_access": _fill_0024,
    "0020_saved_views": _fill_0020,
    "0019_retention": _fill_0019,
    "0021_letters": _fill_0021,
}
ALLOW = ["allow-data-loss=1"]


def _connect():
    """A connection that sees every row (PostgreSQL's row security), as the migrations do."""
    conn = db.engine.connect()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT set_config('tracker.compartment', 'all', false)"))
    return conn


def _fill(revision, ids):
    with _connect() as conn:
        probes = FILLS[revision](conn, ids)
        conn.commit()
    return probes


def _held(probes) -> list[int]:
    with _connect() as conn:
        return [conn.scalar(text(probe)) for probe in probes]


def _current_revision() -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _populate_every_revision() -> dict[str, list[str]]:
    """Upgrade revision by revision, filling what each adds; the probes by revision."""
    ids: dict[str, int] = {}
    probes = {}
    for revision in _revisions():
        upgrade(revision=revision)
        probes[revision] = _fill(revision, ids)
    return probes


def test_every_revision_with_data_refuses_to_downgrade_unless_allowed(empty_app):
    revisions = _revisions()
    missing = set(revisions) - set(FILLS)
    assert not missing, f"add a fill for migration(s) {sorted(missing)} to FILLS"
    ids: dict[str, int] = {}
    kept: list[str] = []
    for index, revision in enumerate(revisions):
        previous = revisions[index - 1] if index else "base"
        upgrade(revision=revision)
        probes = _fill(revision, ids)
        assert all(_held(probes)), f"{revision}: the fill left nothing to find"
        if probes:
            with pytest.raises(SystemExit):
                downgrade(revision=previous)
            assert _current_revision() == revision
            assert all(_held(probes)), f"{revision}: a refused downgrade lost data"
        downgrade(revision=previous, x_arg=ALLOW)
        upgrade(revision=revision)
        assert all(_held(kept)), f"downgrading {revision} lost an earlier revision's data"
        assert not any(_held(probes)), f"{revision}: allowed to drop its data, it kept some"
        probes = _fill(revision, ids)
        kept += probes
    assert _schema_differences() == []


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_downgrade_base_of_a_populated_database_refuses_without_the_flag(empty_app):
    probes = _populate_every_revision()
    tables = _tables()
    result = empty_app.test_cli_runner().invoke(args=["db", "downgrade", "base"])
    assert result.exit_code != 0
    newest_with_data = [revision for revision in _revisions() if probes[revision]][-1]
    assert f"revision {newest_with_data} refused" in result.output
    assert "allow-data-loss=1" in result.output
    assert _current_revision() == _revisions()[-1]
    assert _tables() == tables
    assert all(_held(sum(probes.values(), [])))


def _clear_data_after_0011() -> None:
    """Empty what revisions after 0011 added, so that the tests below meet 0011 first (a new
    revision with data clears its own here)."""
    with _connect() as conn:
        conn.execute(text("UPDATE consular_requests SET place_of_event = NULL"))
        conn.execute(text("UPDATE report_snapshots SET comment = NULL"))
        conn.execute(text("UPDATE users SET language = NULL"))
        conn.execute(text("DELETE FROM timeline_events WHERE kind = 'break_glass'"))
        conn.execute(text("DELETE FROM mail_outbox"))
        conn.execute(text("DELETE FROM notifications"))
        conn.execute(text("DELETE FROM notification_choices"))
        conn.execute(text("DELETE FROM person_corrections"))
        conn.execute(text("DELETE FROM subject_access_requests"))
        conn.execute(text("DELETE FROM saved_views"))
        conn.execute(text("DELETE FROM person_identifiers WHERE kind IN "
                          "('swedish_id', 'danish_id', 'finnish_id', 'icelandic_id')"))
        conn.execute(text("DELETE FROM legal_holds"))
        conn.execute(text("DELETE FROM retention_runs"))
        conn.execute(text("UPDATE cases SET anonymised_at = NULL"))
        conn.execute(text("UPDATE retention_rules SET version = 1"))
        conn.execute(text("UPDATE attachments SET letter_template_id = NULL"))
        conn.execute(text("DELETE FROM letter_templates"))
        conn.execute(text("UPDATE offices SET address = NULL"))
        conn.commit()


def test_a_downgrade_refused_part_way_changes_nothing(empty_app):
    """The steps before the refusing one (here 0013 and 0011, their data cleared) are undone
    too: one transaction for the whole run, on SQLite as on PostgreSQL."""
    _populate_every_revision()
    _clear_data_after_0011()
    with _connect() as conn:
        conn.execute(text("DELETE FROM person_identifiers WHERE kind = 'swedish_id'"))
        conn.execute(text("UPDATE liaison_cases SET fir_number = NULL"))
        conn.commit()
    with pytest.raises(DataLossRefused, match="revision 0009 refused"):
        command.downgrade(_alembic_config(), "base")
    assert _current_revision() == _revisions()[-1]
    columns = {c["name"] for c in inspect(db.engine).get_columns("liaison_cases")}
    assert "fir_number" in columns


def test_the_refusal_names_the_revision_and_what_would_be_lost(empty_app):
    _populate_every_revision()
    _clear_data_after_0011()
    with pytest.raises(DataLossRefused, match=r"revision 0011 refused.*fir_number: 1 row"):
        command.downgrade(_alembic_config(), "base")


def test_downgrade_base_with_the_flag_drops_everything(empty_app):
    _populate_every_revision()
    result = empty_app.test_cli_runner().invoke(
        args=["db", "downgrade", "-x", "allow-data-loss=1", "base"])
    assert result.exit_code == 0, result.output
    assert _tables() == set()
    upgrade()
    assert _schema_differences() == []


def test_production_never_drops_the_audit_log_even_with_the_flag(empty_app, monkeypatch):
    _populate_every_revision()
    monkeypatch.setenv("TRACKER_ALLOW_DATA_LOSS", "1")
    monkeypatch.setitem(empty_app.config, "TRACKER_ENV", "production")
    with pytest.raises(DataLossRefused, match=r"revision 0007 .*audit log.*production"):
        command.downgrade(_alembic_config(), "base")
    assert "audit_events" in _tables()
    with _connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM audit_events WHERE key_id IS NOT NULL"))


def test_the_flag_allows_dropping_data_in_production_that_is_not_the_audit_log(
        empty_app, monkeypatch):
    _populate_every_revision()
    monkeypatch.setitem(empty_app.config, "TRACKER_ENV", "production")
    downgrade(revision="0010", x_arg=ALLOW)
    assert _current_revision() == "0010"


def _alembic_config():
    return current_app.extensions["migrate"].migrate.get_config()


# --- every downgrade that drops something says so -------------------------------------------

def _downgrade_of(path):
    tree = ast.parse(path.read_text())
    return next(node for node in tree.body
                if isinstance(node, ast.FunctionDef) and node.name == "downgrade")


def _call_name(node) -> str | None:
    if isinstance(node, ast.Call):
        return getattr(node.func, "attr", None) or getattr(node.func, "id", None)
    return None


def _literal_strings(node) -> list[str]:
    return [n.value for n in ast.walk(node)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _dropped(function) -> set[str]:
    """Tables (`name`) and columns (`table.column`) the downgrade's source drops."""
    dropped = set()
    for node in ast.walk(function):
        if _call_name(node) == "drop_table":
            dropped.add(node.args[0].value)
        if isinstance(node, ast.With):
            batch = node.items[0].context_expr
            if _call_name(batch) == "batch_alter_table":
                table = batch.args[0].value
                dropped |= {f"{table}.{call.args[0].value}" for call in ast.walk(node)
                            if _call_name(call) == "drop_column"}
    return dropped


def _guarded(function) -> set[str]:
    return {name for node in ast.walk(function) if _call_name(node) == "refuse_data_loss"
            for keyword in node.keywords for name in _literal_strings(keyword.value)}


@pytest.mark.parametrize("path", sorted((ROOT / "migrations" / "versions").glob("*.py")),
                         ids=lambda p: p.name[:4])
def test_every_downgrade_that_drops_data_is_guarded_or_says_it_keeps_none(path):
    function = _downgrade_of(path)
    doc = ast.get_docstring(function)
    assert doc, f"{path.name}: the downgrade's docstring must say whether it keeps data"
    unguarded = _dropped(function) - _guarded(function)
    assert not unguarded or "keeps no data" in doc, (
        f"{path.name}: the downgrade drops {sorted(unguarded)} without refuse_data_loss naming "
        "them (tracker/migration_guard.py) or its docstring saying it \"keeps no data\"")
