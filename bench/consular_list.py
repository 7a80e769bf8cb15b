"""Benchmark of the consular list, queues, search and request pages at volume.

    .venv/bin/python bench/consular_list.py \
        --database-url postgresql+psycopg://tracker:tracker@127.0.0.1:5432/tracker_bench \
        --requests 100000
    .venv/bin/python bench/consular_list.py \
        --database-url sqlite:////tmp/tracker_bench.sqlite3 --requests 100000

Without --reuse it makes the database afresh (PostgreSQL: drops and creates the database
named in the URL; SQLite: deletes the file), migrates it with the application's migrations,
loads the demo offices and accounts (`tracker.demo.load_demo`) and generates the data
(`tracker.generate.generate`). On PostgreSQL it then runs VACUUM ANALYZE, which autovacuum
would do by itself shortly after a bulk load; SQLite is left as the application leaves it
(no ANALYZE).

Then, with the Flask test client (no network, no server: the figures are the application's
and the database's time), signed in as the demo consular officer of Islamabad and as the demo
manager, it requests each page `--warmup` times unmeasured and `--runs` times measured, and
reports the median, the 95th percentile (nearest rank) and the minimum of the wall time, the
number of SQL statements per page (counted with a `before_cursor_execute` listener) and the
slowest statement of each page. With --explain it runs EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, or
EXPLAIN QUERY PLAN on SQLite, for the slowest statement of each page and writes the plans to
the output folder.

The machine may be shared (other people's test runs): before each measured run it waits up to
--quiet-wait seconds until no other process wants a CPU (from /proc/loadavg), and counts the
runs where that did not happen ("contended"). The load average is kept with the results.

--sql "CREATE INDEX ..." (repeatable) runs statements before measuring (followed by ANALYZE on
PostgreSQL): with --reuse, that measures an index made by hand against the same data.
--experiment NAME measures a proposed code change from bench/experiments.py.

The settings are production-like (argon2 at its default cost, no test shortcuts) except
TRACKER_ENV=development, so that the two accounts can sign in without a second factor.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

CSRF_INPUT = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
NEXT_LINK = re.compile(r'href="([^"]*after=[^"]*)">Next page')
OFFICER = ("consular@tracker.example", "demo consular officer")
MANAGER = ("manager@tracker.example", "demo head of mission")
COUNTED_TABLES = ("offices", "users", "cases", "consular_requests", "persons", "person_names",
                  "person_identifiers", "request_subjects", "timeline_events", "enquiries",
                  "reference_counters", "audit_events")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--until", default=None,
                        help="YYYY-MM-DD: generate history up to this day (default: today)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--reuse", action="store_true",
                        help="use the database as it is (no reset, no generation)")
    parser.add_argument("--sql", action="append", default=[],
                        help="SQL to run before measuring, e.g. CREATE INDEX ... (repeatable)")
    parser.add_argument("--experiment", action="append", default=[],
                        help="apply a proposed code change from bench/experiments.py "
                             "(kind-filter, search-union; repeatable)")
    parser.add_argument("--explain", action="store_true",
                        help="EXPLAIN the slowest statement of each page")
    parser.add_argument("--quiet-wait", type=float, default=5.0,
                        help="before each measured run, wait up to this many seconds until no "
                             "other process wants a CPU (0: don't wait)")
    parser.add_argument("--only", default="",
                        help="comma-separated substrings: measure only pages whose name has one")
    parser.add_argument("--label", default="", help="a name for this run in the output files")
    parser.add_argument("--out", default="/tmp/tracker-bench", help="folder for results")
    return parser.parse_args(argv)


# --- the database ---------------------------------------------------------------------------


def fresh_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            path = f"{parsed.database}{suffix}"
            if os.path.exists(path):
                os.remove(path)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def make_app(url: str):
    from tracker import create_app
    from tracker.config import Settings

    settings = Settings(tracker_env="development", secret_key="bench-" + "k" * 40,
                        database_url=url, attachment_dir="/tmp/tracker-bench-documents")
    settings.check()
    return create_app(settings.flask_config())


def load(app, requests: int, seed: int, until) -> dict:
    from flask_migrate import upgrade

    from tracker.demo import load_demo
    from tracker.extensions import db
    from tracker.generate import generate

    from tracker.cases import scope

    with app.app_context(), scope.unscoped("the benchmark loads and generates its data"):
        started = time.perf_counter()
        upgrade()
        migrated = time.perf_counter() - started
        started = time.perf_counter()
        load_demo()
        db.session.commit()
        demo = time.perf_counter() - started
        stats = generate(requests, seed, until=until)
        print("\n".join(stats.lines()), flush=True)
        analyse(db)
        return {"migrate_s": round(migrated, 2), "demo_load_s": round(demo, 2),
                "generate_s": round(stats.seconds, 2), "generated": stats.lines()}


def analyse(db) -> None:
    """PostgreSQL: VACUUM ANALYZE (what autovacuum does after a bulk load)."""
    if db.engine.dialect.name != "postgresql":
        return
    started = time.perf_counter()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    print(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s", flush=True)


def run_sql(app, statements: list[str]) -> None:
    from tracker.extensions import db

    if not statements:
        return
    with app.app_context():
        for statement in statements:
            started = time.perf_counter()
            with db.engine.begin() as conn:
                conn.execute(text(statement))
            print(f"{statement}: {time.perf_counter() - started:.2f} s", flush=True)
        analyse(db)


def table_counts(app) -> dict:
    from tracker.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        counts = {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in COUNTED_TABLES}
        counts["cases by status"] = dict(conn.execute(text(
            "SELECT status, count(*) FROM cases GROUP BY status ORDER BY 2 DESC")).all())
        counts["cases by office"] = dict(conn.execute(text(
            "SELECT o.code, count(*) FROM cases c JOIN offices o ON o.id = c.office_id "
            "GROUP BY o.code ORDER BY 2 DESC")).all())
        counts["requests by category"] = dict(conn.execute(text(
            "SELECT category, count(*) FROM consular_requests GROUP BY category "
            "ORDER BY 2 DESC")).all())
        counts["passport subcategories"] = dict(conn.execute(text(
            "SELECT subcategory, count(*) FROM consular_requests WHERE category = 'passport' "
            "GROUP BY subcategory ORDER BY 2 DESC")).all())
        if db.engine.dialect.name == "postgresql":
            counts["database size"] = conn.scalar(text(
                "SELECT pg_size_pretty(pg_database_size(current_database()))"))
    return counts


def search_inputs(app) -> dict:
    """Deterministic things to look for: an Islamabad request, its subject's numbers."""
    from tracker.auth.models import Office
    from tracker.cases.models import TimelineEvent
    from tracker.consular.models import ConsularRequest, request_subjects
    from tracker.extensions import db
    from tracker.cases import scope
    from tracker.people.models import PersonIdentifier

    # The benchmark picks its inputs from the whole database (the pages it then measures
    # read as their signed-in account).
    with app.app_context(), scope.unscoped("the benchmark picks its inputs"):
        isb = db.session.scalar(select(Office.id).where(Office.code == "ISB"))
        ids = select(ConsularRequest.id).where(ConsularRequest.office_id == isb)
        count = db.session.scalar(select(func.count()).select_from(ids.subquery()))
        middle = db.session.scalar(ids.order_by(ConsularRequest.id).offset(count // 2).limit(1))
        # The detail page: the Islamabad request with the longest timeline from the middle on.
        events = func.count(TimelineEvent.id)
        detail_id = db.session.scalar(
            select(TimelineEvent.case_id).join(ConsularRequest,
                                               ConsularRequest.id == TimelineEvent.case_id)
            .where(ConsularRequest.office_id == isb, ConsularRequest.id >= middle)
            .group_by(TimelineEvent.case_id).order_by(events.desc(), TimelineEvent.case_id)
            .limit(1))
        reference = db.session.get(ConsularRequest, middle).reference
        detail = db.session.get(ConsularRequest, detail_id).reference

        def identifier(kind: str) -> str:
            return db.session.scalar(
                select(PersonIdentifier.value)
                .join(request_subjects, request_subjects.c.person_id == PersonIdentifier.person_id)
                .join(ConsularRequest, ConsularRequest.id == request_subjects.c.request_id)
                .where(ConsularRequest.office_id == isb, ConsularRequest.id >= middle,
                       PersonIdentifier.kind == kind)
                .order_by(ConsularRequest.id).limit(1))

        return {"reference": reference, "detail": detail,
                "fodselsnummer": identifier("norwegian_id"), "cnic": identifier("cnic"),
                "name": "Muhammad Chaudhry"}


# --- measuring ------------------------------------------------------------------------------


class StatementLog:
    """Every SQL statement the application sends while `recording`, with its time."""

    def __init__(self, engine):
        self.recording = False
        self.statements: list[tuple[str, object, float]] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.recording:
            elapsed = time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())
            self.statements.append((statement, parameters, elapsed))

    def start(self):
        self.statements = []
        self.recording = True

    def stop(self):
        self.recording = False
        return self.statements


def sign_in(app, email: str, password: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = CSRF_INPUT.search(page).group(1)
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token})
    if response.status_code != 302:
        raise SystemExit(f"could not sign in as {email}: {response.status_code}")
    return client


