"""Benchmark of the monthly report: the page, each export and the `flask reports monthly` command.

    .venv/bin/python bench/report_benchmark.py \
        --database-url postgresql+psycopg://tracker:tracker@127.0.0.1:5432/tracker_bench_report_1m \
        --requests 1000000 --until 2026-11-28 --explain --label pg-1m-before
    .venv/bin/python bench/report_benchmark.py --database-url sqlite:////tmp/report_100k.sqlite3 \
        --reuse --label sqlite-100k-after

Reuses bench/consular_list.py: without --reuse it makes the database afresh, migrates it, loads
the demo and generates `--requests` requests (then VACUUM ANALYZE on PostgreSQL). With --reuse
it first brings the schema to the newest migration (`flask db upgrade`; a no-op when it is
there already) and, on PostgreSQL, runs ANALYZE.

Signed in as the demo manager (both sections), it requests each URL `--warmup` times
unmeasured and `--runs` times measured (median, p95 by nearest rank, minimum, SQL statements
per request, slowest statements) and times the CLI `--cli-runs` times in a subprocess (whole
process, start-up included). With --explain: EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN
QUERY PLAN on SQLite, of the five slowest statements of the all-offices page.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from consular_list import (  # noqa: E402
    MANAGER,
    StatementLog,
    analyse,
    explain,
    fresh_database,
    load,
    make_app,
    measure,
    nearest_rank,
    sign_in,
    table_counts,
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--until", default="2026-11-28")
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--office", default="ISB", help="the one office measured besides all")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--cli-runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--no-upgrade", action="store_true",
                        help="with --reuse: measure the schema as it is")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--quiet-wait", type=float, default=1.0)
    parser.add_argument("--only", default="", help="comma-separated substrings of page names")
    parser.add_argument("--label", default="")
    parser.add_argument("--out", default="/tmp/tracker-bench-report")
    return parser.parse_args(argv)


def urls(month: str, office: str) -> list[tuple[str, str]]:
    return [
        ("page, all offices", f"/reports/?month={month}&office=all"),
        (f"page, {office}", f"/reports/?month={month}&office={office}"),
        ("export csv", f"/reports/export/csv?month={month}&office=all"),
        ("export xlsx", f"/reports/export/xlsx?month={month}&office=all"),
        ("export pdf", f"/reports/export/pdf?month={month}&office=all"),
    ]


def time_cli(url: str, month: str, runs: int, out: Path) -> dict:
    env = dict(os.environ, TRACKER_ENV="development", SECRET_KEY="bench-" + "k" * 40,
               DATABASE_URL=url, ATTACHMENT_DIR="/tmp/tracker-bench-documents",
               PYTHONPATH=str(HERE.parent))
    flask = str(Path(sys.executable).parent / "flask")
    command = [flask, "--app", "wsgi", "reports", "monthly", "--month", month, "--office",
               "all", "--format", "pdf", "--output", str(out / "report-cli.pdf")]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=HERE.parent, env=env, check=True, capture_output=True)
        times.append((time.perf_counter() - started) * 1000)
    return {"page": "CLI monthly --format pdf (whole process)", "median_ms":
            round(statistics.median(times), 1), "p95_ms": round(nearest_rank(times, 0.95), 1),
            "min_ms": round(min(times), 1), "queries": "", "runs": runs}


def main(argv=None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    backend = make_url(args.database_url).get_backend_name()
    label = args.label or f"{backend}-{args.requests}"
    report: dict = {"label": label, "database": backend, "argv": sys.argv[1:],
                    "load_average_start": os.getloadavg()}
    if not args.reuse:
        fresh_database(args.database_url)
    app = make_app(args.database_url)
    if not args.reuse:
        until = datetime.strptime(args.until, "%Y-%m-%d").date()
        report["load"] = load(app, args.requests, args.seed, until)
    elif not args.no_upgrade:
        from flask_migrate import upgrade

        from tracker.extensions import db

        with app.app_context():
            upgrade()
            analyse(db)
    report["counts"] = table_counts(app)
    print(json.dumps(report["counts"], ensure_ascii=False), flush=True)

    from tracker.extensions import db

    with app.app_context():
        engine = db.engine
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    report["revision"] = revision
    log = StatementLog(engine)
    client = sign_in(app, *MANAGER)
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]
    results = []
    for name, url in urls(args.month, args.office):
        if wanted and not any(w in name for w in wanted):
            continue
        result = measure(client, log, name, url, args.runs, args.warmup, args.quiet_wait)
        results.append(result)
        print(f"{name:<22} median {result['median_ms']:>8.1f} ms  p95 {result['p95_ms']:>8.1f}"
              f" ms  min {result['min_ms']:>8.1f} ms  {result['queries_min']}-"
              f"{result['queries_max']} queries  {result['contended_runs']} contended  slowest "
              f"{result['slowest'][0]['median_ms'] if result['slowest'] else 0:.1f} ms",
              flush=True)
    if args.cli_runs and (not wanted or any("cli" in w for w in wanted)):
        cli = time_cli(args.database_url, args.month, args.cli_runs, out)
        results.append(cli)
        print(f"{cli['page']:<22} median {cli['median_ms']:>8.1f} ms  p95 {cli['p95_ms']:>8.1f}"
              f" ms  min {cli['min_ms']:>8.1f} ms", flush=True)
    report["results"] = results
    report["load_average_end"] = os.getloadavg()
    if args.explain and results and "slowest" in results[0]:
        # The five slowest statements of the first page, measured again on their own.
        first = results[0]
        log.start()
        client.get(first["url"])
        statements = log.stop()
        statements.sort(key=lambda s: -s[2])
        plans = []
        for statement, parameters, seconds in statements[:5]:
            plan = explain(app, statement, parameters)
            plans.append(f"### {seconds * 1000:.1f} ms\n\n{statement}\n\nparameters: "
                         f"{parameters!r}\n\n{plan}\n")
        (out / f"{label}-explain.txt").write_text("\n".join(plans))
        print(f"plans: {out / (label + '-explain.txt')}")
    for result in results:
        for entry in result.get("slowest", []):
            entry["parameters"] = repr(entry["parameters"])[:500]
    (out / f"{label}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False,
                                                  default=str))
    print(f"load average {report['load_average_start']} -> {report['load_average_end']}")
    print("| page | median ms | p95 ms | min ms | statements |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        queries = r.get("queries_min", "")
        if "queries_max" in r and r["queries_max"] != r["queries_min"]:
            queries = f"{r['queries_min']}-{r['queries_max']}"
        print(f"| {r['page']} | {r['median_ms']} | {r['p95_ms']} | {r['min_ms']} | {queries} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
