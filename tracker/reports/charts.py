"""Trend charts: the data for Chart.js on the page, and the same charts as SVG for the PDF.

Police figures are small-count suppressed here as in the tables: a month with 1 to
THRESHOLD-1 liaison cases opened has no point on the line (a gap), and the text alternative
says "<THRESHOLD".
"""
from __future__ import annotations

import pygal
from pygal.style import Style

SERIES = {
    "consular": [("consular_opened", "Requests opened"), ("consular_resolved", "Resolved"),
                 ("enquiries", "Enquiries")],
    "police": [("police_opened", "Liaison cases opened")],
}
SENSITIVE_SERIES = frozenset({"police_opened"})
STYLE = Style(background="white", plot_background="white", foreground="#1b1f24",
              foreground_strong="#1b1f24", foreground_subtle="#d0d7de",
              colors=("#00205b", "#ba0c2f", "#8a4b00", "#1e4620"), font_family="sans-serif")


def _series(trends: dict, key: str, threshold: int) -> tuple[list, list[str]]:
    """(values to draw, values as text): small counts of a sensitive series left out."""
    values, shown = [], []
    for value in trends[key]:
        if key in SENSITIVE_SERIES and 0 < value < threshold:
            values.append(None)
            shown.append(f"<{threshold}")
        else:
            values.append(value)
            shown.append(f"{value:,}")
    return values, shown


def chart_data(trends: dict, sections: list[str], threshold: int) -> dict:
    """What static/js/report-charts.js draws: labels and named series per section."""
    charts = []
    for section in sections:
        series = []
        for key, name in SERIES[section]:
            values, shown = _series(trends, key, threshold)
            series.append({"name": name, "values": values, "shown": shown})
        charts.append({"section": section, "series": series})
    return {"labels": trends["labels"], "charts": charts}


def trend_svgs(trends: dict, sections: list[str], threshold: int) -> list[str]:
    """One SVG line chart per section, with no script in it (pygal's js=[])."""
    svgs = []
    for section in sections:
        chart = pygal.Line(js=[], style=STYLE, width=800, height=300, show_legend=True,
                           legend_at_bottom=True, x_label_rotation=0, dots_size=2,
                           print_values=False, truncate_label=-1, allow_interruptions=True)
        chart.x_labels = trends["labels"]
        drawn = [(name, _series(trends, key, threshold)[0]) for key, name in SERIES[section]]
        if any(key in SENSITIVE_SERIES for key, _ in SERIES[section]):
            # A fixed scale from 0 to at least the threshold: with the small counts left out,
            # the axis must not be drawn to fit them either.
            chart.range = (0, max([threshold] + [v for _, values in drawn for v in values if v]))
        for name, values in drawn:
            chart.add(name, values)
        svgs.append(chart.render(is_unicode=True))
    return svgs
