"""The monthly report as CSV, XLSX and PDF: the same tables, the same suppression."""
from __future__ import annotations

import csv
import io
import re

from flask import render_template
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from tracker.reports.charts import trend_svgs
from tracker.reports.render import DisplayTable, report_section, suppression_note

# What a spreadsheet may take for the start of a formula (OWASP: also tab and carriage return).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
WHOLE_NUMBER = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})*|[0-9]+")
DECIMAL = re.compile(r"[0-9]+\.[0-9]+")


def tables_for(report, sections: list[str], threshold: int,
               local: bool = True) -> list[DisplayTable]:
    """The sections' tables; `local`: numbers as the reader's language writes them (not
    in CSV or XLSX, which keep one machine-readable form)."""
    tables = []
    for section in sections:
        tables += report_section(report, section, threshold, local)[0]
    return tables


def charts_for(report, sections: list[str], threshold: int) -> list[DisplayTable]:
    return [report_section(report, section, threshold)[1] for section in sections]


def _csv_safe(value: str) -> str:
    # A spreadsheet opening the CSV must not run a cell as a formula.
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _csv_row(values: list[str]) -> list[str]:
    return [_csv_safe(str(value)) for value in values]


def to_csv(report, sections, threshold: int, produced: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    # Every row goes through _csv_row: an office name (a row label, and in the first line)
    # is typed by an administrator and may start like a formula.
    writer.writerow(_csv_row([_title(report), report_office(report), produced]))
    for table in tables_for(report, sections, threshold, local=False):
        writer.writerow([])
        writer.writerow(_csv_row([table.title]))
        for row in [table.header, *table.rows, *([table.footer] if table.footer else [])]:
            writer.writerow(_csv_row(row))
    writer.writerow([])
    writer.writerow(_csv_row([suppression_note(threshold)]))
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(report, sections, threshold: int, produced: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = str(report.month)
    bold = Font(bold=True)
    _put(sheet, 1, [_title(report), report_office(report), produced], bold, text_columns=3)
    line = 3
    for table in tables_for(report, sections, threshold, local=False):
        _put(sheet, line, [table.title], bold, text_columns=1)
        line += 1
        _put(sheet, line, table.header, bold, text_columns=len(table.header))
        line += 1
        for row in table.rows + ([table.footer] if table.footer else []):
            _put(sheet, line, row)  # the first column is the row's label: always text
            line += 1
        line += 1
    _put(sheet, line, [suppression_note(threshold)], text_columns=1)
    sheet.column_dimensions["A"].width = 45
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _put(sheet, line: int, values: list[str], font=None, text_columns: int = 1) -> None:
    """Figures as numbers; every text as text, so `= + - @` can never start a formula.

    The first `text_columns` values (labels, headings) are text whatever they look like: an
    office named "2026" stays a name.
    """
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=line, column=column)
        if column > text_columns and WHOLE_NUMBER.fullmatch(value):
            cell.value = int(value.replace(",", ""))
        elif column > text_columns and DECIMAL.fullmatch(value):
            cell.value = float(value)
        else:
            cell.value = value
            cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
        if font is not None:
            cell.font = font


def to_pdf(report, sections, threshold: int, produced: str) -> bytes:
    from weasyprint import HTML

    html = render_template("reports/pdf.html", report=report,
                           tables=tables_for(report, sections, threshold),
                           charts=trend_svgs(charts_for(report, sections, threshold), threshold),
                           produced=produced,
                           note=suppression_note(threshold), office=report_office(report))
    return HTML(string=html).write_pdf()


def report_office(report) -> str:
    return report.office.name if report.office else _("All offices")


def produced(report, by: str, at) -> str:
    """Who made the export, when, and whether the figures are the published ones."""
    when = f"{at:%Y-%m-%d %H:%M}"
    if report.snapshot:
        published = f"{report.snapshot.published_at:%Y-%m-%d}"
        return _("Produced %(at)s UTC by %(by)s (published %(published)s)", at=when, by=by,
                 published=published)
    return _("Produced %(at)s UTC by %(by)s (live figures, not published)", at=when, by=by)


def _title(report) -> str:
    return _("Monthly report %(month)s", month=report.month.label)