def pages(found: dict) -> list[tuple[str, str]]:
    q = lambda value: "/consular/search?q=" + quote(value)  # noqa: E731
    return [
        ("list: default (newest)", "/consular/requests/"),
        ("list: passport + in progress", "/consular/requests/?category=passport&status=in_progress"),
        ("list: death + closed", "/consular/requests/?category=death&status=closed"),
        ("list: overdue", "/consular/requests/?overdue=y"),
        ("list: sort by due", "/consular/requests/?sort=due"),
        ("list: page 2 (cursor)", "NEXT:/consular/requests/"),
        ("queues /consular/", "/consular/"),
        ("search: reference", q(found["reference"])),
        ("search: fødselsnummer", q(found["fodselsnummer"])),
        ("search: CNIC", q(found["cnic"])),
        ("search: name", q(found["name"])),
        ("request detail", f"/consular/requests/{found['detail']}"),
        ("baseline: /healthz", "/healthz"),
    ]


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def runnable_tasks() -> int:
    """Tasks running or waiting for a CPU right now (this process included), from the kernel."""
    with open("/proc/loadavg") as f:
        return int(f.read().split()[3].split("/")[0])


def wait_quiet(max_wait: float) -> bool:
    """Wait until nothing else wants a CPU (other people's test runs share this machine).

    True if it became quiet, False if `max_wait` seconds passed first.
    """
    deadline = time.monotonic() + max_wait
    quiet = 0
    while time.monotonic() < deadline:
        quiet = quiet + 1 if runnable_tasks() <= 1 else 0
        if quiet >= 3:
            return True
        time.sleep(0.05)
    return False


