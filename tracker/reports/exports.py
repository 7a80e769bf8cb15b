"""The monthly report as CSV, XLSX and PDF: the same tables, the same suppression."""
from __future__ import annotations

import csv
import io

from flask import render_template
from openpyxl import Workbook
from openpyxl.styles import Font

from tracker.reports.charts import trend_svgs
from tracker.reports.render import DisplayTable, display_table, suppression_note

FORMULA_PREFIXES = ("=", "+", "-", "@")


def tables_for(report, sections: list[str], threshold: int) -> list[DisplayTable]:
    tables = []
    for section in sections:
        tables += [display_table(t, threshold) for t in getattr(report, section)]
    return tables


def _csv_safe(value: str) -> str:
    # A spreadsheet opening the CSV must not run a cell as a formula.
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def to_csv(report, sections, threshold: int, produced: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"Monthly report {report.month.label}", report_office(report), produced])
    for table in tables_for(report, sections, threshold):
        writer.writerow([])
        writer.writerow([table.title])
        for row in [table.header, *table.rows, *([table.footer] if table.footer else [])]:
            writer.writerow([_csv_safe(cell) for cell in row])
    writer.writerow([])
    writer.writerow([suppression_note(threshold)])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(report, sections, threshold: int, produced: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = str(report.month)
    bold = Font(bold=True)
    _put(sheet, 1, [f"Monthly report {report.month.label}", report_office(report), produced],
         bold)
    line = 3
    for table in tables_for(report, sections, threshold):
        _put(sheet, line, [table.title], bold)
        line += 1
        _put(sheet, line, table.header, bold)
        line += 1
        for row in table.rows + ([table.footer] if table.footer else []):
            _put(sheet, line, row)
            line += 1
        line += 1
    _put(sheet, line, [suppression_note(threshold)])
    sheet.column_dimensions["A"].width = 45
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _put(sheet, line: int, values: list[str], font=None) -> None:
    """Numbers as numbers; every text as text, so `= + - @` can never start a formula."""
    for column, value in enumerate(values, start=1):
        number = value.replace(",", "")
        cell = sheet.cell(row=line, column=column)
        if number.isdigit():
            cell.value = int(number)
        elif _is_decimal(number):
            cell.value = float(number)
        else:
            cell.value = value
            cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
        if font is not None:
            cell.font = font


def _is_decimal(text: str) -> bool:
    head, dot, tail = text.partition(".")
    return bool(dot) and head.isdigit() and tail.isdigit()


def to_pdf(report, sections, threshold: int, produced: str) -> bytes:
    from weasyprint import HTML

    html = render_template("reports/pdf.html", report=report,
                           tables=tables_for(report, sections, threshold),
                           charts=trend_svgs(report.trends, sections), produced=produced,
                           note=suppression_note(threshold), office=report_office(report))
    return HTML(string=html).write_pdf()


def report_office(report) -> str:
    return report.office.name if report.office else "All offices"
