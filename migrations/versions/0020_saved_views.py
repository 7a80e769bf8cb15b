"""Saved views: an officer's named filters and sort of a case list, shareable with an office.

Upgrade adds the table `saved_views`; no existing row changes. On PostgreSQL the police views
get the compartment's row-level security (as in 0010): outside the police compartment a
statement sees only the consular views.

Downgrade drops the table, which loses the officers' saved views (their names, filters and
sharing; no case data): it is refused while any exists (the data-loss guard).

Revision ID: 0020_saved_views
Revises: 0019_retention
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from tracker.migration_guard import refuse_data_loss


# revision identifiers, used by Alembic.
revision = '0020_saved_views'
down_revision = '0019_retention'
branch_labels = None
depends_on = None

POLICE = "current_setting('tracker.compartment', true) IN ('police', 'all')"
POLICY = f"{POLICE} OR kind <> 'liaison_case'"


def upgrade():
    op.create_table(
        'saved_views',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('consular_request', 'liaison_case', name='saved_view_kind',
                                  native_enum=False, create_constraint=True, length=32),
                  nullable=False, comment="which list: the compartment's case kind"),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('filters', sa.Text(), nullable=False,
                  comment="JSON: the list's filter parameters as the address carries them"),
        sa.Column('sort', sa.String(length=20), nullable=False),
        sa.Column('shared_office_id', sa.Integer(), nullable=True,
                  comment="listed to this office's readers; empty: owner only"),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'],
                                name=op.f('fk_saved_views_owner_id_users')),
        sa.ForeignKeyConstraint(['shared_office_id'], ['offices.id'],
                                name=op.f('fk_saved_views_shared_office_id_offices')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_views')),
        sa.UniqueConstraint('owner_id', 'kind', 'name', name='one_name_per_owner_and_list'),
        comment='Saved filters of the case lists (issue 15); results are never stored.',
    )
    with op.batch_alter_table('saved_views', schema=None) as batch_op:
        batch_op.create_index('ix_saved_views_kind_shared_office', ['kind', 'shared_office_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_saved_views_owner_id'), ['owner_id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE saved_views ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE saved_views FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY compartment ON saved_views USING ({POLICY}) "
                   f"WITH CHECK ({POLICY})")


def downgrade():
    """Drops the saved views; refused while any exists."""
    refuse_data_loss(revision, tables=['saved_views'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP POLICY compartment ON saved_views")
    with op.batch_alter_table('saved_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_views_owner_id'))
        batch_op.drop_index('ix_saved_views_kind_shared_office')
    op.drop_table('saved_views')
