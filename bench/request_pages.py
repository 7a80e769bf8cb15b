"""Throughput of request pages under 16 signed-in clients, gunicorn with 4 workers, PostgreSQL.

Every request page writes a read row to the audit log, so this measures what the audit chain
costs on the hot path, and what happens while another connection holds the chain's lock.

    # once: the data (main's code or this one; --copy-from makes a second database with the
    # same rows, migrated by --code's migrations)
    .venv/bin/python bench/request_pages.py prepare --code /work/wt/audit-before \\
        --database-url postgresql+psycopg://tracker:tracker@127.0.0.1:5432/tracker_bench_audit_before \\
        --requests 20000
    .venv/bin/python bench/request_pages.py prepare --code . \\
        --database-url postgresql+psycopg://tracker:tracker@127.0.0.1:5432/tracker_bench_audit \\
        --copy-from tracker_bench_audit_before
    # each measurement: 30 s, optionally with the chain lock held for 10 s from second 10
    .venv/bin/python bench/request_pages.py run --code . --label after --hold-lock 10 \\
        --database-url postgresql+psycopg://tracker:tracker@127.0.0.1:5432/tracker_bench_audit

`prepare` (TRACKER_ENV=development, as the generator is refused in production) makes the
database afresh, migrates it, loads the demo accounts, generates `--requests` requests
(`flask demo generate`), adds `--clients` consular officers of Islamabad with a password and a
TOTP secret derived from their number (invented accounts, for this benchmark only) and runs
VACUUM ANALYZE.

`run` starts `gunicorn --workers 4` from the `--code` checkout with production settings
(TRACKER_ENV=production: second factor required, argon2 at its default cost, an audit key of
its own, the sign-in limits in Redis), signs each client in as its own account (password, then
a TOTP code), and lets every client open random Islamabad request pages for `--duration`
seconds. With `--hold-lock S` another connection takes the chain's advisory lock
(`pg_advisory_lock(7305001)`, what `_lock_chain()` takes) at second 10 and holds it S seconds.
It prints throughput, p50/p95/max latency (overall and while the lock was held), non-200
answers, and the load average before and after, as JSON and as a Markdown table row. The
client runs on the same machine as the server: its threads take CPU from the workers.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

CSRF_INPUT = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
CLIENT_EMAIL = "bench.client{n}@bench.tracker.example"
CLIENT_PASSWORD = "bench client password {n} quiet harbour"
CHAIN_LOCK = 7305001
HOLD_FROM = 10.0  # seconds into the run


def client_secret(n: int) -> str:
    """The client account's TOTP secret (base32), derived from its number."""
    return base64.b32encode(hashlib.sha256(f"bench-totp-{n}".encode()).digest()[:20]).decode()


def totp_now(secret: str) -> str:
    import pyotp

    return pyotp.TOTP(secret).now()


