"""Command-line tools: accounts and offices for first set-up, demo data, the audit chain."""
from __future__ import annotations

import os
import sqlite3
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from tracker import backups
from tracker.cases import scope
from tracker.audit import service as audit
from tracker.audit.sealing import check_unsealed, seal_pending
from tracker.audit.service import verify_chain
from tracker.auth import services
from tracker.auth.models import Office, OfficeKind, Role, User
from tracker.auth.services import AccountError
from tracker.db import ran_out_of_time
from tracker.extensions import db
from tracker.files import is_disk_full, write_atomically
from tracker.unit_of_work import unit_of_work

users_cli = AppGroup("users", help="Create and manage accounts.")
offices_cli = AppGroup("offices", help="Create and list offices.")
audit_cli = AppGroup("audit", help="Seal and check the audit log.")
demo_cli = AppGroup("demo", help="Demonstration data (never in production).")
cases_cli = AppGroup("cases", help="Scheduled work on requests and cases.")
reports_cli = AppGroup("reports", help="Monthly reports for scheduled jobs.")
documents_cli = AppGroup("documents", help="The attachment folder.")
backup_cli = AppGroup("backup", help="Back up, check and restore the database and documents.")
notifications_cli = AppGroup("notifications", help="Send the mail outbox and the daily summaries.")
retention_cli = AppGroup("retention", help="Anonymise closed files whose period has run out.")


def _read_password() -> str:
    """From standard input when it is not a terminal (scripts), else asked for twice."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _find_office(code_or_name: str) -> Office | None:
    return db.session.scalar(
        select(Office).where((Office.code == code_or_name.upper()) | (Office.name == code_or_name))
    )


def _office(code_or_name: str) -> Office:
    office = _find_office(code_or_name)
    if office is None:
        raise click.BadParameter(f"no office with code or name {code_or_name!r}",
                                 param_hint="--office")
    return office


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == services.normalise_email(email)))
    if user is None:
        raise click.BadParameter(f"no account {email!r}", param_hint="EMAIL")
    return user


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--office", "office_name", required=True, help="Office code (ISB) or name.")
@click.option("--name", "display_name", help="Display name; defaults to the e-mail address.")
def create_user_command(email, role, office_name, display_name):
    """Create an account; the password is read from standard input when piped."""
    office = _office(office_name)
    try:
        with unit_of_work():
            user = services.create_user(email=email, display_name=display_name or email,
                                        role=role, office=office, password=_read_password())
    except AccountError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"created {user.email} ({user.role.label}, {office.name})")


@users_cli.command("list")
def list_users_command():
    """List accounts."""
    for user in db.session.scalars(select(User).order_by(User.email)):
        state = "active" if user.active else "inactive"
        click.echo(f"{user.email}\t{user.role.value}\t{user.office.code}\t{state}")


@users_cli.command("set-password")
@click.argument("email")
def set_password_command(email):
    """Set an account's password (from standard input when piped); ends its sessions.

    One step, unlike the web pages (two administrators): the operator has the database.
    """
    try:
        with unit_of_work():
            services.set_password(_user(email), _read_password())
    except AccountError as exc:
        raise click.ClickException(str(exc))
    click.echo("password set; sessions ended")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def set_role_command(email, role):
    """Change an account's role; ends its sessions."""
    user = _user(email)
    try:
        with unit_of_work():
            services.update_user(user, display_name=user.display_name, role=role,
                                 office=user.office, active=user.active, version=user.version)
    except AccountError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"{user.email} is now {Role(role).label}")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_command(email):
    """Deactivate an account; ends its sessions."""
    user = _user(email)
    try:
        with unit_of_work():
            services.update_user(user, display_name=user.display_name, role=user.role,
                                 office=user.office, active=False, version=user.version)
    except AccountError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"{user.email} deactivated")


@users_cli.command("reset-second-factor")
@click.argument("email")
def reset_second_factor_command(email):
    """Remove an account's authenticator (one step: for the operator with database access)."""
    with unit_of_work():
        services.reset_second_factor(_user(email))
    click.echo("authenticator removed; the account sets up a new one at its next sign-in")


