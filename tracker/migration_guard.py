"""Downgrades that would drop data refuse unless the operator says so, and never drop audit rows
in production.

Every migration whose downgrade drops a table or a column holding data calls
`refuse_data_loss` first, naming what it drops. The operator allows the loss with
`flask db downgrade -x allow-data-loss=1 REVISION` (or TRACKER_ALLOW_DATA_LOSS=1); in production
nothing allows losing rows of the audit log.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, Mapping

from alembic import context, op
from flask import current_app, has_app_context
from sqlalchemy import text

AUDIT_TABLE = "audit_events"
ALLOW_FLAG = "allow-data-loss"
ALLOW_VARIABLE = "TRACKER_ALLOW_DATA_LOSS"
_YES = ("1", "true", "yes", "on")


class DataLossRefused(RuntimeError):
    """A downgrade would drop data and was not allowed to.

    A RuntimeError, so `flask db` prints the message and exits with status 1."""


@dataclass(frozen=True)
class Loss:
    """What a downgrade would drop: `rows` rows of a table, or values of a column."""

    what: str
    rows: int
    audit_log: bool

    def __str__(self) -> str:
        return f"{self.what}: {self.rows} row(s)"


def _quote(name: str) -> str:
    return op.get_bind().dialect.identifier_preparer.quote(name)


def _count(sql: str) -> int:
    return int(op.get_bind().execute(text(sql)).scalar() or 0)


def losses(tables: Iterable[str] = (), columns: Iterable[str] = (),
           flags: Iterable[str] = (), rows: Mapping[str, str] | None = None) -> list[Loss]:
    """Count what would be lost: rows of `tables`, non-null values of `columns` and true values
    of boolean `flags` (both "table.column"), and the rows of a table that match an SQL
    condition (`rows`: table -> condition); only what holds data is returned."""
    found = []
    for table, condition in (rows or {}).items():
        count = _count(f"SELECT count(*) FROM {_quote(table)} WHERE {condition}")
        found.append(Loss(f"rows of {table} where {condition}", count, table == AUDIT_TABLE))
    for table in tables:
        rows = _count(f"SELECT count(*) FROM {_quote(table)}")
        found.append(Loss(f"table {table}", rows, table == AUDIT_TABLE))
    for spec, condition in [(c, "IS NOT NULL") for c in columns] + [(f, "= true") for f in flags]:
        table, _, column = spec.partition(".")
        rows = _count(f"SELECT count(*) FROM {_quote(table)} WHERE {_quote(column)} {condition}")
        found.append(Loss(f"column {spec}", rows, table == AUDIT_TABLE))
    return [loss for loss in found if loss.rows]


def _allowed() -> bool:
    asked = context.get_x_argument(as_dictionary=True).get(ALLOW_FLAG, "")
    return asked.strip().lower() in _YES or \
        os.environ.get(ALLOW_VARIABLE, "").strip().lower() in _YES


def _production() -> bool:
    if has_app_context() and current_app.config.get("TRACKER_ENV") == "production":
        return True
    return os.environ.get("TRACKER_ENV", "").strip() == "production"


def refuse_data_loss(revision: str, *, tables: Iterable[str] = (), columns: Iterable[str] = (),
                     flags: Iterable[str] = (), rows: Mapping[str, str] | None = None) -> None:
    """Call first in a downgrade that drops data: raise DataLossRefused if anything named holds
    data, unless the operator allowed it (never for audit rows in production)."""
    lost = losses(tables, columns, flags, rows)
    if not lost:
        return
    listed = "; ".join(str(loss) for loss in lost)
    if _production() and any(loss.audit_log for loss in lost):
        raise DataLossRefused(
            f"downgrade of revision {revision} refused: it would drop audit log data "
            f"({listed}), which is never allowed in production. Restore a backup taken "
            "before the upgrade instead.")
    if not _allowed():
        raise DataLossRefused(
            f"downgrade of revision {revision} refused: it would drop data ({listed}). "
            "Take a backup first (flask backup create); to drop it anyway run "
            f"`flask db downgrade -x {ALLOW_FLAG}=1 ...` or set {ALLOW_VARIABLE}=1.")
