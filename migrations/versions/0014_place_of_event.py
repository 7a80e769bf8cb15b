"""Consular requests: the place of the event; published reports: the publisher's comment.

Upgrade adds two nullable columns, `consular_requests.place_of_event` (a city or district as
the officer typed it) and `report_snapshots.comment` (what the manager said on publishing);
existing rows get NULL.

Downgrade drops both columns and keeps none of their values: it is refused while any request
has a place or any published report has a comment, unless the operator allows the loss.

Revision ID: 0014_place_of_event
Revises: 0013_nordic_identifiers
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from tracker.migration_guard import refuse_data_loss


# revision identifiers, used by Alembic.
revision = '0014_place_of_event'
down_revision = '0013_nordic_identifiers'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consular_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'place_of_event', sa.String(length=120), nullable=True,
            comment='where it happened: a city or district, as the officer typed it'))
    with op.batch_alter_table('report_snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'comment', sa.Text(), nullable=True,
            comment='what the publishing manager said, shown on the report and its PDF'))


def downgrade():
    """Drops the places of events and the publishing comments: keeps none of them."""
    refuse_data_loss(revision, columns=['consular_requests.place_of_event',
                                        'report_snapshots.comment'])
    with op.batch_alter_table('report_snapshots', schema=None) as batch_op:
        batch_op.drop_column('comment')
    with op.batch_alter_table('consular_requests', schema=None) as batch_op:
        batch_op.drop_column('place_of_event')