@users_cli.command("end-sessions")
@click.argument("email")
def end_sessions_command(email):
    """Sign an account out everywhere."""
    with unit_of_work():
        count = services.end_sessions(_user(email))
    click.echo(f"{count} session(s) ended")


@offices_cli.command("create")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice([k.value for k in OfficeKind]), required=True)
@click.option("--time-zone", default="Asia/Karachi", show_default=True)
def create_office_command(code, name, kind, time_zone):
    """Create an office."""
    try:
        with unit_of_work():
            office = services.create_office(code=code, name=name, kind=kind,
                                            time_zone=time_zone)
    except AccountError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"created office {office.code} {office.name}")


@offices_cli.command("list")
def list_offices_command():
    """List offices."""
    for office in db.session.scalars(select(Office).order_by(Office.code)):
        click.echo(f"{office.code}\t{office.name}\t{office.kind.value}\t{office.time_zone}")


def _seal() -> bool:
    """Seal the pending rows and say what happened; False if any was refused or the chain
    lock could not be had in time (the batches sealed before that stay sealed)."""
    try:
        run = seal_pending()
    except DBAPIError as exc:
        if not ran_out_of_time(exc):
            raise
        db.session.rollback()
        click.echo("the audit chain's lock is held elsewhere (another `flask audit seal`, or "
                   "a stuck transaction) for longer than DB_LOCK_TIMEOUT: sealing stopped; "
                   "the next run carries on", err=True)
        return False
    click.echo(f"sealed {run.sealed} audit rows")
    for row_id, problem in run.refused.items():
        click.echo(f"audit row {row_id} not sealed: {problem}", err=True)
    return not run.refused


@audit_cli.command("seal")
def seal_command():
    """Chain the audit rows written since the last run (cron: every minute); exit status 1 if
    a row was refused (its content does not match its MAC)."""
    if not _seal():
        sys.exit(1)


@audit_cli.command("verify")
@click.option("--no-seal", is_flag=True, help="Check only; do not seal pending rows first.")
@click.option("--stale-minutes", type=click.IntRange(min=1), default=60, show_default=True,
              help="An unsealed row older than this is a failure.")
def verify_command(no_seal: bool, stale_minutes: int):
    """Seal pending rows, check the keyed chain, and check that no row stays unsealed too long;
    exit status 1 at the first bad row (which, and why) or any stale or forged unsealed row."""
    if not no_seal:
        _seal()
    check = verify_chain()
    fine = check.whole
    if check.whole:
        legacy = f", {check.legacy_rows} of them from before keys" if check.legacy_rows else ""
        click.echo(f"audit chain whole: {check.rows} rows{legacy}; last hash {check.last_hash}")
    else:
        click.echo(f"audit chain broken at row {check.broken_at}: {check.problem}", err=True)
    pending = check_unsealed(timedelta(minutes=stale_minutes))
    for row_id, problem in pending.refused.items():
        click.echo(f"unsealed audit row {row_id}: {problem}", err=True)
    if pending.stale:
        click.echo(f"{pending.stale} audit rows older than {stale_minutes} minutes are not "
                   f"sealed (oldest {pending.oldest_at:%Y-%m-%d %H:%M} UTC): is `flask audit "
                   "seal` running?", err=True)
    elif pending.rows:
        click.echo(f"{pending.rows} recent audit rows not sealed yet")
    if not (fine and pending.fine):
        sys.exit(1)


@demo_cli.command("load")
def demo_load_command():
    """Load the demo offices and accounts (idempotent) and print how to sign in."""
    from tracker.demo import DEMO_ACCOUNTS, load_demo

    if current_app.config["TRACKER_ENV"] == "production":
        raise click.ClickException("demo data is never loaded in production")
    with scope.unscoped("the demo loader reads what it wrote"), unit_of_work():
        created = load_demo()
    click.echo(f"demo data: {created} new record(s)" if created else "demo data: already loaded")
    click.echo("\nDemo accounts (sign in at http://127.0.0.1:5000/login):")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.role.label:<24} {account.email:<32} {account.password}")


