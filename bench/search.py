"""Benchmark of the one search box: each form of search, for an officer and a manager.

    .venv/bin/python bench/search.py \
        --database-url postgresql+psycopg://tracker:tracker@127.0.0.1:5432/tracker_search_bench \
        --requests 100000 --explain
    .venv/bin/python bench/search.py --database-url sqlite:////tmp/search_bench.sqlite3 \
        --requests 100000

Makes the database as bench/consular_list.py does (without --reuse: drop and create, migrate,
`flask demo load`, `flask demo generate --requests N`, VACUUM ANALYZE on PostgreSQL), then
signs in as the demo consular officer of Islamabad and the demo manager and requests
/consular/search with each form `--warmup` times unmeasured and `--runs` times measured
through the Flask test client: median, 95th percentile (nearest rank) and minimum of the wall
time, statements per page and the slowest statement (with --explain: its EXPLAIN ANALYZE on
PostgreSQL, EXPLAIN QUERY PLAN on SQLite, written to the output folder).

The forms, picked from the data (an Islamabad request in the middle of the range):
- reference: the whole reference, loosely typed ("isb 2025 4711": a redirect to the request);
- part of a reference: its number alone ("4711"), and office and number ("isb 4711");
- identifier: its subject's fødselsnummer;
- name: "Mohd Chaudhri" (an abbreviation and a variant spelling of a common name);
- words: two words of a summary ("lost Karachi"; the generator writes no notes).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).parent))

import consular_list as bench  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="measure the database as it is")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--quiet-wait", type=float, default=2.0)
    parser.add_argument("--label", default="")
    parser.add_argument("--out", default="/tmp/tracker-bench")
    return parser.parse_args(argv)


def inputs(app) -> dict[str, str]:
    """What to type: deterministic, from an Islamabad request in the middle of the range."""
    from tracker.auth.models import Office
    from tracker.cases import scope
    from tracker.consular.models import ConsularRequest, request_subjects
    from tracker.extensions import db
    from tracker.people.models import PersonIdentifier

    with app.app_context(), scope.unscoped("the benchmark picks its inputs"):
        isb = db.session.scalar(select(Office.id).where(Office.code == "ISB"))
        ids = select(ConsularRequest.id).where(ConsularRequest.office_id == isb)
        count = db.session.scalar(select(func.count()).select_from(ids.subquery()))
        middle = db.session.scalar(ids.order_by(ConsularRequest.id).offset(count // 2).limit(1))
        reference = db.session.get(ConsularRequest, middle).reference
        fnr = db.session.scalar(
            select(PersonIdentifier.value)
            .join(request_subjects, request_subjects.c.person_id == PersonIdentifier.person_id)
            .where(request_subjects.c.request_id >= middle,
                   PersonIdentifier.kind == "norwegian_id")
            .order_by(request_subjects.c.request_id).limit(1))
    prefix, year, number = reference.split("-")
    return {"reference": f"{prefix.lower()} {year} {int(number)}",
            "part: number": str(int(number)),
            "part: office + number": f"{prefix.lower()} {int(number)}",
            "identifier": f"{fnr[:6]} {fnr[6:]}",
            "name": "Mohd Chaudhri",
            "words": "lost Karachi"}


def main(argv=None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    backend = make_url(args.database_url).get_backend_name()
    label = args.label or f"search-{backend}-{args.requests}"
    report: dict = {"label": label, "database": backend, "nproc": os.cpu_count(),
                    "load_average_start": os.getloadavg(),
                    "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "argv": sys.argv[1:]}
    if not args.reuse:
        bench.fresh_database(args.database_url)
    app = bench.make_app(args.database_url)
    if not args.reuse:
        report["load"] = bench.load(app, args.requests, args.seed, None)
    found = inputs(app)
    report["inputs"] = found
    print(json.dumps(found, ensure_ascii=False), flush=True)

    from tracker.extensions import db

    with app.app_context():
        engine = db.engine
    log = bench.StatementLog(engine)
    results = []
    for role, (email, password) in (("officer ISB", bench.OFFICER),
                                    ("manager", bench.MANAGER)):
        client = bench.sign_in(app, email, password)
        for name, typed in found.items():
            url = "/consular/search?q=" + quote(typed)
            result = bench.measure(client, log, f"search: {name}", url, args.runs,
                                   args.warmup, args.quiet_wait)
            result["role"] = role
            result["typed"] = typed
            results.append(result)
            print(f"{role:<12} {name:<24} median {result['median_ms']:>7.1f} ms  "
                  f"p95 {result['p95_ms']:>7.1f} ms  {result['queries']:>3} queries  "
                  f"slowest {result['slowest'][0]['median_ms']:.1f} ms", flush=True)
    report["results"] = results
    report["load_average_end"] = os.getloadavg()
    if args.explain:
        plans = []
        for result in sorted(results, key=lambda r: -r["slowest"][0]["median_ms"])[:3]:
            top = result["slowest"][0]
            plan = bench.explain(app, top["statement"], top["parameters"])
            plans.append(f"### {result['role']} / {result['page']} ({result['typed']!r}, "
                         f"median {top['median_ms']} ms)\n\n{top['statement']}\n\n"
                         f"parameters: {top['parameters']!r}\n\n{plan}\n")
        (out / f"{label}-explain.txt").write_text("\n".join(plans))
        print(f"plans: {out / (label + '-explain.txt')}")
    for result in results:
        for entry in result["slowest"]:
            entry["parameters"] = repr(entry["parameters"])[:500]
    (out / f"{label}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False,
                                                  default=str))
    print(f"\nload average at start {report['load_average_start']}, "
          f"at end {report['load_average_end']}")
    print("| role | search | typed | median ms | p95 ms | min ms | statements | slowest statement ms |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['role']} | {r['page'][8:]} | `{r['typed']}` | {r['median_ms']} | "
              f"{r['p95_ms']} | {r['min_ms']} | {r['queries']} | "
              f"{r['slowest'][0]['median_ms']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
