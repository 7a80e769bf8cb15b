"""Small-count suppression: no police person, and no one in a sensitive consular case, can be
singled out from a published figure.

A count from 1 to THRESHOLD-1 shows as "<THRESHOLD". Where a row or column shows a total and
exactly one of its cells is hidden, the total would give that cell away, so one more cell of
that row or column (the smallest other non-zero one) is hidden as well; this repeats until
no row or column is left with a single hidden cell.
"""
from __future__ import annotations

from dataclasses import dataclass

from tracker.reports.figures import Table

HIDDEN = None  # a suppressed cell


@dataclass
class Cell:
    value: object
    hidden: bool = False
    secondary: bool = False


def suppress(table: Table, threshold: int) -> list[tuple[str, list[Cell]]]:
    """The table's cells, with small counts (and what would reveal them) marked hidden."""
    grid = [(label, [Cell(v) for v in values]) for label, values in table.rows]
    if table.unit != "count":
        # Durations describe cases: hide them where the row's case count is small.
        for label, cells in grid:
            if table.sensitive or label in table.sensitive_rows:
                count = cells[0].value or 0
                if 0 < count < threshold:
                    for cell in cells:
                        cell.hidden = True
        return grid
    for label, cells in grid:
        if table.sensitive or label in table.sensitive_rows:
            for cell in cells:
                if isinstance(cell.value, int) and 0 < cell.value < threshold:
                    cell.hidden = True
    if table.totals:
        _secondary(grid, table)
    return grid


def _protect(cells: list[Cell]) -> bool:
    """Hide one more cell if exactly one is hidden; True if something changed."""
    hidden = [c for c in cells if c.hidden]
    if len(hidden) != 1:
        return False
    candidates = [c for c in cells if not c.hidden and isinstance(c.value, int) and c.value > 0]
    if not candidates:
        return False
    smallest = min(candidates, key=lambda c: c.value)
    smallest.hidden = smallest.secondary = True
    return True


def _secondary(grid, table: Table) -> None:
    sensitive = {i for i, (label, _) in enumerate(grid)
                 if table.sensitive or label in table.sensitive_rows}
    changed = True
    while changed:
        changed = False
        if table.row_totals:
            for i in sensitive:
                changed |= _protect(grid[i][1])
        for j in range(len(table.columns)):
            column = [grid[i][1][j] for i in range(len(grid))]
            if sum(1 for c in column if c.hidden) != 1:
                continue
            def usable(i):
                cell = grid[i][1][j]
                return not cell.hidden and isinstance(cell.value, int) and cell.value > 0

            # Cover from the sensitive rows if possible, else from any row.
            cover = ([grid[i][1][j] for i in sorted(sensitive) if usable(i)]
                     or [grid[i][1][j] for i in range(len(grid)) if usable(i)])
            if cover:
                smallest = min(cover, key=lambda c: c.value)
                smallest.hidden = smallest.secondary = True
                changed = True


def column_totals(table: Table, grid) -> list[int]:
    """True sums: the secondary suppression keeps them from revealing a hidden cell."""
    return [sum(cells[j].value or 0 for _, cells in grid) for j in range(len(table.columns))]


def row_total(cells: list[Cell]) -> int:
    return sum(c.value or 0 for c in cells)


def display(cell: Cell, threshold: int, unit: str = "count") -> str:
    if cell.hidden:
        return "*" if cell.secondary else f"<{threshold}"
    if cell.value is None:
        return "–"
    if unit == "days":
        return f"{cell.value:.1f}"
    return f"{cell.value:,}"
