"""Several gunicorn workers, as in production: limits and sessions hold across all of them."""
from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tracker.config import ROOT

pytestmark = pytest.mark.own_database
REDIS = ("127.0.0.1", 6379)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_available() -> bool:
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.fixture
def gunicorn(tmp_path):
    host, port = REDIS
    if not _redis_available():
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(f"no Redis on {host}:{port} (CI=true: this test may not be skipped; "
                        ".ci/run starts Redis)", pytrace=False)
        pytest.skip(f"no Redis on {host}:{port} to share the limits")
    import redis

    store = redis.Redis(*REDIS, db=15)
    store.flushdb()
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'workers.sqlite3'}",
           "SECRET_KEY": "w" * 48, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
           "LOGIN_RATE_LIMIT": "4 per minute", "TRACKER_ENV": "development"}
    env.pop("FLASK_DEBUG", None)
    subprocess.run([bin_dir / "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    subprocess.run([bin_dir / "flask", "--app", "wsgi", "demo", "load"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([bin_dir / "gunicorn", "--workers", "2", "--bind",
                               f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        store.flushdb()


def _post_login(base: str, email: str, password: str) -> int:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"email": email, "password": password,
                                   "csrf_token": token}).encode()
    try:
        return opener.open(base + "/login", data=body).status
    except urllib.error.HTTPError as error:
        return error.code


def test_address_limit_holds_across_workers(gunicorn):
    statuses = [_post_login(gunicorn, f"nobody{i}@tracker.example", "wrong password guess!!")
                for i in range(6)]
    assert statuses[:4] == [401] * 4
    assert statuses[4:] == [429, 429]