@demo_cli.command("generate")
@click.option("--requests", "requests_", required=True, type=click.IntRange(min=0),
              help="How many consular requests to add.")
@click.option("--seed", default=1, show_default=True, type=int,
              help="The same seed (and --until) on the same database gives the same data.")
@click.option("--police-cases", default=0, show_default=True, type=click.IntRange(min=0),
              help="Reserved: must be 0 for now (police cases come later).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]),
              help="Generate history up to the start of this day (default: today).")
@click.option("--batch-size", default=5000, show_default=True, type=click.IntRange(min=1),
              help="Commit every this many requests (Ctrl-C keeps the batches committed).")
def demo_generate_command(requests_, seed, police_cases, until, batch_size):
    """Add generated consular requests for load tests (run `flask demo load` first).

    Bulk inserts, no audit rows: see tracker/generate.py. Shows its progress; Ctrl-C stops it
    after rolling back the batch being written (exit status 130).
    """
    from tracker.generate import GenerateError, GenerateInterrupted, generate

    if current_app.config["TRACKER_ENV"] == "production":
        raise click.ClickException("generated data is never loaded in production")
    if police_cases:
        raise click.BadParameter("police cases come later: use 0 for now",
                                 param_hint="--police-cases")
    progress = Progress()
    try:
        with scope.unscoped("the generator reads what it wrote"):
            stats = generate(requests_, seed, until=until.date() if until else None,
                             batch_size=batch_size, progress=progress.update)
    except GenerateError as exc:
        raise click.ClickException(str(exc))
    except GenerateInterrupted as stop:
        progress.close()
        click.echo(str(stop), err=True)
        sys.exit(130)  # the shell's status for a command ended by Ctrl-C
    finally:
        progress.close()
    for line in stats.lines():
        click.echo(line)


class Progress:
    """A long command's progress: a bar with counts and rate on a terminal; on anything else
    (cron's mail, a log) one line per step, since a bar would print nothing until the end."""

    def __init__(self) -> None:
        self.bar = None
        self.what = None
        self.started = self.last = time.monotonic()
        self.done = 0

    def update(self, what: str, done: int, total: int) -> None:
        """`done` of `total` `what` (requests, ...) are written; a new `what` starts a new bar."""
        if what != self.what:
            self.close()
            # This step began when the one before it ended (or when the command started).
            self.what, self.started, self.done = what, self.last, 0
            if sys.stdout.isatty():
                self.bar = click.progressbar(length=total, label=what, show_pos=True,
                                             item_show_func=lambda _: self.rate())
                self.bar.__enter__()
        step, self.done, self.last = done - self.done, done, time.monotonic()
        if self.bar is not None:
            self.bar.update(step)
        else:
            click.echo(f"{what}: {done:,} of {total:,} ({self.rate()})")

    def rate(self) -> str:
        seconds = self.last - self.started
        return f"{self.done / seconds:,.0f}/s" if seconds > 0 else ""

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@cases_cli.command("wake")
def wake_command():
    """Return waiting requests and liaison cases whose hold date has come to work (run daily
    from cron; running it again changes nothing)."""
    from tracker.consular.services import wake_held_requests
    from tracker.police.services import wake_held_cases

    with scope.unscoped("the daily job wakes every held case, whoever's it is"), \
            unit_of_work():
        woken = wake_held_requests()
        police_woken = wake_held_cases()
    click.echo(f"{len(woken)} request(s) back in progress" + (
        ": " + ", ".join(woken) if woken else ""))
    # Only a count for liaison cases: cron mail must not carry police references.
    click.echo(f"{len(police_woken)} liaison case(s) back to active")


@cases_cli.command("sweep-uploads")
def sweep_uploads_command():
    """Only the pending uploads part of `flask documents sweep` (kept as an alias): remove
    files kept from failed submits older than a day."""
    from tracker.cases import pending

    click.echo(f"{pending.sweep()} pending upload(s) older than a day removed")


@reports_cli.command("monthly")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--office", default="all", show_default=True, help="An office code, or all.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "xlsx", "csv"]), default="pdf",
              show_default=True)
