"""SQL that differs between SQLite and PostgreSQL, kept in this one place."""
from __future__ import annotations

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement


class seconds_between(ColumnElement):
    """later - earlier, in seconds, for two UTC timestamp columns."""

    type = Float()
    inherit_cache = True

    def __init__(self, later, earlier):
        self.later, self.earlier = later, earlier


@compiles(seconds_between, "postgresql")
def _seconds_between_pg(element, compiler, **kw):
    return (f"EXTRACT(EPOCH FROM ({compiler.process(element.later, **kw)} - "
            f"{compiler.process(element.earlier, **kw)}))")


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw):
    # Timestamps are stored as naive UTC text; julianday() reads them.
    return (f"((julianday({compiler.process(element.later, **kw)}) - "
            f"julianday({compiler.process(element.earlier, **kw)})) * 86400.0)")
