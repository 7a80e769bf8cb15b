"""Liaison cases: the host-country FIR number.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

from tracker.migration_guard import refuse_data_loss


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('liaison_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'fir_number', sa.String(length=80), nullable=True,
            comment='the First Information Report number the host-country police gave'))


def downgrade():
    """Drops the liaison cases' FIR numbers: keeps none of them. Refused while any is set."""
    refuse_data_loss(revision, columns=['liaison_cases.fir_number'])
    with op.batch_alter_table('liaison_cases', schema=None) as batch_op:
        batch_op.drop_column('fir_number')
