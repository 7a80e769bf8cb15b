"""Small-count suppression: no police person, and no one in a sensitive consular case, can be
singled out from a published figure.

A count from 1 to THRESHOLD-1 in a sensitive row shows as "<THRESHOLD" (primary suppression);
a total that is itself such a small count of sensitive cases is hidden the same way.

Secondary suppression: a total would give a hidden cell away if it is the only hidden cell of
the row or column the total adds up. So for every line that shows a total (each row with a row
total, each column with a column total, and the totals row and column themselves with the grand
total), one more cell is hidden ("*"), the smallest other non-zero one, or, if there is none,
the total itself. A hidden total whose cells are all shown would be given away by adding them
up, so one of them is hidden too. Figures that appear twice (in two tables of a report) are
hidden in both or in neither (`link`). This repeats until nothing changes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tracker.reports.figures import Table


@dataclass(eq=False)
class Cell:
    value: object
    hidden: bool = False
    secondary: bool = False
    sensitive: bool = False  # in a row whose small counts are suppressed

    def hide(self, secondary: bool) -> None:
        self.hidden, self.secondary = True, secondary


@dataclass(eq=False)
class Grid:
    """A table's cells and its totals (each a Cell, so a total can be hidden too)."""

    table: Table
    rows: list[tuple[str, list[Cell]]]
    row_totals: list[Cell] | None = None
    column_totals: list[Cell] | None = None
    grand_total: Cell | None = None
    lines: list[tuple[list[Cell], Cell]] = field(default_factory=list)

    def cell(self, row: str, column: str) -> Cell | None:
        if column not in self.table.columns:
            return None
        j = self.table.columns.index(column)
        for label, cells in self.rows:
            if label == row:
                return cells[j]
        return None

    def column_total(self, column: str) -> Cell | None:
        if self.column_totals is None or column not in self.table.columns:
            return None
        return self.column_totals[self.table.columns.index(column)]


def _small(value, threshold: int) -> bool:
    return isinstance(value, int) and 0 < value < threshold


def grid_for(table: Table, threshold: int) -> Grid:
    """The table's cells with primary suppression applied, and its total cells and lines."""
    rows = []
    for label, values in table.rows:
        sensitive = table.sensitive or label in table.sensitive_rows
        rows.append((label, [Cell(v, sensitive=sensitive) for v in values]))
    grid = Grid(table, rows)
    if table.unit != "count":
        # Durations describe cases: hide a row's figures where its case count (the first
        # column) is small; the durations are withheld ("*") with it.
        for _, cells in rows:
            if cells and cells[0].sensitive and _small(cells[0].value or 0, threshold):
                cells[0].hide(secondary=False)
                for cell in cells[1:]:
                    cell.hide(secondary=True)
        return grid
    for _, cells in rows:
        for cell in cells:
            if cell.sensitive and _small(cell.value, threshold):
                cell.hide(secondary=False)

    def total(cells: list[Cell]) -> Cell:
        value = sum(c.value or 0 for c in cells)
        # A total is a count too: a small one that includes sensitive cases is hidden.
        includes_sensitive = any(c.sensitive and (c.value or 0) > 0 for c in cells)
        cell = Cell(value, sensitive=includes_sensitive)
        if includes_sensitive and _small(value, threshold):
            cell.hide(secondary=False)
        return cell

    every = [c for _, cells in rows for c in cells]
    if table.row_totals:
        grid.row_totals = [total(cells) for _, cells in rows]
        grid.lines += [(cells, t) for (_, cells), t in zip(rows, grid.row_totals)]
    if table.totals:
        columns = [[cells[j] for _, cells in rows] for j in range(len(table.columns))]
        grid.column_totals = [total(column) for column in columns]
        grid.lines += list(zip(columns, grid.column_totals))
    if table.row_totals and table.totals:
        grid.grand_total = total(every)
        grid.lines += [(grid.column_totals, grid.grand_total),
                       (grid.row_totals, grid.grand_total)]
    return grid


def _positive_shown(cells: list[Cell]) -> list[Cell]:
    return [c for c in cells if not c.hidden and isinstance(c.value, int) and c.value > 0]


def _settle_line(cells: list[Cell], total: Cell) -> bool:
    """Make one line safe; True if a cell or the total was hidden."""
    hidden = sum(1 for c in cells if c.hidden)
    candidates = _positive_shown(cells)
    if not total.hidden and hidden == 1:
        # Prefer a cell of a sensitive row: hiding it takes nothing from the rest.
        cover = [c for c in candidates if c.sensitive] or candidates
        if cover:
            min(cover, key=lambda c: c.value).hide(secondary=True)
        else:
            total.hide(secondary=True)
        return True
    if total.hidden and hidden == 0 and candidates:
        # The shown cells would add up to the hidden total.
        min(candidates, key=lambda c: c.value).hide(secondary=True)
        return True
    return False


def settle(grids: list[Grid], links: list[tuple[Cell, Cell]] = ()) -> None:
    """Secondary suppression over a set of tables, with the cells that show the same figure
    in two tables (`links`) hidden together."""
    changed = True
    while changed:
        changed = False
        for a, b in links:
            for source, twin in ((a, b), (b, a)):
                if source.hidden and not twin.hidden:
                    twin.hide(source.secondary)
                    changed = True
        for grid in grids:
            for cells, total in grid.lines:
                changed |= _settle_line(cells, total)


def suppress(table: Table, threshold: int) -> Grid:
    """One table on its own, small counts (and what would reveal them) hidden."""
    grid = grid_for(table, threshold)
    settle([grid])
    return grid


def display(cell: Cell, threshold: int, unit: str = "count") -> str:
    if cell.hidden:
        return "*" if cell.secondary else f"<{threshold}"
    if cell.value is None:
        return "–"
    if unit == "days":
        return f"{cell.value:.1f}"
    return f"{cell.value:,}"