@click.option("--output", required=True, help="The file to write (its folder must exist).")
@click.option("--sections", default="consular,police", show_default=True,
              help="Which parts: consular, police or both.")
def report_command(month, office, fmt, output, sections):
    """Write a month's report (the published one if there is one) to a file.

    Every argument is checked before the report is computed (exit status 2, one line); the
    file is written under a temporary name and renamed, so it is whole or absent.
    """
    from tracker.db import utcnow
    from tracker.reports import exports
    from tracker.reports.periods import Month
    from tracker.reports.report import monthly_report, threshold

    try:
        period = Month.parse(month)
    except ValueError as exc:
        refuse(f"--month: {exc}")
    chosen = None
    if office.lower() != "all":
        chosen = _find_office(office)
        if chosen is None:
            refuse(f"--office: no office with code or name {office!r}")
    parts = [s.strip() for s in sections.split(",") if s.strip()]
    if not parts or set(parts) - {"consular", "police"}:
        refuse("--sections: give consular, police or both")
    target = Path(output)
    problem = output_problem(target)
    if problem:
        refuse(f"--output: {problem}")
    report = monthly_report(period, chosen)  # aggregates: unscoped inside
    writer = {"pdf": exports.to_pdf, "xlsx": exports.to_xlsx, "csv": exports.to_csv}[fmt]
    body = writer(report, parts, threshold(),
                  f"Produced {utcnow():%Y-%m-%d %H:%M} UTC by the scheduled job")
    try:
        write_atomically(target, body)
    except OSError as exc:
        if is_disk_full(exc):
            raise click.ClickException(f"the disk is full: {output} was not written")
        raise click.ClickException(f"{output} was not written: {exc.strerror or exc}")
    with unit_of_work():
        audit.record("report.exported", object_type="report",
                     object_id=f"{period}/{report.scope_key}",
                     details={"format": fmt, "sections": parts, "by": "command line"})
    click.echo(f"wrote {output} ({len(body):,} bytes)")


