"""The audit chain off the hot path: rows are written unsealed and sealed into the chain later.

Upgrade: adds `chain_position` (the row's place in the chain; the existing rows, all chained in
id order, get their id) and `content_mac` (an HMAC of the content, written with the row), makes
`prev_hash` and `hash` nullable (NULL until sealed), and replaces the update trigger on both
databases: the only UPDATE allowed fills an unsealed row's chain fields (`chain_position`,
`prev_hash`, `hash`) once, leaving everything else as it was. Every other UPDATE, every DELETE
(and TRUNCATE on PostgreSQL) is still refused. The application's PostgreSQL role needs
`UPDATE (chain_position, prev_hash, hash)` on `audit_events` from now on.

Downgrade refuses while any row is unsealed (run `flask audit seal` first), and also when
rows were sealed out of id order (a late commit): the old code walks the chain by id and would
report those rows as broken. Otherwise it drops `content_mac` and `chain_position` (the
digests do not cover them, so every row still verifies), makes the chain fields NOT NULL again
and puts back the old triggers that refuse every UPDATE.

Revision ID: 0012_audit_seal
Revises: 0011
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_audit_seal'
down_revision = '0011'
branch_labels = None
depends_on = None

REFUSED = ("audit_events is append-only: only the chain fields of an unsealed row may be "
           "filled, once")
CHAIN_FIELDS = ("chain_position", "prev_hash", "hash")
# Everything but the chain fields must stay as it was when a row is sealed.
CONTENT_COLUMNS = ("id", "at", "actor_id", "actor_email", "actor_role", "action", "object_type",
                   "object_id", "reason", "address", "details", "key_id", "content_mac")


def _sealing_only(old: str = "OLD", new: str = "NEW") -> str:
    """The condition under which an UPDATE is allowed (same on both databases)."""
    return " AND ".join(
        [f"{old}.{c} IS NULL" for c in CHAIN_FIELDS]
        + [f"{new}.{c} IS NOT NULL" for c in (*CHAIN_FIELDS, "key_id")])


POSTGRESQL_UP = [
    "DROP TRIGGER audit_events_append_only ON audit_events",
    """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
       FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    # jsonb minus the chain fields: a column added later is covered without touching this.
    f"""CREATE FUNCTION audit_events_seal_once() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF {_sealing_only()}
            AND to_jsonb(NEW) - '{{{",".join(CHAIN_FIELDS)}}}'::text[]
                = to_jsonb(OLD) - '{{{",".join(CHAIN_FIELDS)}}}'::text[] THEN
           RETURN NEW;
         END IF;
         RAISE EXCEPTION '{REFUSED}';
       END $$""",
    """CREATE TRIGGER audit_events_seal_once BEFORE UPDATE ON audit_events
       FOR EACH ROW EXECUTE FUNCTION audit_events_seal_once()""",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER audit_events_seal_once ON audit_events",
    "DROP FUNCTION audit_events_seal_once()",
    "DROP TRIGGER audit_events_no_delete ON audit_events",
    """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
       FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
]
SQLITE_NO_DELETE = """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"""
SQLITE_NO_UPDATE = """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"""
_UNCHANGED = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in CONTENT_COLUMNS)
SQLITE_SEAL_ONCE = f"""CREATE TRIGGER audit_events_seal_once BEFORE UPDATE ON audit_events
       WHEN NOT ({_sealing_only()} AND {_UNCHANGED})
       BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"""


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # The table is rebuilt to change nullability, which would drop its triggers anyway.
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    else:
        op.execute(POSTGRESQL_UP[0])  # no UPDATE trigger while the positions are filled in
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'chain_position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
            nullable=True,
            comment='place in the chain, given when sealed (not the id: ids are taken before '
                    'commit, so a smaller id can commit after a larger one is sealed)'))
        batch_op.add_column(sa.Column(
            'content_mac', sa.String(length=64), nullable=True,
            comment='HMAC-SHA256 of the content under key_id, written with the row; sealing '
                    'refuses a row whose content does not match it'))
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)
    op.execute("UPDATE audit_events SET chain_position = id")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_chain_position'),
                                          ['chain_position'])
    if dialect == "sqlite":
        op.execute(SQLITE_NO_DELETE)
        op.execute(SQLITE_SEAL_ONCE)
    else:
        for statement in POSTGRESQL_UP[1:]:
            op.execute(statement)


def downgrade():
    """Drops `chain_position` and `content_mac`; every audit row and its digests stay, so it
    keeps no data the chain needs (the older schema walks it by id, and each `hash` covers its
    row's content). Refused while a row is unsealed or was sealed out of id order."""
    bind = op.get_bind()
    unsealed = bind.scalar(sa.text(
        "SELECT count(*) FROM audit_events WHERE chain_position IS NULL"))
    if unsealed:
        raise RuntimeError(f"{unsealed} audit rows are not sealed: run `flask audit seal` "
                           "first (the schema before 0012_audit_seal has no unsealed rows)")
    out_of_order = bind.scalar(sa.text(
        "SELECT count(*) FROM (SELECT chain_position, lag(chain_position) OVER (ORDER BY id)"
        " AS before FROM audit_events) AS walk WHERE before > chain_position"))
    if out_of_order:
        raise RuntimeError(f"{out_of_order} audit rows were sealed out of id order: the "
                           "schema before 0012_audit_seal chains by id and would report them "
                           "as broken; the downgrade is refused")
    dialect = bind.dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_seal_once")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    else:
        for statement in POSTGRESQL_DOWN[:2]:
            op.execute(statement)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_events_chain_position'), type_='unique')
        batch_op.drop_column('content_mac')
        batch_op.drop_column('chain_position')
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
    if dialect == "sqlite":
        op.execute(SQLITE_NO_DELETE)
        op.execute(SQLITE_NO_UPDATE)
    else:
        for statement in POSTGRESQL_DOWN[2:]:
            op.execute(statement)
