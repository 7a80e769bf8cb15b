"""Persons: corrections of their details (rectification), each with its reason.

Upgrade creates `person_corrections` (person, when, by whom, the details corrected, why).
PostgreSQL: row security as on the other rows of a person (0010): visible where the person is.

Downgrade drops the table, which would lose the history of corrections: refused while any
correction is recorded (the data-loss guard); allowed, the history goes (the audit log keeps
each correction and its reason).

Revision ID: 0023_person_corrections
Revises: 0022_name_tokens
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from tracker.migration_guard import refuse_data_loss

# revision identifiers, used by Alembic.
revision = '0023_person_corrections'
down_revision = '0022_name_tokens'
branch_labels = None
depends_on = None

POLICE = "current_setting('tracker.compartment', true) IN ('police', 'all')"
VISIBLE = "EXISTS (SELECT 1 FROM persons p WHERE p.id = person_id)"


def upgrade():
    op.create_table(
        'person_corrections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('corrected_by_id', sa.Integer(), nullable=True),
        sa.Column('fields', sa.String(length=200), nullable=False,
                  comment='the details corrected, by key'),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['corrected_by_id'], ['users.id'],
                                name=op.f('fk_person_corrections_corrected_by_id_users')),
        sa.ForeignKeyConstraint(['person_id'], ['persons.id'], ondelete='CASCADE',
                                name=op.f('fk_person_corrections_person_id_persons')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_person_corrections')),
        comment="Corrections of persons' details, with the reason (0023).")
    op.create_index(op.f('ix_person_corrections_person_id'), 'person_corrections',
                    ['person_id'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE person_corrections ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE person_corrections FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY compartment ON person_corrections USING ({POLICE} OR "
                   f"{VISIBLE}) WITH CHECK ({POLICE} OR {VISIBLE})")


def downgrade():
    """Drops the history of corrections: refused while any is recorded, unless allowed."""
    refuse_data_loss(revision, tables=['person_corrections'])
    op.drop_index(op.f('ix_person_corrections_person_id'), table_name='person_corrections')
    op.drop_table('person_corrections')
