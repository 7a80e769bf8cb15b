"""Timeline: a break-glass opening of a restricted liaison case is a kind of its own.

Upgrade widens the CHECK constraint on `timeline_events.kind` by `break_glass`; no row changes.

Downgrade narrows it back, which cannot keep break-glass timeline entries: it is refused while
any exists (the data-loss guard); allowed, it deletes them (the break-glass rows themselves,
with the reasons, stay in `break_glass` and the audit log).

Revision ID: 0017_casepage
Revises: 0016_search
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from tracker.migration_guard import refuse_data_loss


# revision identifiers, used by Alembic.
revision = '0017_casepage'
down_revision = '0016_search'
branch_labels = None
depends_on = None

OLD_KINDS = ('opened', 'status', 'note', 'contact', 'document_added', 'document_removed',
             'assigned', 'edited')
NEW_KINDS = ('break_glass',)
ONLY_NEW_KINDS = "kind IN ('break_glass')"


def _kind_type(kinds):
    return sa.Enum(*kinds, name='timeline_kind', native_enum=False, create_constraint=True,
                   length=32)


def _set_kinds(old, new):
    # Batch mode: SQLite rebuilds the table with the new CHECK; PostgreSQL alters it in place.
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=_kind_type(old), type_=_kind_type(new),
                              existing_nullable=False)


def upgrade():
    _set_kinds(OLD_KINDS, OLD_KINDS + NEW_KINDS)


def downgrade():
    """Deletes the break-glass timeline entries; refused while any exists."""
    refuse_data_loss(revision, rows={'timeline_events': ONLY_NEW_KINDS})
    op.execute(sa.text(f"DELETE FROM timeline_events WHERE {ONLY_NEW_KINDS}"))
    _set_kinds(OLD_KINDS + NEW_KINDS, OLD_KINDS)