def measure(client, log: StatementLog, name: str, url: str, runs: int, warmup: int,
            quiet_wait: float = 0.0) -> dict:
    if url.startswith("NEXT:"):
        first = client.get(url[5:]).get_data(as_text=True)
        match = NEXT_LINK.search(first)
        if not match:
            raise SystemExit(f"{name}: no next-page link")
        url = match.group(1).replace("&amp;", "&")
    for _ in range(warmup):
        client.get(url)
    times, counts, per_statement = [], [], {}
    status = size = None
    contended = 0
    for _ in range(runs):
        if quiet_wait and not wait_quiet(quiet_wait):
            contended += 1
        log.start()
        started = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        elapsed = time.perf_counter() - started
        statements = log.stop()
        status, size = response.status_code, len(body)
        if status not in (200, 302):
            raise SystemExit(f"{name}: HTTP {status} for {url}")
        times.append(elapsed * 1000)
        counts.append(len(statements))
        for statement, parameters, seconds in statements:
            entry = per_statement.setdefault(statement, {"times": [], "parameters": parameters})
            entry["times"].append(seconds * 1000)
            entry["parameters"] = parameters
    ranked = sorted(per_statement.items(),
                    key=lambda item: -statistics.median(item[1]["times"]))
    slowest = [{"statement": s, "median_ms": round(statistics.median(e["times"]), 2),
                "per_page": round(len(e["times"]) / runs, 1), "parameters": e["parameters"]}
               for s, e in ranked[:3]]
    return {"page": name, "url": url, "status": status, "bytes": size,
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(nearest_rank(times, 0.95), 1), "min_ms": round(min(times), 1),
            "queries": counts[-1], "queries_min": min(counts), "queries_max": max(counts),
            "contended_runs": contended, "slowest": slowest}


