"""Reading the report back as people get it: the page's tables, CSV, XLSX and PDF text."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser

from openpyxl import load_workbook


@dataclass
class ShownTable:
    title: str
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    footer: list[str] | None = None

    def row(self, label: str) -> list[str]:
        for row in self.rows:
            if row[0] == label:
                return row[1:]
        raise KeyError(label)

    def column(self, name: str) -> list[str]:
        j = self.header.index(name)
        return [row[j] for row in self.rows]

    def total(self, column: str) -> str:
        assert self.footer is not None, f"{self.title} has no totals"
        return self.footer[self.header.index(column)]


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: list[ShownTable] = []
        self.part = None
        self.row: list[str] | None = None
        self.text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(ShownTable(""))
        elif tag in ("thead", "tbody", "tfoot"):
            self.part = tag
        elif tag == "tr" and self.tables:
            self.row = []
        elif tag in ("th", "td", "caption") and self.tables:
            self.text = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self.row is not None and self.text is not None:
            self.row.append("".join(self.text).strip())
            self.text = None
        elif tag == "caption" and self.text is not None:
            self.tables[-1].title = "".join(self.text).strip()
            self.text = None
        elif tag == "tr" and self.row is not None:
            table = self.tables[-1]
            if self.part == "thead":
                table.header = self.row
            elif self.part == "tfoot":
                table.footer = self.row
            else:
                table.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)


def html_tables(html: str) -> dict[str, ShownTable]:
    parser = _Tables()
    parser.feed(html)
    return {t.title: t for t in parser.tables if t.title}


def chart_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html,
                      re.S)
    assert match, "no chart data on the page"
    return json.loads(match.group(1))


def _split(rows: list[list[str]], titles: set[str]) -> dict[str, ShownTable]:
    """Rows of a CSV or sheet (title row, header row, rows, Total row, blank) as tables."""
    tables, current = {}, None
    for row in rows:
        cells = [c for c in row]
        while cells and cells[-1] in ("", None):
            cells.pop()
        if not cells:
            current = None
            continue
        if len(cells) == 1 and cells[0] in titles:
            current = tables[cells[0]] = ShownTable(cells[0])
            continue
        if current is None:
            continue
        if not current.header:
            current.header = cells
        elif cells[0] == "Total":
            current.footer = cells
        else:
            current.rows.append(cells)
    return tables


def csv_tables(body: bytes, titles: set[str]) -> dict[str, ShownTable]:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    return _split(rows, titles)


def xlsx_sheet(body: bytes):
    return load_workbook(io.BytesIO(body)).active


def xlsx_tables(body: bytes, titles: set[str]) -> dict[str, ShownTable]:
    sheet = xlsx_sheet(body)
    rows = [["" if v is None else (f"{v:,}" if isinstance(v, int) else str(v)) for v in row]
            for row in sheet.iter_rows(values_only=True)]
    return _split(rows, titles)


def pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF"), body[:20]
    done = subprocess.run(["/usr/bin/pdftotext", "-layout", "-", "-"], input=body,
                          capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def pdf_row(text: str, label: str) -> list[list[str]]:
    """The cells after `label` on every line of the PDF's text that starts with it."""
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(label + " ") and re.match(r"\s{2,}", stripped[len(label):]):
            found.append(re.split(r"\s{2,}", stripped[len(label):].strip()))
    return found


def lines_with_totals(table: ShownTable):
    """(cells, total) for every row and column that shows a total, and for the totals row and
    column against the grand total. Cells and totals as shown."""
    lines = []
    has_row_totals = table.header[-1] == "Total"
    width = len(table.header) - 1 - (1 if has_row_totals else 0)
    if has_row_totals:
        lines += [(row[1:1 + width], row[-1]) for row in table.rows]
    if table.footer is not None:
        lines += [([row[1 + j] for row in table.rows], table.footer[1 + j])
                  for j in range(width)]
        if has_row_totals:
            lines.append((table.footer[1:1 + width], table.footer[-1]))
            lines.append(([row[-1] for row in table.rows], table.footer[-1]))
    return lines


def hidden(text: str, threshold: int = 5) -> bool:
    return text in (f"<{threshold}", "*")


def pdf_after(text: str, caption: str) -> str:
    """The PDF's text from the line with the table's caption on."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == caption:
            return "\n".join(lines[i + 1:])
    raise AssertionError(f"no table {caption!r} in the PDF")
