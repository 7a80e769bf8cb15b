"""Long commands: the generator shows its progress, commits in batches and stops cleanly on
Ctrl-C; `flask reports monthly` checks its arguments before any work and names a full disk."""
from __future__ import annotations

import errno
import io
import os
import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, func, select

from tests.conftest import sibling_database
from tracker import create_app
from tracker.audit.models import AuditEvent
from tracker.cases.models import ReferenceCounter
from tracker.cli import Progress
from tracker.config import make_test_config
from tracker.consular.models import ConsularRequest
from tracker.demo import load_demo
from tracker.extensions import db
from tracker.generate import _Generator
from tracker.reports import report as monthly
from tracker.unit_of_work import unit_of_work

UNTIL = "2026-11-01"


# --- the generator ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generator_app(database_url, tmp_path_factory):
    """A database of its own: the generator commits for real, batch by batch."""
    url = sibling_database(database_url, "long_commands", tmp_path_factory.mktemp("gen"))
    app = create_app(make_test_config(url))
    with app.app_context():
        upgrade()
        with unit_of_work():
            load_demo()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def generate(app, *args):
    return app.test_cli_runner().invoke(args=["demo", "generate", "--until", UNTIL, *args])


def requests_and_counters(app) -> tuple[int, dict, dict]:
    """How many requests; each counter's last number; the highest number each prefix/year
    has in its references."""
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(ConsularRequest))
        counters = {(c.prefix, c.year): c.last_number
                    for c in db.session.scalars(select(ReferenceCounter))}
        highest = {}
        for reference in db.session.scalars(select(ConsularRequest.reference)):
            prefix, year, number = reference.split("-")
            key = (prefix, int(year))
            highest[key] = max(highest.get(key, 0), int(number))
        db.session.remove()
    return total, counters, highest


@pytest.mark.own_database
def test_the_generator_reports_each_batch_with_counts_and_rate(generator_app):
    before, _, _ = requests_and_counters(generator_app)
    result = generate(generator_app, "--requests", "25", "--batch-size", "10", "--seed", "3")
    assert result.exit_code == 0, result.output
    steps = re.findall(r"^requests: (\d+) of (\d+) \(([\d,]+)/s\)$", result.output, re.M)
    assert [(done, total) for done, total, _ in steps] == [("10", "25"), ("20", "25"),
                                                           ("25", "25")]
    assert re.search(r"^enquiries: 12 of 12 ", result.output, re.M)
    assert "25 requests" in result.output  # the summary follows the progress
    after, counters, highest = requests_and_counters(generator_app)
    assert after - before == 25
    assert all(counters[key] >= number for key, number in highest.items())


@pytest.mark.own_database
def test_ctrl_c_keeps_the_committed_batches_and_says_how_far_it_got(generator_app,
                                                                     monkeypatch):
    before, _, _ = requests_and_counters(generator_app)
    batches = []
    write = _Generator._batch

    def interrupted_in_the_second_batch(self, planned):
        batches.append(len(planned))
        write(self, planned)  # rows inserted, not yet committed
        if len(batches) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(_Generator, "_batch", interrupted_in_the_second_batch)
    result = generate(generator_app, "--requests", "25", "--batch-size", "10", "--seed", "4")
    assert result.exit_code == 130
    assert "interrupted: 10 of 25 requests written" in result.stderr
    assert "Traceback" not in result.output
    after, counters, highest = requests_and_counters(generator_app)
    assert after - before == 10  # the first batch; the second was rolled back
    # What was committed is consistent: every counter is at the highest number given.
    assert all(counters[key] == number for key, number in highest.items())

    monkeypatch.setattr(_Generator, "_batch", write)
    again = generate(generator_app, "--requests", "5", "--seed", "5")
    assert again.exit_code == 0, again.output
    with generator_app.app_context():
        references = list(db.session.scalars(select(ConsularRequest.reference)))
        db.session.remove()
    assert len(references) == len(set(references)) == after + 5