def explain(app, statement: str, parameters) -> str:
    from tracker.extensions import db

    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if db.engine.dialect.name == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                plan = "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())
            raw.rollback()
            return plan
        finally:
            raw.close()


def main(argv=None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    backend = make_url(args.database_url).get_backend_name()
    label = args.label or f"{backend}-{args.requests}"
    report: dict = {"label": label, "database": backend, "nproc": os.cpu_count(),
                    "load_average_start": os.getloadavg(),
                    "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "argv": sys.argv[1:]}
    until = datetime.strptime(args.until, "%Y-%m-%d").date() if args.until else None
    if not args.reuse:
        fresh_database(args.database_url)
    app = make_app(args.database_url)
    if not args.reuse:
        report["load"] = load(app, args.requests, args.seed, until)
    run_sql(app, args.sql)
    report["sql"] = args.sql
    import experiments

    for name in args.experiment:
        experiments.apply(name)
    report["experiments"] = args.experiment
    report["counts"] = table_counts(app)
    found = search_inputs(app)
    report["inputs"] = found
    print(json.dumps(report["counts"], ensure_ascii=False), flush=True)
    print(json.dumps(found, ensure_ascii=False), flush=True)

    from tracker.extensions import db

    with app.app_context():
        engine = db.engine
    log = StatementLog(engine)
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]
    results = []
    for role, (email, password) in (("officer ISB", OFFICER), ("manager", MANAGER)):
        client = sign_in(app, email, password)
        for name, url in pages(found):
            if wanted and not any(w in name for w in wanted):
                continue
            result = measure(client, log, name, url, args.runs, args.warmup, args.quiet_wait)
            result["role"] = role
            results.append(result)
            print(f"{role:<12} {name:<30} median {result['median_ms']:>7.1f} ms  "
                  f"p95 {result['p95_ms']:>7.1f} ms  min {result['min_ms']:>7.1f} ms  "
                  f"{result['queries']:>3} queries  {result['contended_runs']:>2} contended  "
                  f"slowest {result['slowest'][0]['median_ms'] if result['slowest'] else 0:.1f} ms",
                  flush=True)
    report["results"] = results
    report["load_average_end"] = os.getloadavg()
    if args.explain:
        plans = []
        for result in results:
            if not result["slowest"]:
                continue
            top = result["slowest"][0]
            plan = explain(app, top["statement"], top["parameters"])
            plans.append(f"### {result['role']} / {result['page']} "
                         f"(median {top['median_ms']} ms)\n\n{top['statement']}\n\n"
                         f"parameters: {top['parameters']!r}\n\n{plan}\n")
        (out / f"{label}-explain.txt").write_text("\n".join(plans))
        print(f"plans: {out / (label + '-explain.txt')}")
    for result in results:
        for entry in result["slowest"]:
            entry["parameters"] = repr(entry["parameters"])[:500]
    (out / f"{label}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False,
                                                  default=str))
    print(f"results: {out / (label + '.json')}")
    print()
    print(f"load average at start {report['load_average_start']}, "
          f"at end {report['load_average_end']}")
    print("| role | page | median ms | p95 ms | min ms | queries | contended runs |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in results:
        queries = str(r["queries"]) if r["queries_min"] == r["queries_max"] else \
            f"{r['queries_min']}-{r['queries_max']}"
        print(f"| {r['role']} | {r['page']} | {r['median_ms']} | {r['p95_ms']} | {r['min_ms']} "
              f"| {queries} | {r['contended_runs']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
