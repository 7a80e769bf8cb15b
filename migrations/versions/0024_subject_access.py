"""Subject-access exports of a consular person (GDPR art. 15): asked for, decided, downloaded.

Upgrade creates `subject_access_requests` (person, asked by and when, the citizen's request,
status, decided by and when, the decision's note, when downloaded). PostgreSQL: row security
as on the other rows of a person (0010, 0023): visible where the person is.

Downgrade drops the table, which would lose the record of who asked for and approved an
export: refused while any is recorded (the data-loss guard); allowed, the audit log still
holds each step.

Revision ID: 0024_subject_access
Revises: 0023_person_corrections
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from tracker.migration_guard import refuse_data_loss

# revision identifiers, used by Alembic.
revision = '0024_subject_access'
down_revision = '0023_person_corrections'
branch_labels = None
depends_on = None

POLICE = "current_setting('tracker.compartment', true) IN ('police', 'all')"
VISIBLE = "EXISTS (SELECT 1 FROM persons p WHERE p.id = person_id)"
STATUSES = ('pending', 'approved', 'refused', 'downloaded')


def upgrade():
    op.create_table(
        'subject_access_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('asked_by_id', sa.Integer(), nullable=False),
        sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False,
                  comment="the citizen's request: its reference"),
        sa.Column('status', sa.Enum(*STATUSES, name='subject_access_status',
                                    native_enum=False, length=32, create_constraint=True),
                  nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=True),
        sa.Column('downloaded_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['asked_by_id'], ['users.id'],
                                name=op.f('fk_subject_access_requests_asked_by_id_users')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name=op.f('fk_subject_access_requests_decided_by_id_users')),
        sa.ForeignKeyConstraint(['person_id'], ['persons.id'], ondelete='CASCADE',
                                name=op.f('fk_subject_access_requests_person_id_persons')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subject_access_requests')),
        comment="Subject-access exports asked for, and the manager's decision (0024).")
    op.create_index(op.f('ix_subject_access_requests_person_id'), 'subject_access_requests',
                    ['person_id'])
    op.create_index('ix_subject_access_requests_status', 'subject_access_requests', ['status'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE subject_access_requests ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE subject_access_requests FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY compartment ON subject_access_requests USING ({POLICE} OR "
                   f"{VISIBLE}) WITH CHECK ({POLICE} OR {VISIBLE})")


def downgrade():
    """Drops the record of the exports: refused while any is recorded, unless allowed."""
    refuse_data_loss(revision, tables=['subject_access_requests'])
    op.drop_index('ix_subject_access_requests_status', table_name='subject_access_requests')
    op.drop_index(op.f('ix_subject_access_requests_person_id'),
                  table_name='subject_access_requests')
    op.drop_table('subject_access_requests')
