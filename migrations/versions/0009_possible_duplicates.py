"""Possible duplicates across need-to-know: the queue of pairs, and persons merged into another.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

from tracker.migration_guard import refuse_data_loss


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('possible_duplicates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('compartment', sa.Enum('consular', 'police', name='compartment', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False, comment='the record logged later'),
    sa.Column('other_id', sa.Integer(), nullable=False, comment='the record it may duplicate'),
    sa.Column('matched_on', sa.String(length=40), nullable=False, comment='identifier, or name and birth date'),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('open', 'merged', 'not_same', 'undone', name='duplicate_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('moved', sa.Text(), nullable=True, comment='JSON: the references the merge moved or dropped, to undo it'),
    sa.Column('kept_uses', sa.Integer(), nullable=True, comment='references to the kept record right after the merge'),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_possible_duplicates_decided_by_id_users')),
    sa.ForeignKeyConstraint(['other_id'], ['persons.id'], name=op.f('fk_possible_duplicates_other_id_persons')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_possible_duplicates_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_possible_duplicates')),
    sa.UniqueConstraint('person_id', 'other_id', name='uq_possible_duplicates_pair')
    )
    with op.batch_alter_table('possible_duplicates', schema=None) as batch_op:
        batch_op.create_index('ix_possible_duplicates_compartment_status', ['compartment', 'status'], unique=False)

    # The reader's scope asks, per person, "reported a request of this office?": an index.
    with op.batch_alter_table('consular_requests', schema=None) as batch_op:
        batch_op.create_index('ix_consular_requests_requester_id', ['requester_id'], unique=False)

    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True, comment='set when this record was merged into another'))
        batch_op.create_foreign_key(batch_op.f('fk_persons_merged_into_id_persons'), 'persons', ['merged_into_id'], ['id'])



def downgrade():
    """Drops the duplicate queue and which person was merged into which: keeps none of it.
    Refused while either holds data."""
    refuse_data_loss(revision, tables=['possible_duplicates'], columns=['persons.merged_into_id'])
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_persons_merged_into_id_persons'), type_='foreignkey')
        batch_op.drop_column('merged_into_id')

    with op.batch_alter_table('consular_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_consular_requests_requester_id')

    with op.batch_alter_table('possible_duplicates', schema=None) as batch_op:
        batch_op.drop_index('ix_possible_duplicates_compartment_status')

    op.drop_table('possible_duplicates')
