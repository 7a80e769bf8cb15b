"""People, the shared case machinery (timeline, journal, documents, references) and consular
requests, enquiries and service targets.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa

from tracker.migration_guard import refuse_data_loss


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reference_counters',
    sa.Column('prefix', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix', 'year', name=op.f('pk_reference_counters'))
    )
    op.create_table('service_targets',
    sa.Column('category', sa.Enum('passport', 'national_id', 'death', 'arrest', 'hospitalisation', 'victim_of_crime', 'missing_person', 'report_of_concern', 'financial_distress', 'advice', 'notarial', 'other', name='service_target_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('category', name=op.f('pk_service_targets'))
    )
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('consular_request', 'liaison_case', name='case_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('priority', sa.Enum('routine', 'urgent', 'emergency', name='priority', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('waiting_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('waiting_on', sa.String(length=40), nullable=True),
    sa.Column('waiting_reason', sa.Text(), nullable=True),
    sa.Column('hold_until', sa.Date(), nullable=True),
    sa.Column('paused_seconds', sa.BigInteger(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closing_reason', sa.String(length=40), nullable=True),
    sa.Column('approval_requested_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('paused_seconds >= 0', name=op.f('ck_cases_paused_not_negative')),
    sa.ForeignKeyConstraint(['approval_requested_by_id'], ['users.id'], name=op.f('fk_cases_approval_requested_by_id_users')),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['users.id'], name=op.f('fk_cases_assigned_to_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_cases_created_by_id_users')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_cases_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('reference', name=op.f('uq_cases_reference')),
    comment='Consular requests and liaison cases (joined-table inheritance).'
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_hold_until'), ['hold_until'], unique=False)
        batch_op.create_index('ix_cases_kind_assigned_status', ['kind', 'assigned_to_id', 'status'], unique=False)
        batch_op.create_index('ix_cases_kind_due_at', ['kind', 'due_at'], unique=False)
        batch_op.create_index('ix_cases_kind_office_status', ['kind', 'office_id', 'status'], unique=False)
        batch_op.create_index('ix_cases_kind_opened_at', ['kind', 'opened_at'], unique=False)

    op.create_table('persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('compartment', sa.Enum('consular', 'police', name='compartment', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False, comment='as given, any script'),
    sa.Column('folded_name', sa.String(length=400), nullable=False, comment='search key: name and other spellings, variants folded'),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('sex', sa.Enum('female', 'male', 'other', name='sex', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('nationality', sa.Enum('norwegian', 'pakistani', 'dual', 'other', name='nationality', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('other_nationality', sa.String(length=80), nullable=True),
    sa.Column('phone', sa.String(length=60), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_persons_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons')),
    comment='Persons of one compartment (consular or police).'
    )
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.create_index('ix_persons_compartment_date_of_birth', ['compartment', 'date_of_birth'], unique=False)
        batch_op.create_index('ix_persons_compartment_folded_name', ['compartment', 'folded_name'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False, comment='as uploaded, for display'),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False, comment='detected from the content'),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.Column('removal_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_attachments_case_id_cases')),
    sa.ForeignKeyConstraint(['removed_by_id'], ['users.id'], name=op.f('fk_attachments_removed_by_id_users')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_attachments_stored_name'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_case_id'), ['case_id'], unique=False)

    op.create_table('consular_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('passport', 'national_id', 'death', 'arrest', 'hospitalisation', 'victim_of_crime', 'missing_person', 'report_of_concern', 'financial_distress', 'advice', 'notarial', 'other', name='consular_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('subcategory', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.Enum('phone', 'email', 'walk_in', 'web_form', name='consular_channel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=True, comment='someone else who reported it, e.g. a relative'),
    sa.Column('requester_relationship', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['id'], ['cases.id'], name=op.f('fk_consular_requests_id_cases')),
    sa.ForeignKeyConstraint(['requester_id'], ['persons.id'], name=op.f('fk_consular_requests_requester_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consular_requests')),
    comment='Consular part of a case.'
    )
    with op.batch_alter_table('consular_requests', schema=None) as batch_op:
        batch_op.create_index('ix_consular_requests_category', ['category'], unique=False)

    op.create_table('journal_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('note', 'contact', name='note_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('contact_channel', sa.Enum('call', 'meeting', 'email', 'letter', 'visit', name='contact_channel', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('contact_with', sa.String(length=200), nullable=True),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_journal_notes_author_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_journal_notes_case_id_cases')),
    sa.ForeignKeyConstraint(['corrects_id'], ['journal_notes.id'], name=op.f('fk_journal_notes_corrects_id_journal_notes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_notes'))
    )
    with op.batch_alter_table('journal_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_notes_case_id'), ['case_id'], unique=False)

    op.create_table('person_identifiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('norwegian_id', 'cnic', 'passport', name='identifier_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('value', sa.String(length=32), nullable=False, comment='canonical form'),
    sa.Column('country', sa.String(length=2), nullable=True, comment='issuing country of a passport (ISO 3166-1 alpha-2)'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_person_identifiers_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_identifiers')),
    sa.UniqueConstraint('person_id', 'kind', 'value', name='uq_person_identifiers_person')
    )
    with op.batch_alter_table('person_identifiers', schema=None) as batch_op:
        batch_op.create_index('ix_person_identifiers_kind_value', ['kind', 'value'], unique=False)

    op.create_table('person_names',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_person_names_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_names'))
    )
    with op.batch_alter_table('person_names', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_names_person_id'), ['person_id'], unique=False)

    op.create_table('person_relations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('related_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('parent', 'child', 'spouse', 'next_of_kin', name='relation_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_person_relations_person_id_persons')),
    sa.ForeignKeyConstraint(['related_id'], ['persons.id'], name=op.f('fk_person_relations_related_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_relations')),
    sa.UniqueConstraint('person_id', 'related_id', 'kind', name='uq_person_relations_pair')
    )
    with op.batch_alter_table('person_relations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_relations_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_relations_related_id'), ['related_id'], unique=False)

    op.create_table('enquiries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.Enum('phone', 'email', 'walk_in', 'web_form', name='enquiry_channel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('topic', sa.Enum('passport', 'national_id', 'death', 'arrest', 'hospitalisation', 'victim_of_crime', 'missing_person', 'report_of_concern', 'financial_distress', 'advice', 'notarial', 'other', name='enquiry_topic', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('handled_by_id', sa.Integer(), nullable=False),
    sa.Column('became_request_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['became_request_id'], ['consular_requests.id'], name=op.f('fk_enquiries_became_request_id_consular_requests')),
    sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], name=op.f('fk_enquiries_handled_by_id_users')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_enquiries_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enquiries'))
    )
    with op.batch_alter_table('enquiries', schema=None) as batch_op:
        batch_op.create_index('ix_enquiries_office_received_on', ['office_id', 'received_on'], unique=False)

    op.create_table('request_subjects',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_request_subjects_person_id_persons')),
    sa.ForeignKeyConstraint(['request_id'], ['consular_requests.id'], name=op.f('fk_request_subjects_request_id_consular_requests')),
    sa.PrimaryKeyConstraint('request_id', 'person_id', name=op.f('pk_request_subjects')),
    comment='The persons a consular request is about.'
    )
    with op.batch_alter_table('request_subjects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_subjects_person_id'), ['person_id'], unique=False)

    op.create_table('timeline_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True, comment='empty for the system (e.g. a hold date passing)'),
    sa.Column('kind', sa.Enum('opened', 'status', 'note', 'contact', 'document_added', 'document_removed', 'assigned', 'edited', name='timeline_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('transition', sa.String(length=32), nullable=True),
    sa.Column('from_status', sa.String(length=32), nullable=True),
    sa.Column('to_status', sa.String(length=32), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('note_id', sa.Integer(), nullable=True),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_timeline_events_actor_id_users')),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_timeline_events_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_timeline_events_case_id_cases')),
    sa.ForeignKeyConstraint(['note_id'], ['journal_notes.id'], name=op.f('fk_timeline_events_note_id_journal_notes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timeline_events'))
    )
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.create_index('ix_timeline_events_case_at', ['case_id', 'at', 'id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reads_all_offices', sa.Boolean(), server_default=sa.false(), nullable=False, comment="a consular officer who may read (not work) other offices' requests"))



def downgrade():
    """Drops the people, cases, requests, notes, documents' rows, timeline and enquiries, and
    the accounts' reads-all-offices permission: keeps none of it. Refused while they hold data."""
    refuse_data_loss(revision, tables=['timeline_events', 'request_subjects', 'enquiries',
                                       'person_relations', 'person_names', 'person_identifiers',
                                       'journal_notes', 'consular_requests', 'attachments',
                                       'persons', 'cases', 'service_targets',
                                       'reference_counters'],
                     flags=['users.reads_all_offices'])
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('reads_all_offices')

    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.drop_index('ix_timeline_events_case_at')

    op.drop_table('timeline_events')
    with op.batch_alter_table('request_subjects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_subjects_person_id'))

    op.drop_table('request_subjects')
    with op.batch_alter_table('enquiries', schema=None) as batch_op:
        batch_op.drop_index('ix_enquiries_office_received_on')

    op.drop_table('enquiries')
    with op.batch_alter_table('person_relations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_relations_related_id'))
        batch_op.drop_index(batch_op.f('ix_person_relations_person_id'))

    op.drop_table('person_relations')
    with op.batch_alter_table('person_names', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_names_person_id'))

    op.drop_table('person_names')
    with op.batch_alter_table('person_identifiers', schema=None) as batch_op:
        batch_op.drop_index('ix_person_identifiers_kind_value')

    op.drop_table('person_identifiers')
    with op.batch_alter_table('journal_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_notes_case_id'))

    op.drop_table('journal_notes')
    with op.batch_alter_table('consular_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_consular_requests_category')

    op.drop_table('consular_requests')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_case_id'))

    op.drop_table('attachments')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_index('ix_persons_compartment_folded_name')
        batch_op.drop_index('ix_persons_compartment_date_of_birth')

    op.drop_table('persons')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_kind_opened_at')
        batch_op.drop_index('ix_cases_kind_office_status')
        batch_op.drop_index('ix_cases_kind_due_at')
        batch_op.drop_index('ix_cases_kind_assigned_status')
        batch_op.drop_index(batch_op.f('ix_cases_hold_until'))

    op.drop_table('cases')
    op.drop_table('service_targets')
    op.drop_table('reference_counters')
