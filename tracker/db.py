"""The declarative base, shared column types and per-database connection set-up."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from enum import StrEnum

from flask import has_request_context
from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import TimeoutError as PoolTimeout
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


# PostgreSQL's answers when a wait reached its bound: statement_timeout (query_canceled),
# lock_timeout (lock_not_available), idle_in_transaction_session_timeout.
TIMEOUT_SQLSTATES = frozenset({"57014", "55P03", "25P03"})
# Execution option of a connection that only reads: on SQLite it takes no write lock.
READ_ONLY = "tracker_read_only"
SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


def ran_out_of_time(error: BaseException) -> bool:
    """Whether a database error means a wait reached its bound (the system is busy), as
    opposed to a database that cannot be reached."""
    if isinstance(error, PoolTimeout):
        return True
    original = getattr(error, "orig", None)
    if getattr(original, "sqlstate", None) in TIMEOUT_SQLSTATES:
        return True
    return isinstance(original, sqlite3.OperationalError) and str(original).startswith(
        SQLITE_BUSY)


def _milliseconds(seconds: float) -> str:
    return str(max(1, round(seconds * 1000)))


def postgresql_session_settings(timeouts: dict[str, float], *, in_request: bool) -> dict[str, str]:
    """The bounds and planner settings a PostgreSQL connection is given at each checkout.

    A web request's statements stop well before gunicorn's worker timeout (30 s) kills the
    worker; commands (reports, the generator, audit verify, migrations) are not requests and
    get the longer bound. JIT is off: the reader's scope adds EXISTS subplans whose estimated
    cost crosses the JIT threshold, and compiling took 1.4 s of a 1.5 s search that executes in
    0.15 s (docs/benchmarks.md)."""
    statement = timeouts["statement"] if in_request else timeouts["command_statement"]
    idle = timeouts["idle_in_transaction"] if in_request else max(
        timeouts["idle_in_transaction"], timeouts["command_statement"])
    return {
        "statement_timeout": _milliseconds(statement),
        "lock_timeout": _milliseconds(timeouts["lock"]),
        "idle_in_transaction_session_timeout": _milliseconds(idle),
        "jit": "off",
    }


def configure_engine(engine: Engine, timeouts: dict[str, float]) -> None:
    """The one place where each connection is set up, from the settings' `DB_TIMEOUTS`.

    PostgreSQL: at every checkout, the timeouts for the kind of work (a web request or a
    command), JIT off and no compartment, in one round trip. SQLite: foreign keys on, WAL, the
    busy timeout, and transactions that SAVEPOINT and BEGIN properly."""
    if engine.dialect.name == "postgresql":
        from tracker.cases.scope import SETTING  # late: scope imports the models

        @event.listens_for(engine, "checkout")
        def _start_clean(dbapi_connection, record, _proxy):
            settings = postgresql_session_settings(timeouts, in_request=has_request_context())
            settings[SETTING] = ""  # no compartment until a reader is known (row security)
            calls = ", ".join(["set_config(%s, %s, false)"] * len(settings))
            cursor = dbapi_connection.cursor()
            cursor.execute(f"SELECT {calls}", [part for pair in settings.items() for part in pair])
            cursor.close()
            # Leave the connection idle, as the pool handed it out (a session-level setting
            # outlives the commit); AUTOCOMMIT and the like can only be set on an idle one.
            dbapi_connection.commit()
            record.info[SETTING] = ""
        return
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        # SQLite's lower() knows only ASCII; names here are Norwegian and Urdu too.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # How long to wait for another connection's write lock before "database is locked".
        cursor.execute(f"PRAGMA busy_timeout={_milliseconds(timeouts['sqlite_busy'])}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # IMMEDIATE: take the write lock up front. A deferred transaction that reads and then
        # writes fails at once ("database is locked") when another wrote in between, and the
        # busy timeout cannot help it; waiting for the lock can. A connection that only reads
        # (the health check) says so and does not queue behind writers.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
