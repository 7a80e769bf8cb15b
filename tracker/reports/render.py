"""A figure table as people see it: small counts suppressed, totals added, cells as text.

HTML, CSV, XLSX and PDF all go through `display_table`, so every output applies the same
suppression.
"""
from __future__ import annotations

from dataclasses import dataclass

from tracker.reports.figures import Table
from tracker.reports.suppression import column_totals, display, row_total, suppress


@dataclass
class DisplayTable:
    key: str
    title: str
    header: list[str]
    rows: list[list[str]]
    footer: list[str] | None
    suppressed: bool  # some cell is hidden: the page explains the signs


def display_table(table: Table, threshold: int) -> DisplayTable:
    grid = suppress(table, threshold)
    header = [table.row_header, *table.columns] + (["Total"] if table.row_totals else [])
    rows, hidden_any = [], False
    for label, cells in grid:
        hidden_any |= any(c.hidden for c in cells)
        row = [label, *(display(c, threshold, table.unit) for c in cells)]
        if table.row_totals:
            row.append(f"{row_total(cells):,}")
        rows.append(row)
    footer = None
    if table.totals and table.unit == "count":
        sums = column_totals(table, grid)
        footer = ["Total", *(f"{v:,}" for v in sums)]
        if table.row_totals:
            footer.append(f"{sum(sums):,}")
    return DisplayTable(table.key, table.title, header, rows, footer, hidden_any)


SUPPRESSION_NOTE = ("<{t}: a count between 1 and {m}, not shown so that no person can be "
                    "singled out. *: withheld so that such a count cannot be worked out from a "
                    "total.")


def suppression_note(threshold: int) -> str:
    return SUPPRESSION_NOTE.format(t=threshold, m=threshold - 1)
