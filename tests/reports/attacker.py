"""The attacker with a solver: from the published tables alone (and which figures repeat one
another), the smallest and largest value each hidden cell can have.

Written apart from `tracker.reports.suppression` on purpose: one variable per published cell,
each row and column that shows a total an equation, each repeated figure an equation, "<T" is
1 to T-1, "*" at least 1 (a zero is shown), a shown figure is fixed. Two LPs per hidden cell.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import linprog

Position = tuple[str, str, str]  # (table key, row label or "Total", column or "Total")


def _number(text: str):
    try:
        return int(text.replace(",", ""))
    except ValueError:
        return None  # "–", or days ("2.5"): not a count


def published_cells(tables) -> dict[Position, str]:
    """Every cell of the displayed tables by (key, row, column), totals as "Total"."""
    cells = {}
    for table in tables:
        columns = table.header[1:]
        for row in table.rows + ([table.footer] if table.footer else []):
            for column, text in zip(columns, row[1:]):
                cells[(table.key, row[0], column)] = text
    return cells


def _equations(tables) -> list[tuple[list[Position], Position]]:
    lines = []
    for table in tables:
        has_row_totals = table.header[-1] == "Total"
        columns = table.header[1:-1] if has_row_totals else table.header[1:]
        labels = [row[0] for row in table.rows]
        if has_row_totals:
            lines += [([(table.key, r, c) for c in columns], (table.key, r, "Total"))
                      for r in labels]
        if table.footer is not None:
            lines += [([(table.key, r, c) for r in labels], (table.key, "Total", c))
                      for c in columns]
            if has_row_totals:
                lines.append(([(table.key, r, "Total") for r in labels],
                              (table.key, "Total", "Total")))
    return lines


def hidden_ranges(tables, links: list[tuple[Position, Position]] = (), threshold: int = 5,
                  ) -> dict[Position, tuple[float, float]]:
    """(min, max) of every hidden count cell, as integers (inf where unbounded)."""
    cells = published_cells(tables)
    names = [p for p, text in cells.items()
             if text in (f"<{threshold}", "*") or _number(text) is not None]
    index = {p: i for i, p in enumerate(names)}
    bounds = []
    for p in names:
        text = cells[p]
        if text == f"<{threshold}":
            bounds.append((1, threshold - 1))
        elif text == "*":
            bounds.append((1, None))
        else:
            bounds.append((_number(text), _number(text)))
    rows = []
    for members, total in _equations(tables):
        if total in index and all(m in index for m in members):
            row = np.zeros(len(names))
            for m in members:
                row[index[m]] += 1
            row[index[total]] -= 1
            rows.append(row)
    for a, b in links:
        if a in index and b in index:
            row = np.zeros(len(names))
            row[index[a]], row[index[b]] = 1, -1
            rows.append(row)
    a_eq = np.array(rows) if rows else None
    b_eq = np.zeros(len(rows)) if rows else None
    ranges = {}
    for p in names:
        if cells[p] not in (f"<{threshold}", "*"):
            continue
        found = []
        for sign in (1, -1):
            c = np.zeros(len(names))
            c[index[p]] = sign
            result = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            if result.status == 3:
                found.append(math.inf)
                continue
            assert result.status == 0, (p, result.message)
            found.append(sign * result.fun)
        low, high = math.ceil(found[0] - 1e-6), found[1]
        ranges[p] = (low, high if high == math.inf else math.floor(high + 1e-6))
    return ranges


def pinned(tables, links=(), threshold: int = 5) -> dict[Position, tuple[float, float]]:
    """The hidden cells an attacker narrows to fewer than four values."""
    return {p: r for p, r in hidden_ranges(tables, links, threshold).items()
            if r[1] - r[0] < 3}
