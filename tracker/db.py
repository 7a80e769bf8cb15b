"""The declarative base, shared column types and per-database connection set-up."""
from __future__ import annotations

from datetime import datetime, timezone

from enum import StrEnum

from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def enum_column(enum_cls: type[StrEnum], name: str, length: int = 32) -> Enum:
    """A StrEnum stored by value in a VARCHAR with a CHECK constraint (same on both databases)."""
    return Enum(enum_cls, native_enum=False, length=length, name=name, validate_strings=True,
                create_constraint=True, values_callable=lambda cls: [m.value for m in cls])


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware.

    PostgreSQL keeps `timestamptz`; SQLite has no time zones, so values are stored as naive UTC
    and given their zone back on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def insert_ignore(model, values: dict):
    """INSERT that does nothing when the row exists already (both databases say ON CONFLICT)."""
    from sqlalchemy.dialects import postgresql, sqlite

    from tracker.extensions import db

    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model).values(**values).on_conflict_do_nothing()


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def configure_engine(engine: Engine) -> None:
    """SQLite: foreign keys on, WAL, and transactions that SAVEPOINT and BEGIN properly.
    PostgreSQL: each pooled connection starts with no compartment (row-level security)."""
    if engine.dialect.name != "sqlite":
        from tracker.cases.scope import install_row_security  # late: scope imports models

        install_row_security(engine)
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        # SQLite's lower() knows only ASCII; names here are Norwegian and Urdu too.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # IMMEDIATE: take the write lock up front. A deferred transaction that reads and then
        # writes fails at once ("database is locked") when another wrote in between, and the
        # busy timeout cannot help it; waiting for the lock can.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
