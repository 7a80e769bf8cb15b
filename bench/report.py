"""Markdown tables from the JSON files that bench/consular_list.py writes.

    .venv/bin/python bench/report.py /tmp/tracker-bench/pg-before.json
    .venv/bin/python bench/report.py BEFORE.json AFTER.json   # side by side, same pages only

For each page and role: the median, p95 and minimum of the page's wall time, the SQL statements
per page and the median time of its slowest statement.
"""
from __future__ import annotations

import json
import sys


def _rows(path: str) -> dict:
    report = json.load(open(path))
    return report["label"], {(r["role"], r["page"]): r for r in report["results"]}


def _queries(r: dict) -> str:
    return str(r["queries"]) if r["queries_min"] == r["queries_max"] else \
        f"{r['queries_min']}-{r['queries_max']}"


def _cells(r: dict) -> str:
    slowest = r["slowest"][0]["median_ms"] if r["slowest"] else 0
    return f"{r['median_ms']} | {r['p95_ms']} | {r['min_ms']} | {_queries(r)} | {slowest}"


def main(paths: list[str]) -> None:
    tables = [_rows(p) for p in paths]
    keys = [k for k in tables[0][1] if all(k in t[1] for t in tables)]
    head = "| role | page | " + " | ".join(
        f"{label}: median | p95 | min | queries | slowest SQL" for label, _ in tables) + " |"
    print(head)
    print("|---|---|" + "---:|---:|---:|---:|---:|" * len(tables))
    for key in keys:
        print(f"| {key[0]} | {key[1]} | " + " | ".join(_cells(t[1][key]) for t in tables) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
