"""Account changes that take two administrators: privileged role grants and credential resets.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

from tracker.migration_guard import refuse_data_loss


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

ROLES = ('consular_officer', 'police_liaison_officer', 'manager', 'administrator')


def upgrade():
    op.create_table('account_change_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('new_account', 'role_grant', 'password_reset', 'second_factor_reset', name='account_change_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('target_version', sa.Integer(), nullable=False, comment="the account's version when proposed: a later edit makes this stale"),
    sa.Column('proposed_role', sa.Enum(*ROLES, name='proposed_role', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('proposed_office_id', sa.Integer(), nullable=True),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Enum('approved', 'refused', 'withdrawn', name='proposal_outcome', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(outcome IS NULL AND decided_at IS NULL AND decided_by_id IS NULL) OR (outcome IS NOT NULL AND decided_at IS NOT NULL AND decided_by_id IS NOT NULL)", name=op.f('ck_account_change_proposals_decided_fully_or_not_at_all')),
    sa.CheckConstraint("outcome = 'withdrawn' OR decided_by_id <> proposed_by_id", name=op.f('ck_account_change_proposals_not_decided_by_proposer')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_account_change_proposals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_account_change_proposals_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['proposed_office_id'], ['offices.id'], name=op.f('fk_account_change_proposals_proposed_office_id_offices')),
    sa.ForeignKeyConstraint(['target_id'], ['users.id'], name=op.f('fk_account_change_proposals_target_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_change_proposals')),
    comment='Grants of privileged roles and credential resets, proposed by one administrator and approved or refused by another.'
    )
    with op.batch_alter_table('account_change_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_change_proposals_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_change_proposals_target_id'), ['target_id'], unique=False)


def downgrade():
    """Drops the account change proposals (pending approvals and their history): keeps none of
    them. Refused while there are any."""
    refuse_data_loss(revision, tables=['account_change_proposals'])
    with op.batch_alter_table('account_change_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_change_proposals_target_id'))
        batch_op.drop_index(batch_op.f('ix_account_change_proposals_outcome'))
    op.drop_table('account_change_proposals')
