"""Small-count suppression: no police person, and no one in a sensitive consular case, can be
singled out from a published figure, not even by someone with a solver.

A count from 1 to THRESHOLD-1 in a sensitive row shows as "<THRESHOLD" (primary suppression);
a total that is itself such a small count of sensitive cases is hidden the same way.

Secondary suppression holds against an attacker who knows everything published: the shown
cells (zeros too: a hidden cell is at least 1), each row and column total and the grand total,
"<T" meaning 1 to T-1, "*" meaning at least 1, and the figures that two tables (or a table and
a trend chart) both show. For each hidden cell two linear programs give the smallest and the
largest value consistent with all of it; while a hidden cell has fewer than MIN_RANGE + 1
possible values, one more cell is withheld ("*"): the smallest non-zero shown cell of a line
it is in (a line's total only when no cell is left), widening line by line. Where nothing
shown is left to withhold, a neighbouring "<T" widens to "*". Withholding only relaxes what
the attacker knows, so a cell found safe stays safe: each hidden cell is checked once, and
again after each cell withheld for it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from flask_babel import format_decimal
from scipy.optimize import linprog

from tracker.reports.figures import Table

MIN_RANGE = 3  # max - min of a hidden cell: "<5" leaves 1..4, and nothing may narrow that


@dataclass(eq=False)
class Cell:
    value: object
    hidden: bool = False
    secondary: bool = False
    sensitive: bool = False  # in a row whose small counts are suppressed
    count: bool = True  # a count (in a table of days, only the first column is)
    total: bool = False

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

    def cells(self) -> list[Cell]:
        """Every cell, in reading order: rows, row totals, column totals, grand total."""
        every = [c for _, cells in self.rows for c in cells]
        every += (self.row_totals or []) + (self.column_totals or [])
        return every + ([self.grand_total] if self.grand_total is not None else [])


def small(value, threshold: int) -> bool:
    """The primary rule: a count from 1 to threshold-1 (of sensitive cases) is not shown."""
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
            for cell in cells[1:]:
                cell.count = False
            if cells and cells[0].sensitive and small(cells[0].value or 0, threshold):
                cells[0].hide(secondary=False)
                for cell in cells[1:]:
                    cell.hide(secondary=True)
        return grid
    for _, cells in rows:
        for cell in cells:
            if cell.sensitive and small(cell.value, threshold):
                cell.hide(secondary=False)

    def total(cells: list[Cell]) -> Cell:
        value = sum(c.value or 0 for c in cells)
        # A total is a count too: a small one that includes sensitive cases is hidden.
        includes_sensitive = any(c.sensitive and (c.value or 0) > 0 for c in cells)
        cell = Cell(value, sensitive=includes_sensitive, total=True)
        if includes_sensitive and small(value, threshold):
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


# --- what an attacker can work out ----------------------------------------------------------


class _Figures:
    """The published figures of a set of tables as the attacker's unknowns: one per figure
    (cells linked as the same figure share one), each equation a line with its total."""

    def __init__(self, grids: list[Grid], links, threshold: int):
        self.threshold = threshold
        cells = [c for g in grids for c in g.cells() if c.count]
        parent = {id(c): id(c) for c in cells}

        def root(key):
            while parent[key] != key:
                parent[key] = parent[parent[key]]
                key = parent[key]
            return key

        self.pairs = [(a, b) for a, b in links if id(a) in parent and id(b) in parent]
        for a, b in self.pairs:
            if a.value == b.value:  # only the same figure is one unknown
                parent[root(id(a))] = root(id(b))
        index: dict[int, int] = {}
        self.members: list[list[Cell]] = []
        for c in cells:  # reading order: a figure's number is where it is first shown
            r = root(id(c))
            if r not in index:
                index[r] = len(self.members)
                self.members.append([])
            self.members[index[r]].append(c)
        self.of = {id(c): index[root(id(c))] for c in cells}
        self.equations = []
        for g in grids:
            for line_cells, total in g.lines:
                terms: dict[int, int] = {}
                for c in line_cells:
                    terms[self.of[id(c)]] = terms.get(self.of[id(c)], 0) + 1
                terms[self.of[id(total)]] = terms.get(self.of[id(total)], 0) - 1
                self.equations.append({k: v for k, v in terms.items() if v})
        self.touching: list[list[int]] = [[] for _ in self.members]
        for e, terms in enumerate(self.equations):
            for k in terms:
                self.touching[k].append(e)
        # The lowest and highest value each figure takes in the solutions found so far (the
        # true table is one). Withholding only adds solutions, so these stay reachable: a
        # figure seen this far apart needs no solving.
        self.seen = [[self.value(k), self.value(k)] for k in range(len(self.members))]
        self.withheld = 0  # cells withheld so far: a group's sweep is redone after one
        self.swept: set[tuple[int, int, int]] = set()

    def value(self, k: int) -> int:
        return self.members[k][0].value or 0

    def hidden(self, k: int) -> bool:
        return any(c.hidden for c in self.members[k])

    def bounds(self, k: int) -> tuple[int, int | None]:
        if not self.hidden(k):
            return self.value(k), self.value(k)
        if all(c.hidden and not c.secondary for c in self.members[k]):
            return 1, self.threshold - 1  # "<T"
        return 1, None  # "*": zeros are shown, so at least 1

    def hide(self, k: int, secondary: bool = True) -> None:
        for c in self.members[k]:
            c.hide(secondary)
        self.withheld += 1

    def safe(self, k: int) -> bool:
        """Whether figure k keeps more than MIN_RANGE values, by solving only if need be."""
        low, high = self.seen[k]
        if high - low >= MIN_RANGE:
            return True
        low, high = self.range(k)
        return high - low >= MIN_RANGE

    def range(self, k: int) -> tuple[float, float]:
        """The smallest and largest whole value of figure k given everything shown."""
        low, high = self.seen[k]
        if high - low >= MIN_RANGE:
            return low, high
        unknowns, equations, reached = [k], [], {k}
        for u in unknowns:  # the unknowns tied to k through equations
            for e in self.touching[u]:
                if e in equations:
                    continue
                equations.append(e)
                for other in self.equations[e]:
                    if other not in reached and self.hidden(other):
                        reached.add(other)
                        unknowns.append(other)
        if not equations:
            low, high = self.bounds(k)
            return low, math.inf if high is None else high
        column = {u: i for i, u in enumerate(unknowns)}
        a_eq = np.zeros((len(equations), len(unknowns)))
        b_eq = np.zeros(len(equations))
        for row, e in enumerate(equations):
            for u, coefficient in self.equations[e].items():
                if u in column:
                    a_eq[row, column[u]] = coefficient
                else:
                    b_eq[row] -= coefficient * self.value(u)
        bounds = [self.bounds(u) for u in unknowns]
        sweep = (min(unknowns), len(unknowns), self.withheld)
        if sweep not in self.swept:
            # Two solves for the whole group first (every unknown pushed down, then up, a
            # "*" up to a cap): their solutions settle most unknowns without one each.
            self.swept.add(sweep)
            cap = 2 * max(self.value(u) for u in range(len(self.members))) + 10
            capped = [(lo, cap if hi is None else hi) for lo, hi in bounds]
            open_ = [i for i, u in enumerate(unknowns)
                     if self.seen[u][1] - self.seen[u][0] < MIN_RANGE]
            for sign in (1, -1):
                objective = np.zeros(len(unknowns))
                objective[open_] = sign
                self._solve(objective, a_eq, b_eq, capped, unknowns)
            if self.seen[k][1] - self.seen[k][0] >= MIN_RANGE:
                return tuple(self.seen[k])
        found = []
        for sign in (-1, 1):  # the largest first: a "*" without an upper bound is done
            objective = np.zeros(len(unknowns))
            objective[0] = sign
            result = self._solve(objective, a_eq, b_eq, bounds, unknowns)
            if result.status == 3:  # unbounded: only the maximum can be
                return self.seen[k][0], math.inf
            if result.status != 0:  # the figures contradict each other: nothing to work out
                return -math.inf, math.inf
            found.append(sign * result.fun)
            if self.seen[k][1] - self.seen[k][0] >= MIN_RANGE:
                return tuple(self.seen[k])
        return math.ceil(found[1] - 1e-6), math.floor(found[0] + 1e-6)

    def _solve(self, objective, a_eq, b_eq, bounds, unknowns):
        result = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if result.status == 0:
            for u, x in zip(unknowns, result.x):
                if abs(x - round(x)) < 1e-6:  # a whole solution: values a table can have
                    x = round(x)
                    self.seen[u] = [min(self.seen[u][0], x), max(self.seen[u][1], x)]
        return result

    def cover(self, k: int) -> tuple[int, bool] | None:
        """The figure to withhold for k: (figure, withheld as "*"), line by line outwards."""
        done_equations, reached, ring = set(), {k}, [k]
        widen: list[int] = []
        while ring:
            equations = [e for u in ring for e in self.touching[u] if e not in done_equations]
            done_equations.update(equations)
            near = sorted({u for e in equations for u in self.equations[e]} - reached)
            reached.update(near)
            shown = [u for u in near if not self.hidden(u) and self.value(u) > 0]
            if shown:
                # The smallest cell; a total only when the lines have no cell left.
                return min(shown, key=lambda u: (self.is_total(u), self.value(u), u)), True
            widen += [u for u in near if self.bounds(u)[1] is not None and self.hidden(u)]
            ring = [u for u in near if self.hidden(u)]
        if widen:
            # Nothing shown is left: a "<T" beside it widens to "*" (a total first).
            return min(widen, key=lambda u: (not self.is_total(u), u)), True
        return None

    def is_total(self, k: int) -> bool:
        return all(c.total for c in self.members[k])


def settle(grids: list[Grid], links: list[tuple[Cell, Cell]] = (), threshold: int = 5) -> None:
    """Secondary suppression over a set of tables, with the cells that show the same figure
    in two tables (`links`) hidden together, until no hidden cell can be narrowed to fewer
    than MIN_RANGE + 1 values."""
    changed = True
    while changed:  # hidden in both or in neither (days and counts are linked too)
        changed = False
        for a, b in links:
            for source, twin in ((a, b), (b, a)):
                if source.hidden and not twin.hidden:
                    twin.hide(source.secondary)
                    changed = True
    figures = _Figures(grids, links, threshold)
    queue = [k for k in range(len(figures.members)) if figures.hidden(k)]
    i = 0
    while i < len(queue):
        k = queue[i]
        if figures.safe(k):
            i += 1
            continue
        cover = figures.cover(k)
        if cover is None:  # everything around it is hidden already
            i += 1
            continue
        figures.hide(*cover)
        if cover[0] not in queue:
            queue.append(cover[0])
    for a, b in figures.pairs:  # a linked figure told apart from its twin: same sign
        if a.hidden != b.hidden or a.secondary != b.secondary:
            a.hide(True), b.hide(True)


def suppress(table: Table, threshold: int) -> Grid:
    """One table on its own, small counts (and what would reveal them) hidden."""
    grid = grid_for(table, threshold)
    settle([grid], threshold=threshold)
    return grid


def display(cell: Cell, threshold: int, unit: str = "count", local: bool = False) -> str:
    """A cell as text; `local`: its number as the reader's language writes it (1 234 and
    2,5 in Norwegian), else one machine-readable form (1,234 and 2.5)."""
    if cell.hidden:
        return "*" if cell.secondary else f"<{threshold}"
    if cell.value is None:
        return "–"
    if unit == "days":
        return format_decimal(cell.value, "0.0") if local else f"{cell.value:.1f}"
    return format_decimal(cell.value) if local else f"{cell.value:,}"
