"""Published monthly reports (snapshots of their figures).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa

from tracker.migration_guard import refuse_data_loss


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False, comment='YYYY-MM'),
    sa.Column('scope', sa.String(length=8), nullable=False, comment="'all' or an office code"),
    sa.Column('figures', sa.Text(), nullable=False, comment="the report's tables, as JSON"),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_report_snapshots_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_snapshots')),
    sa.UniqueConstraint('month', 'scope', name='uq_report_snapshots_month')
    )


def downgrade():
    """Drops the published monthly reports: keeps none of them. Refused while there are any."""
    refuse_data_loss(revision, tables=['report_snapshots'])
    op.drop_table('report_snapshots')
