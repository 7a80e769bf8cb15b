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
        # In a table of days the first column counts the cases the days are taken over.
        row = [label, *(display(c, threshold, table.unit if j else "count")
                        for j, c in enumerate(cells))]
        if table.row_totals:
            sensitive = table.sensitive or label in table.sensitive_rows
            row.append(_total(row_total(cells), threshold, sensitive))
        rows.append(row)
    footer = None
    if table.totals and table.unit == "count":
        sums = column_totals(table, grid)
        footer = ["Total", *(_total(v, threshold, table.sensitive) for v in sums)]
        if table.row_totals:
            footer.append(_total(sum(sums), threshold, table.sensitive))
    return DisplayTable(table.key, table.title, header, rows, footer, hidden_any)


def _total(value: int, threshold: int, sensitive: bool) -> str:
    """A total is a count too: a small one of sensitive cases is hidden like any other."""
    return f"<{threshold}" if sensitive and 0 < value < threshold else f"{value:,}"


SUPPRESSION_NOTE = ("<{t}: a count between 1 and {m}, not shown so that no person can be "
                    "singled out. *: withheld so that such a count cannot be worked out from a "
                    "total.")


def suppression_note(threshold: int) -> str:
    return SUPPRESSION_NOTE.format(t=threshold, m=threshold - 1)
