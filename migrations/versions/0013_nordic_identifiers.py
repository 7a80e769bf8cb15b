"""Persons' identifiers: Swedish, Danish, Finnish and Icelandic identity numbers.

Upgrade widens the CHECK constraint on `person_identifiers.kind` to the new kinds
(`swedish_id`, `danish_id`, `finnish_id`, `icelandic_id`); no row changes.

Downgrade narrows it back, which cannot keep identifiers of the new kinds: it is refused while
any exists (the data-loss guard); allowed, it deletes them and keeps every other identifier.

Revision ID: 0013_nordic_identifiers
Revises: 0012_audit_seal
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from tracker.migration_guard import refuse_data_loss


# revision identifiers, used by Alembic.
revision = '0013_nordic_identifiers'
down_revision = '0012_audit_seal'
branch_labels = None
depends_on = None

OLD_KINDS = ('norwegian_id', 'cnic', 'passport')
NEW_KINDS = ('swedish_id', 'danish_id', 'finnish_id', 'icelandic_id')
ONLY_NEW_KINDS = "kind IN ({})".format(", ".join(f"'{kind}'" for kind in NEW_KINDS))


def _kind_type(kinds):
    return sa.Enum(*kinds, name='identifier_kind', native_enum=False, create_constraint=True,
                   length=32)


def _set_kinds(old, new):
    # Batch mode: SQLite rebuilds the table with the new CHECK; PostgreSQL alters it in place.
    with op.batch_alter_table('person_identifiers', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=_kind_type(old), type_=_kind_type(new),
                              existing_nullable=False)


def upgrade():
    _set_kinds(OLD_KINDS, OLD_KINDS + NEW_KINDS)


def downgrade():
    """Deletes the Swedish, Danish, Finnish and Icelandic identifiers; refused while any exists."""
    refuse_data_loss(revision, rows={'person_identifiers': ONLY_NEW_KINDS})
    op.execute(sa.text(f"DELETE FROM person_identifiers WHERE {ONLY_NEW_KINDS}"))
    _set_kinds(OLD_KINDS + NEW_KINDS, OLD_KINDS)
