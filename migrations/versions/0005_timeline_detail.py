"""What a workflow step recorded besides the status (outcome, hold), on the timeline.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa

from tracker.migration_guard import refuse_data_loss


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', sa.Text(), nullable=True, comment='what the step recorded besides the status, in words (outcome, hold)'))



def downgrade():
    """Drops the timeline's step details (outcomes, what a request waits for): keeps none of
    them, and upgrading again does not bring them back. Refused while any step has one."""
    refuse_data_loss(revision, columns=['timeline_events.detail'])
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.drop_column('detail')

