"""Trend charts: the data for Chart.js on the page, and the same charts as SVG for the PDF."""
from __future__ import annotations

import pygal
from pygal.style import Style

SERIES = {
    "consular": [("consular_opened", "Requests opened"), ("consular_resolved", "Resolved"),
                 ("enquiries", "Enquiries")],
    "police": [("police_opened", "Liaison cases opened")],
}
STYLE = Style(background="white", plot_background="white", foreground="#1b1f24",
              foreground_strong="#1b1f24", foreground_subtle="#d0d7de",
              colors=("#00205b", "#ba0c2f", "#8a4b00", "#1e4620"), font_family="sans-serif")


def chart_data(trends: dict, sections: list[str]) -> dict:
    """What static/js/report-charts.js draws: labels and named series per section."""
    return {"labels": trends["labels"],
            "charts": [{"section": section,
                        "series": [{"name": name, "values": trends[key]}
                                   for key, name in SERIES[section]]}
                       for section in sections]}


def trend_svgs(trends: dict, sections: list[str]) -> list[str]:
    """One SVG line chart per section, with no script in it (pygal's js=[])."""
    svgs = []
    for section in sections:
        chart = pygal.Line(js=[], style=STYLE, width=800, height=300, show_legend=True,
                           legend_at_bottom=True, x_label_rotation=0, dots_size=2,
                           print_values=False, truncate_label=-1)
        chart.x_labels = trends["labels"]
        for key, name in SERIES[section]:
            chart.add(name, trends[key])
        svgs.append(chart.render(is_unicode=True))
    return svgs
