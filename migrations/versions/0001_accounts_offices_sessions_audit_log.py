"""Accounts, offices, server-side sessions, failed sign-ins and the append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa

from tracker.migration_guard import refuse_data_loss


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_email', sa.String(length=254), nullable=True),
    sa.Column('actor_role', sa.String(length=32), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False, comment='dotted verb, e.g. login.failed'),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True, comment='given by the actor where asked'),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('details', sa.Text(), nullable=True, comment='JSON: what changed, from and to'),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_events_hash')),
    comment='Append-only, hash-chained record of security events, changes and reads.'
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_action', ['action'], unique=False)
        batch_op.create_index('ix_audit_events_actor_id', ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_events_object', ['object_type', 'object_id'], unique=False)
    _make_audit_append_only()

    op.create_table('failed_logins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_logins')),
    comment='Failed tries, by the e-mail address typed (known or not).'
    )
    with op.batch_alter_table('failed_logins', schema=None) as batch_op:
        batch_op.create_index('ix_failed_logins_email_at', ['email', 'at'], unique=False)

    op.create_table('offices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=3), nullable=False, comment='Three-letter code used in references, e.g. ISB'),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('embassy', 'honorary_consulate', name='office_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False, comment="IANA zone in which this office's days and months are counted"),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('length(code) = 3', name=op.f('ck_offices_code_three_letters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offices')),
    sa.UniqueConstraint('code', name=op.f('uq_offices_code')),
    sa.UniqueConstraint('name', name=op.f('uq_offices_name')),
    comment='Posts of the mission; every request and account belongs to one.'
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.Enum('consular_officer', 'police_liaison_officer', 'manager', 'administrator', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('totp_secret', sa.String(length=64), nullable=True, comment='Base32 TOTP secret once enrolment is confirmed'),
    sa.Column('totp_last_counter', sa.Integer(), nullable=True, comment='Time step of the last accepted code: each code is accepted once'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_users_email_lower_case')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_users_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    comment='Accounts of embassy staff.'
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_office_id'), ['office_id'], unique=False)

    op.create_table('user_sessions',
    sa.Column('id', sa.String(length=64), nullable=False, comment='SHA-256 of the token'),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=40), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    comment='Server-side sessions; ended_at set means refused.'
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)



# The application never edits or deletes audit rows; the database refuses it as well.
APPEND_ONLY_SQL = {
    "postgresql": [
        """CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$""",
        """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
           FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
        """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
           FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
    ],
    "sqlite": [
        """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
           BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
        """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
           BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
    ],
}
DROP_APPEND_ONLY_SQL = {
    "postgresql": ["DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
                   "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
                   "DROP FUNCTION IF EXISTS audit_events_append_only()"],
    "sqlite": ["DROP TRIGGER IF EXISTS audit_events_no_update",
               "DROP TRIGGER IF EXISTS audit_events_no_delete"],
}


def _make_audit_append_only():
    for statement in APPEND_ONLY_SQL.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    """Drops every table of the first revision, the audit log included: keeps no data of
    them. Refused while they hold rows (and always in production while the audit log does)."""
    refuse_data_loss(revision, tables=['user_sessions', 'users', 'offices', 'failed_logins',
                                       'audit_events'])
    for statement in DROP_APPEND_ONLY_SQL.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_office_id'))

    op.drop_table('users')
    op.drop_table('offices')
    with op.batch_alter_table('failed_logins', schema=None) as batch_op:
        batch_op.drop_index('ix_failed_logins_email_at')

    op.drop_table('failed_logins')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_object')
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))
        batch_op.drop_index('ix_audit_events_actor_id')
        batch_op.drop_index('ix_audit_events_action')

    op.drop_table('audit_events')
