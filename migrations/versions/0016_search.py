"""Search done by the database: searchable text of cases kept by triggers, full-text indexes;
"Mohd", "Md" and "Muhd" folded as Muhammad.

Upgrade creates `search_entries` (consular requests) and `police_search_entries` (liaison
cases): one row per summary, place, liaison case details, note, contact, document name and
exchange, filled from the rows already there; triggers on those tables keep them current from
then on. PostgreSQL: a generated tsvector ('simple' + unaccent) with a GIN index on each, row
security on the police entries as on the police tables. SQLite: an FTS5 index over each,
kept by triggers. Persons whose folded name holds "mohd", "md" or "muhd" get it folded again.

Downgrade drops the entries, the triggers and the indexes: it keeps no data (every entry is a
copy of text kept in its own table). The unaccent extension stays installed; refolded names
stay.

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


def _create_entries(table):
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False, comment="the case's kind"),
        sa.Column('origin', sa.String(length=24), nullable=False, comment='the source table'),
        sa.Column('origin_id', sa.Integer(), nullable=False, comment="the source row's id"),
        sa.Column('field', sa.String(length=16), nullable=False,
                  comment='what the text is: summary, place, details, note, contact, ...'),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE',
                                name=op.f(f'fk_{table}_case_id_cases')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        comment=('Searchable text of consular requests, kept by triggers (0016_search).'
                 if table == 'search_entries' else
                 'Searchable text of liaison cases, kept by triggers (0016_search).'))
    op.create_index(op.f(f'ix_{table}_case_id'), table, ['case_id'])
    op.create_index(f'ix_{table}_origin', table, ['origin', 'origin_id'], unique=True)


def upgrade():
    dialect = op.get_bind().dialect.name
    for table, _ in schema.TABLES.values():
        _create_entries(table)
    for statement in (schema.postgresql_indexes() if dialect == 'postgresql'
                      else schema.sqlite_indexes()):
        op.execute(statement)
    for source in schema.SOURCES:
        for statement in schema.backfill(source):
            op.execute(statement)
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
    for table, fts in schema.TABLES.values():
        if dialect == 'sqlite':
            for name in ("ai", "au", "ad"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{name}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
        op.drop_index(f'ix_{table}_origin', table_name=table)
        op.drop_index(op.f(f'ix_{table}_case_id'), table_name=table)
    op.drop_table('police_search_entries')
    op.drop_table('search_entries')
    if dialect == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS tracker_search_text(text)")
