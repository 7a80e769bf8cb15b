"""Search done by the database: searchable text of cases kept by triggers, full-text and
trigram indexes; "Mohd" and "Md" folded as Muhammad.

Upgrade creates `search_entries` (one row per summary, place, liaison details, note, contact,
document name and exchange) and fills it from the rows already there; triggers on those tables
keep it current from then on. PostgreSQL: a generated tsvector ('simple' + unaccent) with a GIN
index, pg_trgm GIN indexes on `persons.folded_name` and `cases.reference`, row security on the
entries as on the police tables. SQLite: an FTS5 index over the entries, kept by triggers.
Persons whose folded name holds "mohd", "md" or "muhd" get it folded again as "muhammad".

Downgrade drops the entries, the triggers and the indexes: it keeps no data (every entry is a
copy of text kept in its own table). The extensions stay installed; refolded names stay.

Revision ID: 0016_search
Revises: 0015_account_language
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from tracker.search import schema

# revision identifiers, used by Alembic.
revision = '0016_search'
down_revision = '0015_account_language'
branch_labels = None
depends_on = None


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        'search_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False,
                  comment="the case's kind (row security)"),
        sa.Column('origin', sa.String(length=24), nullable=False, comment='the source table'),
        sa.Column('origin_id', sa.Integer(), nullable=False, comment="the source row's id"),
        sa.Column('field', sa.String(length=16), nullable=False,
                  comment='what the text is: summary, place, details, note, contact, ...'),
        sa.Column('body', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE',
                                name=op.f('fk_search_entries_case_id_cases')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
        comment='Searchable text of cases, kept by database triggers (0016_search).')
    op.create_index(op.f('ix_search_entries_case_id'), 'search_entries', ['case_id'])
    op.create_index('ix_search_entries_origin', 'search_entries', ['origin', 'origin_id'],
                    unique=True)
    for statement in (schema.POSTGRESQL_INDEXES if dialect == 'postgresql'
                      else schema.SQLITE_INDEXES):
        op.execute(statement)
    for source in schema.SOURCES:
        op.execute(schema.backfill(source))
    for statement in schema.create_source_triggers(dialect):
        op.execute(statement)
    _refold_abbreviated_names()


def _refold_abbreviated_names():
    from tracker.people.services import _search_key

    bind = op.get_bind()
    persons = bind.execute(sa.text(
        "SELECT id, full_name FROM persons WHERE folded_name LIKE '%md%' "
        "OR folded_name LIKE '%mohd%' OR folded_name LIKE '%muhd%'")).all()
    for person_id, full_name in persons:
        others = bind.execute(sa.text("SELECT name FROM person_names WHERE person_id = :id "
                                      "ORDER BY id"), {"id": person_id}).scalars().all()
        bind.execute(sa.text("UPDATE persons SET folded_name = :key WHERE id = :id"),
                     {"key": _search_key(full_name, list(others)), "id": person_id})


def downgrade():
    """Drops the search entries, their triggers and indexes: keeps no data (copies only)."""
    dialect = op.get_bind().dialect.name
    for statement in schema.drop_source_triggers(dialect):
        op.execute(statement)
    if dialect == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_cases_reference_trgm")
        op.execute("DROP INDEX IF EXISTS ix_persons_folded_name_trgm")
    else:
        for name in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {schema.FTS_TABLE}_{name}")
        op.execute(f"DROP TABLE IF EXISTS {schema.FTS_TABLE}")
    op.drop_index('ix_search_entries_origin', table_name='search_entries')
    op.drop_index(op.f('ix_search_entries_case_id'), table_name='search_entries')
    op.drop_table('search_entries')
    if dialect == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS tracker_search_text(text)")
