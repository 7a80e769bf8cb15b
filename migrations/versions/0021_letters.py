"""Letters: DOCX letter templates (one row per version), the template a filed letter was made
from, and the office's postal address for the letterhead.

Upgrade creates `letter_templates`, adds `attachments.letter_template_id` and
`offices.address` (none for the offices there are). On SQLite the attachments table is
copied (batch mode), which drops its search triggers: they are made again.

Downgrade drops them again: refused while a template exists, a letter points to one or an
office has an address (the data-loss guard); allowed, the filed letters stay as documents.

Revision ID: 0021_letters
Revises: 0020_saved_views
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from tracker.db import UTCDateTime
from tracker.migration_guard import refuse_data_loss
from tracker.search import schema


# revision identifiers, used by Alembic.
revision = '0021_letters'
down_revision = '0020_saved_views'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'letter_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False,
                  comment='e.g. Note verbale to the ministry'),
        sa.Column('category', sa.String(length=40), nullable=False,
                  comment="the consular category it is offered on, or 'any'"),
        sa.Column('language', sa.Enum('nb', 'en', name='letter_language', native_enum=False,
                                      create_constraint=True, length=8), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False,
                  comment='as uploaded, for display'),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_at', UTCDateTime(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.CheckConstraint('version >= 1', name=op.f('ck_letter_templates_version_positive')),
        sa.CheckConstraint('size > 0', name=op.f('ck_letter_templates_size_positive')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                                name=op.f('fk_letter_templates_uploaded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_templates')),
        sa.UniqueConstraint('name', 'category', 'language', 'version',
                            name='uq_letter_templates_version'),
        comment='DOCX letter templates uploaded by administrators, one row per version.',
    )
    op.add_column('offices', sa.Column('address', sa.Text(), nullable=True,
                                       comment='postal address, as letters print it; empty: '
                                               'none given'))
    sqlite = op.get_bind().dialect.name == 'sqlite'
    with op.batch_alter_table('attachments', schema=None,
                              recreate='always' if sqlite else 'auto') as batch_op:
        batch_op.add_column(sa.Column(
            'letter_template_id', sa.Integer(), nullable=True,
            comment='a letter made in the tracker: the template version it was made from'))
        batch_op.create_foreign_key(
            batch_op.f('fk_attachments_letter_template_id_letter_templates'),
            'letter_templates', ['letter_template_id'], ['id'])
    if sqlite:
        for statement in schema.create_source_triggers('sqlite', {'attachments'}):
            op.execute(statement)


def downgrade():
    """Drops the templates, the letters' pointers to them and the offices' addresses."""
    refuse_data_loss(revision, tables=['letter_templates'],
                     columns=['attachments.letter_template_id', 'offices.address'])
    sqlite = op.get_bind().dialect.name == 'sqlite'
    with op.batch_alter_table('attachments', schema=None,
                              recreate='always' if sqlite else 'auto') as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_attachments_letter_template_id_letter_templates'),
            type_='foreignkey')
        batch_op.drop_column('letter_template_id')
    if sqlite:
        for statement in schema.create_source_triggers('sqlite', {'attachments'}):
            op.execute(statement)
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.drop_column('address')
    op.drop_table('letter_templates')
