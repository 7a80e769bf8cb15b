"""Alembic environment: runs migrations on the application's own engine and metadata."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from tracker.db import UTCDateTime
from tracker.search.schema import include_name

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_ext = current_app.extensions["migrate"]
target_metadata = migrate_ext.db.metadata


def render_item(type_, obj, autogen_context):
    """Write our UTC timestamp type as the plain column type it stands on."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline():
    context.configure(url=str(migrate_ext.db.engine.url), target_metadata=target_metadata,
                      literal_binds=True, render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def skip_empty(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    options = dict(migrate_ext.configure_args)
    options.setdefault("process_revision_directives", skip_empty)
    # What only the database keeps (full-text indexes, generated columns) is not in the models.
    options.setdefault("include_name", include_name)
    with migrate_ext.db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a table by copying it; other tables' foreign keys must not fire
            # meanwhile. The pragma only works outside a transaction, hence the raw connection.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            # One transaction for the whole run, as on PostgreSQL, so that a downgrade refused
            # half-way (tracker/migration_guard.py) leaves the schema as it was. Alembic assumes
            # SQLite cannot; our engine begins real transactions (tracker/db.py), so it can.
            options["transactional_ddl"] = True
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_item=render_item, **options)
        try:
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    # Migrations see every row, the police compartment's too (row security).
                    connection.exec_driver_sql(
                        "SELECT set_config('tracker.compartment', 'all', false)")
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
