"""Persons: the words of their names in a table of their own, kept by triggers, so that a
name search goes through an index also under row security.

Upgrade creates `person_name_tokens` (person, compartment, one folded word; bytewise order on
PostgreSQL) with an index on (compartment, token), fills it from every person's `folded_name`,
and puts triggers on `persons` that keep it current. PostgreSQL: row security as on `persons`
(0010).

Downgrade drops the triggers and the table: it keeps no data (every row is a copy of a word of
`persons.folded_name`).

Revision ID: 0022_name_tokens
Revises: 0021_letters
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from tracker.people import name_index

# revision identifiers, used by Alembic.
revision = '0022_name_tokens'
down_revision = '0021_letters'
branch_labels = None
depends_on = None


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        'person_name_tokens',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=100).with_variant(
            sa.String(length=100, collation='C'), 'postgresql'), nullable=False),
        sa.Column('compartment', sa.Enum('consular', 'police', name='compartment',
                                         native_enum=False, create_constraint=True,
                                         length=32), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['persons.id'], ondelete='CASCADE',
                                name=op.f('fk_person_name_tokens_person_id_persons')),
        sa.PrimaryKeyConstraint('person_id', 'token', name=op.f('pk_person_name_tokens')),
        comment="Words of persons' names, kept by triggers (0022_name_tokens).")
    op.create_index('ix_person_name_tokens_compartment_token', 'person_name_tokens',
                    ['compartment', 'token'])
    if dialect == 'postgresql':
        for statement in name_index.row_security():
            op.execute(statement)
    op.execute(name_index.backfill(dialect))
    for statement in name_index.create_triggers(dialect):
        op.execute(statement)


def downgrade():
    """Drops the words and their triggers: keeps no data (copies only)."""
    dialect = op.get_bind().dialect.name
    for statement in name_index.drop_triggers(dialect):
        op.execute(statement)
    op.drop_index('ix_person_name_tokens_compartment_token', table_name='person_name_tokens')
    op.drop_table('person_name_tokens')
