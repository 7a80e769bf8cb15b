"""Indexes for the monthly report: cases by kind and resolution time, and by kind and closing time.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_kind_resolved_at', ['kind', 'resolved_at'], unique=False)
        batch_op.create_index('ix_cases_kind_closed_at', ['kind', 'closed_at'], unique=False)


def downgrade():
    """Drops two indexes only: keeps all data."""
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_kind_closed_at')
        batch_op.drop_index('ix_cases_kind_resolved_at')
