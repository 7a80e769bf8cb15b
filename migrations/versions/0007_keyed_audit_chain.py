"""A keyed audit chain: the key id of each row's HMAC; earlier rows stay plain SHA-256.

Existing rows cannot be re-signed here (the key lives outside the database, so the migration
does not have it): their key id stays NULL, which `verify_chain` reads as "plain SHA-256,
from before keys" and accepts only before the first keyed row.

Adding or dropping a nullable column updates no row, so the append-only triggers stay in
place on PostgreSQL. SQLite may rebuild the table to drop the column; its triggers are
taken off around that and put back.

Downgrading drops the key ids: the old `flask audit verify` then reports the first keyed row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from tracker.migration_guard import refuse_data_loss


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = {
    "audit_events_no_update": """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
           BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
    "audit_events_no_delete": """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
           BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
}


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'key_id', sa.String(length=16), nullable=True,
            comment='the key whose HMAC-SHA256 is `hash`; NULL: plain SHA-256, from before the '
                    'chain was keyed (accepted only before the first keyed row)'))


def downgrade():
    """Drops the audit rows' key ids: keeps no key id, and keyed rows no longer verify.
    Refused while any row has one, and always in production (it is the audit log)."""
    refuse_data_loss(revision, columns=['audit_events.key_id'])
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('key_id')
    if sqlite:
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)
