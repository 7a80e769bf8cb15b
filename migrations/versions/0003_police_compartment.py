"""The police compartment: liaison cases, parties, exchanges under handling codes, INTERPOL
notices, restriction to named officers, break-glass, and links to consular requests.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa

from tracker.migration_guard import refuse_data_loss


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('liaison_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('homicide', 'human_trafficking', 'drug_trafficking', 'money_laundering', 'child_abduction', 'forced_marriage', 'fraud', 'missing_person', 'terrorism', 'organised_crime', 'other', name='police_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('country', sa.Enum('NO', 'DK', 'FI', 'IS', 'SE', name='nordic_country', native_enum=False, create_constraint=True), nullable=False, comment='the Nordic country the case is handled for'),
    sa.Column('requesting_agency', sa.String(length=120), nullable=False),
    sa.Column('agency_reference', sa.String(length=80), nullable=True),
    sa.Column('operation_name', sa.String(length=120), nullable=True),
    sa.Column('counterpart', sa.Enum('fia', 'punjab_police', 'sindh_police', 'kp_police', 'balochistan_police', 'ict_police', 'gb_police', 'ajk_police', 'anf', 'courts', 'other', name='counterpart', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('counterpart_reference', sa.String(length=80), nullable=True),
    sa.Column('restricted', sa.Boolean(), server_default=sa.false(), nullable=False, comment='only the named liaison officers open it without giving a reason'),
    sa.ForeignKeyConstraint(['id'], ['cases.id'], name=op.f('fk_liaison_cases_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_liaison_cases')),
    comment='Police part of a case. Visible to police liaison officers only.'
    )
    with op.batch_alter_table('liaison_cases', schema=None) as batch_op:
        batch_op.create_index('ix_liaison_cases_category_country', ['category', 'country'], unique=False)

    op.create_table('break_glass',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['liaison_cases.id'], name=op.f('fk_break_glass_case_id_liaison_cases')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_break_glass_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_break_glass'))
    )
    with op.batch_alter_table('break_glass', schema=None) as batch_op:
        batch_op.create_index('ix_break_glass_case_user', ['case_id', 'user_id', 'at'], unique=False)

    op.create_table('consular_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('liaison_case_id', sa.Integer(), nullable=False),
    sa.Column('consular_request_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('shared_at', sa.DateTime(timezone=True), nullable=True, comment='when the consular side was told the liaison officer is involved'),
    sa.Column('shared_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['consular_request_id'], ['consular_requests.id'], name=op.f('fk_consular_links_consular_request_id_consular_requests')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_consular_links_created_by_id_users')),
    sa.ForeignKeyConstraint(['liaison_case_id'], ['liaison_cases.id'], name=op.f('fk_consular_links_liaison_case_id_liaison_cases')),
    sa.ForeignKeyConstraint(['shared_by_id'], ['users.id'], name=op.f('fk_consular_links_shared_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consular_links')),
    sa.UniqueConstraint('liaison_case_id', 'consular_request_id', name='uq_consular_links_pair')
    )
    with op.batch_alter_table('consular_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consular_links_consular_request_id'), ['consular_request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consular_links_liaison_case_id'), ['liaison_case_id'], unique=False)

    op.create_table('exchanges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('exchanged_on', sa.Date(), nullable=False),
    sa.Column('direction', sa.Enum('sent', 'received', name='direction', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('channel', sa.Enum('siena', 'interpol', 'email', 'meeting', 'phone', 'letter', name='exchange_channel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('counterpart', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('handling_code', sa.Enum('H0', 'H1', 'H2', 'H3', name='handling_code', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('restriction', sa.Text(), nullable=True, comment='the H3 restriction, stated'),
    sa.Column('source_grade', sa.Enum('A', 'B', 'C', 'X', name='source_grade', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('information_grade', sa.Enum('1', '2', '3', '4', name='information_grade', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("handling_code <> 'H3' OR restriction IS NOT NULL", name=op.f('ck_exchanges_h3_states_restriction')),
    sa.ForeignKeyConstraint(['case_id'], ['liaison_cases.id'], name=op.f('fk_exchanges_case_id_liaison_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_exchanges_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchanges'))
    )
    with op.batch_alter_table('exchanges', schema=None) as batch_op:
        batch_op.create_index('ix_exchanges_case_id', ['case_id'], unique=False)

    op.create_table('interpol_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('colour', sa.Enum('red', 'yellow', 'blue', 'black', 'green', 'orange', 'purple', 'diffusion', name='notice_colour', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['liaison_cases.id'], name=op.f('fk_interpol_notices_case_id_liaison_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpol_notices'))
    )
    with op.batch_alter_table('interpol_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpol_notices_case_id'), ['case_id'], unique=False)

    op.create_table('liaison_case_officers',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['liaison_cases.id'], name=op.f('fk_liaison_case_officers_case_id_liaison_cases')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_liaison_case_officers_user_id_users')),
    sa.PrimaryKeyConstraint('case_id', 'user_id', name=op.f('pk_liaison_case_officers')),
    comment='Liaison officers named on a restricted case.'
    )
    op.create_table('liaison_case_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('suspect', 'victim', 'witness', 'abducted_child', 'parent_or_complainant', 'missing_person', name='party_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['liaison_cases.id'], name=op.f('fk_liaison_case_parties_case_id_liaison_cases')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_liaison_case_parties_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_liaison_case_parties')),
    sa.UniqueConstraint('case_id', 'person_id', 'role', name='uq_liaison_case_parties_role')
    )
    with op.batch_alter_table('liaison_case_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_liaison_case_parties_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_liaison_case_parties_person_id'), ['person_id'], unique=False)

    op.create_table('exchange_documents',
    sa.Column('exchange_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_exchange_documents_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['exchange_id'], ['exchanges.id'], name=op.f('fk_exchange_documents_exchange_id_exchanges')),
    sa.PrimaryKeyConstraint('exchange_id', 'attachment_id', name=op.f('pk_exchange_documents')),
    comment='Documents that came with, or went with, an exchange.'
    )


def downgrade():
    """Drops the police compartment's tables: keeps none of their data. Refused while they
    hold rows. (The liaison cases' rows in `cases` stay behind.)"""
    refuse_data_loss(revision, tables=['exchange_documents', 'liaison_case_parties',
                                       'liaison_case_officers', 'interpol_notices', 'exchanges',
                                       'consular_links', 'break_glass', 'liaison_cases'])
    op.drop_table('exchange_documents')
    with op.batch_alter_table('liaison_case_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_liaison_case_parties_person_id'))
        batch_op.drop_index(batch_op.f('ix_liaison_case_parties_case_id'))

    op.drop_table('liaison_case_parties')
    op.drop_table('liaison_case_officers')
    with op.batch_alter_table('interpol_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpol_notices_case_id'))

    op.drop_table('interpol_notices')
    with op.batch_alter_table('exchanges', schema=None) as batch_op:
        batch_op.drop_index('ix_exchanges_case_id')

    op.drop_table('exchanges')
    with op.batch_alter_table('consular_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consular_links_liaison_case_id'))
        batch_op.drop_index(batch_op.f('ix_consular_links_consular_request_id'))

    op.drop_table('consular_links')
    with op.batch_alter_table('break_glass', schema=None) as batch_op:
        batch_op.drop_index('ix_break_glass_case_user')

    op.drop_table('break_glass')
    with op.batch_alter_table('liaison_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_liaison_cases_category_country')

    op.drop_table('liaison_cases')
