"""The dependency checks behind /healthz, each bounded so that the answer never hangs.

Each check runs on a background thread and is waited on for at most the settings'
`HEALTHZ_TIMEOUT`; one still running from an earlier call (a database that does not answer)
is waited on again rather than started twice, so a hung dependency holds at most one thread
per check and process. The checks also bound their own work, so the thread ends soon after.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as StillRunning
from typing import Callable, NamedTuple

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from tracker.db import READ_ONLY, ran_out_of_time

OK, TIMEOUT, UNREACHABLE, NOT_MIGRATED = "ok", "timeout", "unreachable", "not migrated"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")

_running: dict[tuple[str, object], Future] = {}
_running_lock = threading.Lock()


class Check(NamedTuple):
    """One dependency check; `target` tells apart the same check of two engines or servers."""

    target: object
    run: Callable[[], str]


def _start(run: Callable[[], str]) -> Future:
    """Run a check on a daemon thread: one stuck in a dead network never holds up the exit."""
    future: Future = Future()

    def work() -> None:
        try:
            future.set_result(run())
        except BaseException as error:  # noqa: BLE001 - handed to whoever waits on it
            future.set_exception(error)

    threading.Thread(target=work, name="healthz", daemon=True).start()
    return future


def run_checks(checks: dict[str, Check], timeout: float) -> dict[str, str]:
    """Each check's outcome ("ok", or why not), all within `timeout` seconds together."""
    futures = {}
    with _running_lock:
        for key in [key for key, future in _running.items() if future.done()]:
            del _running[key]  # only checks still running are kept, to be waited on again
        for name, check in checks.items():
            key = (name, check.target)
            future = _running.get(key)
            if future is None:
                future = _running[key] = _start(check.run)
            futures[name] = future
    deadline = time.monotonic() + timeout
    outcomes = {}
    for name, future in futures.items():
        try:
            outcomes[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except StillRunning:
            outcomes[name] = TIMEOUT
        except Exception:  # noqa: BLE001 - a check that breaks reports its dependency down
            outcomes[name] = UNREACHABLE
    return outcomes


def database_check(engine: Engine, timeout: float) -> Check:
    """`SELECT 1`, then the schema's revision: the database answers and has its tables."""
    def check() -> str:
        try:
            with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
                if connection.dialect.name == "postgresql":
                    bound = max(1, round(timeout * 1000))
                    connection.exec_driver_sql(f"SET LOCAL statement_timeout = {bound}")
                    connection.exec_driver_sql(f"SET LOCAL lock_timeout = {bound}")
                connection.exec_driver_sql("SELECT 1")
                try:
                    revision = connection.exec_driver_sql(
                        "SELECT version_num FROM alembic_version").scalar()
                except SQLAlchemyError as error:
                    # It answered SELECT 1: a failure here is a missing schema, not a network.
                    return TIMEOUT if ran_out_of_time(error) else NOT_MIGRATED
                connection.rollback()
        except SQLAlchemyError as error:
            return TIMEOUT if ran_out_of_time(error) else UNREACHABLE
        return OK if revision else NOT_MIGRATED
    return Check(engine, check)


def redis_check(uri: str, timeout: float) -> Check:
    """PING the rate limiter's Redis with socket timeouts of its own."""
    def check() -> str:
        import redis

        client = redis.Redis.from_url(uri, socket_timeout=timeout,
                                      socket_connect_timeout=timeout)
        try:
            client.ping()
        except redis.TimeoutError:
            return TIMEOUT
        except redis.RedisError:
            return UNREACHABLE
        finally:
            client.close()
        return OK
    return Check(uri, check)