def refuse(message: str) -> NoReturn:
    """A bad argument: one line on standard error and exit status 2 (as click's own)."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


def output_problem(target: Path) -> str | None:
    """Why a command could not write the file `target`, or None."""
    folder = target.parent
    if target.is_dir():
        return f"{target} is a folder; give a file name"
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write in the folder {folder}"
    if target.exists() and not os.access(target, os.W_OK):
        return f"cannot overwrite {target}"
    return None


@documents_cli.command("sweep")
@click.option("--older-than", default=3600, show_default=True, type=click.IntRange(min=0),
              help="Seconds: younger files may be uploads still being written.")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
def sweep_command(older_than, dry_run):
    """Remove files in the attachment folder that no document names, and files kept from
    failed submits (pending uploads) older than a day (run hourly from cron)."""
    from tracker.cases import documents, pending

    removed = documents.sweep(older_than, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    click.echo(f"{verb} {len(removed)} file(s) that no document names"
               + (": " + ", ".join(removed) if removed else ""))
    click.echo(f"{verb} {pending.sweep(dry_run=dry_run)} pending upload(s) older than a day")


# What a backup command reports as a message, never a traceback: a database that cannot be
# read or reached, a folder that cannot be written, an archive that does not hold up.
BACKUP_FAILURES = (backups.BackupError, OSError, SQLAlchemyError, sqlite3.Error)


@backup_cli.command("create")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the archive (default: BACKUP_DIR).")
def backup_create_command(output):
    """Write one archive of the database and the attachments (encrypted with
    TRACKER_BACKUP_KEY when set; always in production)."""
    started = time.monotonic()
    try:
        made = backups.create(output or Path(current_app.config["BACKUP_DIR"]))
    except BACKUP_FAILURES as exc:
        raise click.ClickException(str(exc))
    counts = made.manifest["row_counts"]
    click.echo(f"wrote {made.path} ({made.path.stat().st_size:,} bytes, "
               f"{'encrypted' if made.encrypted else 'NOT encrypted'}): "
               f"{sum(counts.values()):,} rows in {len(counts)} tables, "
               f"{len(made.manifest['sha256']) - 1} attachment(s), schema revision "
               f"{made.manifest['alembic_revision']}, {time.monotonic() - started:.1f} s")


@backup_cli.command("verify")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
def backup_verify_command(archive):
    """Check an archive: checksums, a restore into a scratch database, the audit chain there
    and the row counts; exit status 1 with what differs."""
    started = time.monotonic()
    try:
        check = backups.verify(archive)
    except BACKUP_FAILURES as exc:
        click.echo(f"backup NOT good: {exc}", err=True)
        sys.exit(1)
    if not check.good:
        click.echo("backup NOT good:\n  " + "\n  ".join(check.differences), err=True)
        sys.exit(1)
    click.echo(f"backup good: {archive} from {check.manifest['created_at']}, schema revision "
               f"{check.manifest['alembic_revision']}, {check.rows:,} rows restored and "
               f"counted, audit verify passed on the copy ({time.monotonic() - started:.1f} s)")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--database-url", required=True,
              help="An empty database to restore into (postgresql+psycopg://... or sqlite:///...).")
@click.option("--attachment-dir", type=click.Path(file_okay=False, path_type=Path),
              help="An empty folder for the documents (default: ATTACHMENT_DIR).")
def backup_restore_command(archive, database_url, attachment_dir):
    """Restore an archive into an empty database and an empty attachment folder."""
    target = attachment_dir or Path(current_app.config["ATTACHMENT_DIR"])
    try:
        manifest = backups.restore(archive, database_url, target)
    except BACKUP_FAILURES as exc:
        raise click.ClickException(str(exc))
    click.echo(f"restored the backup of {manifest['created_at']} (schema revision "
               f"{manifest['alembic_revision']}) and its documents into {target}; "
               "run `flask db upgrade` and `flask audit verify` against it before use")


@notifications_cli.command("send")
def notifications_send_command():
    """Send the mail waiting in the outbox over SMTP (run every minute from cron; two runs at
    once never send one mail twice). A failure is tried again later, waiting longer each time."""
    from tracker.notifications.mail import send_pending

    if current_app.config["MAIL_BACKEND"] != "smtp":
        click.echo("MAIL_BACKEND is outbox-page: nothing is sent; administrators read the mail "
                   "at /admin/outbox")
        return
    result = send_pending()
    click.echo(f"{result.sent} mail(s) sent, {result.failed} to be tried again, "
               f"{result.given_up} given up")
    if result.failed or result.given_up:
        sys.exit(1)


@notifications_cli.command("digest")
def notifications_digest_command():
    """Tell each account of its overdue cases and write its daily summary mail (run once a day
    from cron, before `send`; running it again the same day writes nothing more)."""
    from tracker.notifications.mail import queue_digests

    with scope.unscoped("the daily summary counts notifications of every account"), \
            unit_of_work():
        queued = queue_digests()
    click.echo(f"{queued} summary mail(s) written to the outbox")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Only count what is due; change nothing.")
def retention_run_command(dry_run):
    """Anonymise every closed request and case whose retention period has run out (run daily
    or weekly from cron). Each case is saved on its own: an interrupted run keeps what it did,
    and running it again finishes the rest. Prints counts per category, never references."""
    from tracker.retention import service
    from tracker.retention.rules import category_label
    from tracker.people.models import Compartment

    bar = None

    def progress(key: str, done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="Anonymising", show_pos=True,
                                    file=sys.stdout)
            bar.__enter__()
        bar.update(1)

    try:
        record = service.run(dry_run=dry_run, progress=progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    verb = "due (dry run: nothing changed)" if dry_run else "anonymised"
    for key, n in record.per_rule.items():
        if n:
            compartment, _, category = key.partition("/")
            click.echo(f"{category_label(Compartment(compartment), category)}: {n} {verb}")
    click.echo(f"run {record.id}: {record.due} due, {record.anonymised} anonymised, "
               f"{record.persons_removed} person record(s) removed")


def register_commands(app: Flask) -> None:
    for group in (users_cli, offices_cli, audit_cli, demo_cli, cases_cli, reports_cli,
                  documents_cli, backup_cli, notifications_cli, retention_cli):
        app.cli.add_command(group)
