"""Accounts: the interface language each officer chose.

Upgrade adds the nullable column `users.language` (nb or en); existing accounts get NULL, which
follows the browser's language.

Downgrade drops the column, and every account follows the browser again: it is refused while
any account has chosen a language, unless the operator allows the loss.

Revision ID: 0015_account_language
Revises: 0014_place_of_event
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from tracker.migration_guard import refuse_data_loss


# revision identifiers, used by Alembic.
revision = '0015_account_language'
down_revision = '0014_place_of_event'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'language', sa.String(length=5), nullable=True,
            comment='interface language chosen by the officer (nb, en); NULL follows the browser'))


def downgrade():
    """Drops each account's chosen language."""
    refuse_data_loss(revision, columns=['users.language'])
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
