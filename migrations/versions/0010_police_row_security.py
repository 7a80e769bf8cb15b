"""Row-level security on PostgreSQL: police rows are read only in the police compartment.

A statement sees a liaison case, a police person, or anything that hangs off either, only while
the connection's `tracker.compartment` setting is "police" or "all"; the application sets it
from the reader (tracker/cases/scope.py). FORCE makes it hold for the tables' owner too, which
is the role the application connects as. SQLite has no row-level security: nothing to do.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

POLICE = "current_setting('tracker.compartment', true) IN ('police', 'all')"

# table -> who else may read a row, besides the police compartment
POLICIES = {
    "liaison_cases": "false",
    "liaison_case_officers": "false",
    "liaison_case_parties": "false",
    "exchanges": "false",
    "exchange_documents": "false",
    "interpol_notices": "false",
    "break_glass": "false",
    # The consular page may know that a shared link exists, and nothing else.
    "consular_links": "shared_at IS NOT NULL",
    "cases": "kind <> 'liaison_case'",
    "persons": "compartment <> 'police'",
    "possible_duplicates": "compartment <> 'police'",
    # Rows of a case or a person: visible when that case or person is (their own policy).
    "timeline_events": "EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id)",
    "journal_notes": "EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id)",
    "attachments": "EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id)",
    "person_names": "EXISTS (SELECT 1 FROM persons p WHERE p.id = person_id)",
    "person_identifiers": "EXISTS (SELECT 1 FROM persons p WHERE p.id = person_id)",
    "person_relations": "EXISTS (SELECT 1 FROM persons p WHERE p.id = person_id)",
}


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, others in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY compartment ON {table} USING ({POLICE} OR {others}) "
                   f"WITH CHECK ({POLICE} OR {others})")


def downgrade():
    """Drops the row security policies only: keeps all data."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in POLICIES:
        op.execute(f"DROP POLICY compartment ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