@pytest.mark.own_database
def test_the_generator_names_a_full_disk(generator_app):
    """SQLite's page limit stands in for the disk: room for about one batch more."""
    with generator_app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's page limit stands in for a full disk")
        db.engine.dispose()

        def little_room(dbapi_connection, _record):
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 40}")

        event.listen(db.engine, "connect", little_room)
    try:
        before, _, _ = requests_and_counters(generator_app)
        result = generate(generator_app, "--requests", "2000", "--batch-size", "100",
                          "--seed", "6")
    finally:
        with generator_app.app_context():
            event.remove(db.engine, "connect", little_room)
            db.engine.dispose()
    assert result.exit_code == 1
    assert re.search(r"the disk is full: \d+ of 2000 requests written", result.stderr)
    assert "Traceback" not in result.output
    after, counters, highest = requests_and_counters(generator_app)
    assert (after - before) % 100 == 0 and after - before < 2000  # whole batches only
    assert all(counters[key] == number for key, number in highest.items())


def test_on_a_terminal_the_progress_is_a_bar_with_counts_and_rate(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    monkeypatch.setattr("sys.stdout", screen)
    progress = Progress()
    progress.update("requests", 10, 25)
    progress.update("requests", 20, 25)
    progress.close()
    shown = screen.getvalue()
    assert "requests" in shown and "20/25" in shown and "/s" in shown


# --- reports monthly ----------------------------------------------------------------------------


@pytest.fixture
def nothing_computed(monkeypatch):
    """Fails the test if the report is computed (the checks come first)."""
    def computed(*args, **kwargs):
        raise AssertionError("the report was computed before the arguments were checked")

    monkeypatch.setattr(monthly, "monthly_report", computed)


def report(app, *args):
    return app.test_cli_runner().invoke(args=["reports", "monthly", "--format", "csv", *args])


def refused(result, *words):
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert "Traceback" not in result.output
    for word in words:
        assert word in line
    return line


@pytest.mark.parametrize("month", ["2026-13", "October", "26-10", ""])
def test_a_month_that_does_not_parse(app, tmp_path, nothing_computed, month):
    refused(report(app, "--month", month, "--output", str(tmp_path / "r.csv")),
            "--month", "YYYY-MM" if month in ("October", "26-10", "") else "2000-01")


def test_an_output_folder_that_does_not_exist(app, tmp_path, nothing_computed):
    target = tmp_path / "missing" / "r.csv"
    refused(report(app, "--month", "2026-10", "--output", str(target)),
            "--output", "does not exist", str(target.parent))


def test_an_output_that_is_a_folder(app, tmp_path, nothing_computed):
    refused(report(app, "--month", "2026-10", "--output", str(tmp_path)),
            "--output", "is a folder")


def test_an_output_folder_that_is_not_writable(app, tmp_path, nothing_computed, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.geteuid() == 0:  # root may write anywhere: deny it as the service's account is
        access = os.access
        monkeypatch.setattr(os, "access", lambda path, mode: False if str(path) == str(locked)
                            and mode & os.W_OK else access(path, mode))
    refused(report(app, "--month", "2026-10", "--output", str(locked / "r.csv")),
            "--output", "cannot write")


def test_an_unknown_office_or_section(app, tmp_path, nothing_computed):
    target = str(tmp_path / "r.csv")
    refused(report(app, "--month", "2026-10", "--office", "XYZ", "--output", target),
            "--office", "XYZ")
    refused(report(app, "--month", "2026-10", "--sections", "visas", "--output", target),
            "--sections")


def exports_audited() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "report.exported"))


def test_the_report_is_written_whole_under_its_name(app, tmp_path):
    target = tmp_path / "october.csv"
    target.write_text("last month's file")
    result = report(app, "--month", "2026-10", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith("\ufeffMonthly report October 2026".encode())
    assert os.listdir(tmp_path) == ["october.csv"]  # no temporary file left


def test_a_full_disk_is_named_and_leaves_the_old_file(app, tmp_path, monkeypatch):
    target = tmp_path / "october.csv"
    target.write_text("last month's file")
    audited = exports_audited()

    def full(_descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    result = report(app, "--month", "2026-10", "--output", str(target))
    assert result.exit_code == 1
    assert "the disk is full" in result.stderr and "Traceback" not in result.output
    assert target.read_text() == "last month's file"
    assert os.listdir(tmp_path) == ["october.csv"]
    assert exports_audited() == audited  # nothing exported, nothing logged as exported