def flask(code: Path, env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "wsgi", *args],
                          cwd=code, env=env, input=stdin, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def base_env(code: Path, url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG", "TRACKER_ENV")}
    return {**env, "PYTHONPATH": str(code), "DATABASE_URL": url}


def admin_engine(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def prepare(args) -> None:
    code, url = Path(args.code).resolve(), args.database_url
    name = make_url(url).database
    engine = admin_engine(url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        template = f' TEMPLATE "{args.copy_from}"' if args.copy_from else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{template}'))
    engine.dispose()
    env = {**base_env(code, url), "TRACKER_ENV": "development"}
    started = time.perf_counter()
    print(flask(code, env, "db", "upgrade").strip() or "migrated", flush=True)
    if not args.copy_from:
        flask(code, env, "demo", "load")
        print(flask(code, env, "demo", "generate", "--requests", str(args.requests)).strip())
        for n in range(args.clients):
            flask(code, env, "users", "create", CLIENT_EMAIL.format(n=n), "--role",
                  "consular_officer", "--office", "ISB", "--name", f"Bench client {n}",
                  stdin=CLIENT_PASSWORD.format(n=n) + "\n")
        db = create_engine(url)
        with db.begin() as conn:
            for n in range(args.clients):
                conn.execute(text("UPDATE users SET totp_secret = :s WHERE email = :e"),
                             {"s": client_secret(n), "e": CLIENT_EMAIL.format(n=n)})
        db.dispose()
    db = create_engine(url, isolation_level="AUTOCOMMIT")
    with db.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    db.dispose()
    print(f"prepared {name} in {time.perf_counter() - started:.0f} s", flush=True)


class Client:
    """One browser: its own cookies, one connection at a time (gunicorn's sync workers close
    them), the secure session cookie sent as a browser behind the TLS proxy would."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, form: dict | None = None, timeout: float = 60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read().decode("utf-8", "replace")
            for raw in response.headers.get_all("Set-Cookie") or []:
                key, _, value = raw.split(";", 1)[0].partition("=")
                self.cookies[key.strip()] = value
            return response.status, response.getheader("Location"), content
        finally:
            conn.close()

    def sign_in(self, n: int) -> None:
        _, _, page = self.request("GET", "/login")
        status, location, _ = self.request("POST", "/login", {
            "csrf_token": CSRF_INPUT.search(page).group(1), "email": CLIENT_EMAIL.format(n=n),
            "password": CLIENT_PASSWORD.format(n=n)})
        assert status == 302 and "second-factor" in (location or ""), (status, location)
        _, _, page = self.request("GET", "/login/second-factor")
        status, location, _ = self.request("POST", "/login/second-factor", {
            "csrf_token": CSRF_INPUT.search(page).group(1), "code": totp_now(client_secret(n))})
        assert status == 302 and "login" not in (location or ""), (status, location)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(code: Path, url: str, port: int) -> subprocess.Popen:
    env = {**base_env(code, url), "TRACKER_ENV": "production",
           "SECRET_KEY": secrets.token_urlsafe(48),
           "TRACKER_AUDIT_KEYS": "bench:" + hashlib.sha256(b"bench audit key").hexdigest(),
           "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/13",
           "LOGIN_RATE_LIMIT": "1000 per minute"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", "4", "--bind",
         f"127.0.0.1:{port}", "--timeout", "30", "wsgi:app"], cwd=code, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start: " + server.stderr.read().decode())


def hold_chain_lock(url: str, seconds: float, start: float, window: dict) -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        time.sleep(max(0.0, start + HOLD_FROM - time.monotonic()))
        conn.execute(text(f"SELECT pg_advisory_lock({CHAIN_LOCK})"))
        window["from"] = time.monotonic() - start
        time.sleep(seconds)
        conn.execute(text(f"SELECT pg_advisory_unlock({CHAIN_LOCK})"))
        window["to"] = time.monotonic() - start
    engine.dispose()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def summary(samples: list[tuple[float, float, int]], seconds: float) -> dict:
    took = [t for _, t, _ in samples]
    return {"pages": len(samples), "per_second": round(len(samples) / seconds, 1),
            "p50_ms": round(statistics.median(took) * 1000) if took else None,
            "p95_ms": round(percentile(took, 95) * 1000) if took else None,
            "max_ms": round(max(took) * 1000) if took else None,
            "not_200": sum(1 for *_, status in samples if status != 200)}


def run(args) -> None:
    code, url = Path(args.code).resolve(), args.database_url
    db = create_engine(url)
    with db.connect() as conn:
        references = conn.scalars(text(
            "SELECT c.reference FROM cases c JOIN offices o ON o.id = c.office_id "
            "WHERE o.code = 'ISB' AND c.reference LIKE 'ISB-%'")).all()
        audit_before = conn.scalar(text("SELECT count(*) FROM audit_events"))
    db.dispose()
    port = free_port()
    server = start_gunicorn(code, url, port)
    try:
        clients = [Client(port) for _ in range(args.clients)]
        for n, client in enumerate(clients):
            client.sign_in(n)
            client.request("GET", f"/consular/requests/{references[n]}")  # warm, unmeasured
        samples: list[tuple[float, float, int]] = []
        lock = threading.Lock()
        load_before = Path("/proc/loadavg").read_text().split()[:3]
        start = time.monotonic()
        stop = start + args.duration

        def browse(client: Client, rng: random.Random):
            while time.monotonic() < stop:
                began = time.monotonic()
                try:
                    status, _, _ = client.request(
                        "GET", f"/consular/requests/{rng.choice(references)}")
                except (OSError, http.client.HTTPException):
                    status = 0  # a dropped connection (gunicorn killed the worker)
                with lock:
                    samples.append((began - start, time.monotonic() - began, status))

        window: dict = {}
        threads = [threading.Thread(target=browse, args=(c, random.Random(i)))
                   for i, c in enumerate(clients)]
        if args.hold_lock:
            threads.append(threading.Thread(target=hold_chain_lock,
                                            args=(url, args.hold_lock, start, window)))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        load_after = Path("/proc/loadavg").read_text().split()[:3]
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {"label": args.label, "hold_lock_s": args.hold_lock, "clients": args.clients,
              "seconds": round(elapsed, 1), **summary(samples, elapsed),
              "load_before": load_before, "load_after": load_after}
    if window:
        held = [s for s in samples if window["from"] <= s[0] < window["to"]]
        result["while_held"] = summary(held, window["to"] - window["from"])
    db = create_engine(url)
    with db.connect() as conn:
        result["audit_rows_written"] = conn.scalar(
            text("SELECT count(*) FROM audit_events")) - audit_before
    db.dispose()
    print(json.dumps(result), flush=True)
    held = result.get("while_held", {})
    print(f"| {args.label} | {args.hold_lock or '-'} | {result['per_second']} | "
          f"{result['p50_ms']} | {result['p95_ms']} | {result['max_ms']} | "
          f"{held.get('per_second', '-')} | {held.get('p95_ms', '-')} | {result['not_200']} | "
          f"{' '.join(load_before)} -> {' '.join(load_after)} |")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("prepare", "run"):
        p = sub.add_parser(name)
        p.add_argument("--database-url", required=True)
        p.add_argument("--code", default=str(Path(__file__).resolve().parent.parent),
                       help="the checkout whose application is measured")
        p.add_argument("--clients", type=int, default=16)
    sub.choices["prepare"].add_argument("--requests", type=int, default=20_000)
    sub.choices["prepare"].add_argument("--copy-from", help="a database to copy, not generate")
    sub.choices["run"].add_argument("--duration", type=float, default=30)
    sub.choices["run"].add_argument("--hold-lock", type=float, default=0,
                                    help="hold the chain lock this many seconds from second 10")
    sub.choices["run"].add_argument("--label", default="")
    args = parser.parse_args(argv)
    if make_url(args.database_url).get_backend_name() != "postgresql":
        parser.error("PostgreSQL only: the chain lock is PostgreSQL's advisory lock")
    (prepare if args.command == "prepare" else run)(args)


if __name__ == "__main__":
    main()
