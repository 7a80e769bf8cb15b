"""SQL that differs between SQLite and PostgreSQL, kept in this one place."""
from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal


class seconds_between(ColumnElement):
    """later - earlier, in whole seconds, for two UTC timestamp columns.

    Both timestamps are cut to the second first and the difference is an integer, so both
    databases give exactly the same number: SQLite's julianday() is a floating-point day count
    whose rounding error (about 1e-4 s) would otherwise tip a value that falls on a rounding
    boundary (e.g. 0.25 days) one way on SQLite and the other on PostgreSQL.
    """

    type = BigInteger()
    inherit_cache = True

    def __init__(self, later, earlier):
        self.later, self.earlier = later, earlier


@compiles(seconds_between, "postgresql")
def _seconds_between_pg(element, compiler, **kw):
    def epoch(column):
        return (f"CAST(EXTRACT(EPOCH FROM date_trunc('second', "
                f"{compiler.process(column, **kw)})) AS BIGINT)")

    return f"({epoch(element.later)} - {epoch(element.earlier)})"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw):
    # Timestamps are stored as naive UTC text; strftime('%s') reads them as whole seconds.
    def epoch(column):
        return f"CAST(strftime('%s', {compiler.process(column, **kw)}) AS INTEGER)"

    return f"({epoch(element.later)} - {epoch(element.earlier)})"


class unindexed(ColumnElement):
    """A column SQLite must not look up by index (`+column`); the column itself on PostgreSQL.

    SQLite picks one index per table and prefers a range on the column of a plain AND term
    (e.g. opened_at < end, nearly every row) over the indexes of an OR's arms; with the term
    written `+opened_at` it takes the arms' indexes (MULTI-INDEX OR). PostgreSQL plans both
    by their statistics.
    """

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column):
        self.column = column
        self.type = column.type


@compiles(unindexed)
def _unindexed_default(element, compiler, **kw):
    return compiler.process(element.column, **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element, compiler, **kw):
    return f"+{compiler.process(element.column, **kw)}"
