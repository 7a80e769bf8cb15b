"""Trend charts: the data for Chart.js on the page, and the same charts as SVG for the PDF.

A chart is drawn from its table as suppressed (`render.report_section`): a section's trends
are one more table of the section, and its point for the report's month is the same figure
as a table's total, so it is hidden wherever that total is. A hidden point is not drawn (a
gap in the line) and the text alternative says what the table says: "<THRESHOLD", or
"withheld" for "*". Police figures are small-count suppressed in every month.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pygal
from flask_babel import gettext as _, lazy_gettext as _l
from pygal.style import Style

from tracker.i18n import local_date
from tracker.reports.figures import Table

if TYPE_CHECKING:
    from tracker.reports.render import DisplayTable

SERIES = {
    "consular": [("consular_opened", _l("Requests opened")),
                 ("consular_resolved", _l("Resolved")), ("enquiries", _l("Enquiries"))],
    "police": [("police_opened", _l("Liaison cases opened"))],
}
SENSITIVE_SERIES = frozenset({"police_opened"})
# For each chart, series by series: the table and the column whose total is the month's
# figure ("Total": the grand total).
CHART_TOTALS = {
    "trends_consular": [("requests_by_category", "Opened"),
                        ("requests_by_category", "Resolved"), ("enquiries", "Total")],
    "trends_police": [("police_by_category", "Opened")],
}
STYLE = Style(background="white", plot_background="white", foreground="#1b1f24",
              foreground_strong="#1b1f24", foreground_subtle="#d0d7de",
              colors=("#00205b", "#ba0c2f", "#8a4b00", "#1e4620"), font_family="sans-serif")


def trend_table(trends: dict, section: str) -> Table:
    """A section's chart as a table: a row per series, a column per month."""
    return Table(f"trends_{section}", f"Trends ({section})", _l("Series"),
                 [month_label(label) for label in trends["labels"]],
                 [(name, list(trends[key])) for key, name in SERIES[section]],
                 sensitive_rows={name for key, name in SERIES[section]
                                 if key in SENSITIVE_SERIES}, totals=False)


def month_label(label: str) -> str:
    """A month as published ("Dec 2026") in the reader's language ("des. 2026")."""
    try:
        month = datetime.strptime(label, "%b %Y").date()
    except ValueError:
        return label
    return local_date(month, "month_short")


def _drawn(text: str):
    """A point as the table shows it: its number, or None (a gap) where it is hidden."""
    try:
        return int("".join(ch for ch in text if ch not in ", \u00a0\u202f"))
    except ValueError:
        return None


def _spoken(text: str) -> str:
    return _("withheld") if text == "*" else text


def _section(chart: "DisplayTable") -> str:
    return chart.key.removeprefix("trends_")


def chart_data(charts: list["DisplayTable"]) -> dict:
    """What static/js/report-charts.js draws: labels and named series per section."""
    return {"labels": charts[0].header[1:] if charts else [],
            "charts": [{"section": _section(chart),
                        "series": [{"name": row[0], "values": [_drawn(t) for t in row[1:]],
                                    "shown": [_spoken(t) for t in row[1:]]}
                                   for row in chart.rows]} for chart in charts]}


def trend_svgs(charts: list["DisplayTable"], threshold: int) -> list[str]:
    """One SVG line chart per section, with no script in it (pygal's js=[])."""
    svgs = []
    for chart in charts:
        graph = pygal.Line(js=[], style=STYLE, width=800, height=300, show_legend=True,
                           legend_at_bottom=True, x_label_rotation=0, dots_size=2,
                           print_values=False, truncate_label=-1, allow_interruptions=True)
        graph.x_labels = chart.header[1:]
        drawn = [(row[0], [_drawn(t) for t in row[1:]]) for row in chart.rows]
        if any(v is None for _, values in drawn for v in values):
            # A fixed scale from 0 to at least the threshold: with hidden points left out,
            # the axis must not be drawn to fit them either.
            graph.range = (0, max([threshold] + [v for _, values in drawn for v in values
                                                 if v]))
        for name, values in drawn:
            graph.add(name, values)
        svgs.append(graph.render(is_unicode=True))
    return svgs
