"""A figure table as people see it: small counts suppressed, totals added, cells as text.

HTML, CSV, XLSX and PDF all go through `display_section`, so every output applies the same
suppression. The tables of one section are suppressed together: a figure that two tables
show (deaths opened, requests resolved per category, the number of requests opened...) is
hidden in both, or a cell withheld in one would be read off the other. The section's trend
chart is one more table in that set: its point for the report's month is the figure a table
totals, so the chart shows it only where the table does.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from tracker.consular.categories import Category
from tracker.police.categories import PoliceCategory
from tracker.reports.charts import CHART_TOTALS, trend_table
from tracker.reports.figures import Table, source_text
from tracker.reports.suppression import Cell, Grid, display, grid_for, settle


@dataclass
class DisplayTable:
    key: str
    title: str
    header: list[str]
    rows: list[list[str]]
    footer: list[str] | None
    suppressed: bool  # some cell is hidden: the page explains the signs


# published_counts row -> the category whose "Opened" figure it repeats
PUBLISHED_OPENED = {"Deaths": Category.DEATH, "Arrests": Category.ARREST,
                    "Hospitalisations": Category.HOSPITALISATION,
                    "Reports of concern": Category.REPORT_OF_CONCERN}
# police_children row -> the police_by_category column it repeats for child abduction
CHILDREN_CASES = {"Opened in the month": "Opened", "Active at month end": "Active at month end"}


def _links(grids: dict[str, Grid]) -> list[tuple[Cell, Cell]]:
    """Pairs of cells that show the same figure in two tables of a report."""
    pairs: list[tuple[Cell | None, Cell | None]] = []
    by_category = grids.get("requests_by_category")
    if by_category is not None:
        if "time_to_resolution" in grids:
            days = grids["time_to_resolution"]
            pairs += [(by_category.cell(source_text(c.label), "Resolved"),
                       days.cell(source_text(c.label), "Resolved")) for c in Category]
        if "published_counts" in grids:
            published = grids["published_counts"]
            pairs += [(by_category.cell(source_text(c.label), "Opened"),
                       published.cell(label, "Count"))
                      for label, c in PUBLISHED_OPENED.items()]
        if "requests_by_office" in grids:
            by_office = grids["requests_by_office"]
            pairs += [(by_category.column_total(column), by_office.column_total(column))
                      for column in by_category.table.columns]
        if "persons_helped" in grids:
            pairs.append((by_category.column_total("Opened"),
                          grids["persons_helped"].cell("Requests opened", "Count")))
    police = grids.get("police_by_category")
    if police is not None:
        if "police_by_country" in grids:
            by_country = grids["police_by_country"]
            pairs += [(police.column_total(column), by_country.column_total(column))
                      for column in police.table.columns]
        if "police_outcomes" in grids:
            pairs.append((police.column_total("Closed"),
                          grids["police_outcomes"].column_total("Cases")))
        if "police_children" in grids:
            children = grids["police_children"]
            pairs += [(police.cell(source_text(PoliceCategory.CHILD_ABDUCTION.label), column),
                       children.cell(row, "Cases")) for row, column in CHILDREN_CASES.items()]
    for chart in (g for key, g in grids.items() if key.startswith("trends_")):
        for (_series, cells), (key, column) in zip(chart.rows, CHART_TOTALS[chart.table.key]):
            grid = grids.get(key)
            if grid is not None and cells:
                # The chart's last month is the report's month: the same figure as the total.
                source = grid.grand_total if column == "Total" else grid.column_total(column)
                pairs.append((cells[-1], source))
    return [(a, b) for a, b in pairs if a is not None and b is not None]


def said(text: str) -> str:
    """A table's title or label (kept in English, see figures.Table) in the reader's
    language; a name that is not in the catalogue (an office's) stays as it is."""
    return _(text) if text else text


def _render(grid: Grid, threshold: int, local: bool) -> DisplayTable:
    table = grid.table
    header = ([said(table.row_header), *map(said, table.columns)]
              + ([_("Total")] if table.row_totals else []))
    rows, hidden_any = [], False
    for i, (label, cells) in enumerate(grid.rows):
        hidden_any |= any(c.hidden for c in cells)
        # In a table of days the first column counts the cases the days are taken over.
        row = [said(label), *(display(c, threshold, table.unit if j else "count", local)
                              for j, c in enumerate(cells))]
        if grid.row_totals is not None:
            row.append(display(grid.row_totals[i], threshold, local=local))
        rows.append(row)
    footer = None
    if grid.column_totals is not None:
        footer = [_("Total"), *(display(c, threshold, local=local) for c in grid.column_totals)]
        if grid.grand_total is not None:
            footer.append(display(grid.grand_total, threshold, local=local))
    return DisplayTable(table.key, said(table.title), header, rows, footer, hidden_any)


def display_section(tables: list[Table], threshold: int, chart: Table | None = None,
                    local: bool = True) -> tuple[list[DisplayTable], DisplayTable | None]:
    """The tables of one section and its trend chart (as a table), suppressed together.

    `local`: numbers written as the reader's language writes them (pages, PDF); CSV and
    XLSX keep one machine-readable form (1,234 and 2.5) whatever the language.
    """
    grids = [grid_for(t, threshold) for t in tables + ([chart] if chart else [])]
    settle(grids, _links({g.table.key: g for g in grids}), threshold)
    shown = [_render(g, threshold, local) for g in grids]
    return (shown[:-1], shown[-1]) if chart else (shown, None)


def display_tables(tables: list[Table], threshold: int) -> list[DisplayTable]:
    """The tables of one section, suppressed together."""
    return display_section(tables, threshold)[0]


def report_section(report, section: str, threshold: int, local: bool = True,
                   ) -> tuple[list[DisplayTable], DisplayTable]:
    """A report's section as published: its tables and its trend chart."""
    return display_section(getattr(report, section), threshold,
                           trend_table(report.trends, section), local)


def display_table(table: Table, threshold: int) -> DisplayTable:
    """One table on its own (use `display_tables` for a report's section)."""
    return display_tables([table], threshold)[0]


def suppression_note(threshold: int) -> str:
    return _("<%(threshold)s: a count between 1 and %(below)s, not shown so that no person "
             "can be singled out. *: withheld (a count of at least 1, small or not) so that "
             "no hidden count can be worked out from the totals and the other figures.",
             threshold=threshold, below=threshold - 1)
