"""Command-line tools: accounts and offices for first set-up, demo data, the audit chain."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.cases import scope
from tracker.audit import service as audit
from tracker.audit.service import verify_chain
from tracker.auth import services
from tracker.auth.models import Office, OfficeKind, Role, User
from tracker.auth.services import AccountError
from tracker.extensions import db
from tracker.unit_of_work import unit_of_work

users_cli = AppGroup("users", help="Create and manage accounts.")
offices_cli = AppGroup("offices", help="Create and list offices.")
audit_cli = AppGroup("audit", help="Check the audit log.")
demo_cli = AppGroup("demo", help="Demonstration data (never in production).")
cases_cli = AppGroup("cases", help="Scheduled work on requests and cases.")
reports_cli = AppGroup("reports", help="Monthly reports for scheduled jobs.")


def _read_password() -> str:
    """From standard input when it is not a terminal (scripts), else asked for twice."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _office(code_or_name: str) -> Office:
    office = db.session.scalar(
        select(Office).where((Office.code == code_or_name.upper()) | (Office.name == code_or_name))
    )
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


@audit_cli.command("verify")
def verify_command():
    """Check the keyed chain; exit status 1 at the first bad row (which, and why)."""
    check = verify_chain()
    if check.whole:
        legacy = f", {check.legacy_rows} of them from before keys" if check.legacy_rows else ""
        click.echo(f"audit chain whole: {check.rows} rows{legacy}; last hash {check.last_hash}")
        return
    click.echo(f"audit chain broken at row {check.broken_at}: {check.problem}", err=True)
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
def demo_generate_command(requests_, seed, police_cases, until):
    """Add generated consular requests for load tests (run `flask demo load` first).

    Bulk inserts, no audit rows: see tracker/generate.py.
    """
    from tracker.generate import GenerateError, generate

    if current_app.config["TRACKER_ENV"] == "production":
        raise click.ClickException("generated data is never loaded in production")
    if police_cases:
        raise click.BadParameter("police cases come later: use 0 for now",
                                 param_hint="--police-cases")
    try:
        with scope.unscoped("the generator reads what it wrote"):
            stats = generate(requests_, seed, until=until.date() if until else None)
    except GenerateError as exc:
        raise click.ClickException(str(exc))
    for line in stats.lines():
        click.echo(line)


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
    """Remove files kept from failed submits (pending uploads) older than a day (run daily)."""
    from tracker.cases import pending

    click.echo(f"{pending.sweep()} pending upload(s) older than a day removed")


@reports_cli.command("monthly")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--office", default="all", show_default=True, help="An office code, or all.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "xlsx", "csv"]), default="pdf",
              show_default=True)
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--sections", default="consular,police", show_default=True,
              help="Which parts: consular, police or both.")
def report_command(month, office, fmt, output, sections):
    """Write a month's report (the published one if there is one) to a file."""
    from tracker.db import utcnow
    from tracker.reports import exports
    from tracker.reports.periods import Month
    from tracker.reports.report import monthly_report, threshold

    try:
        period = Month.parse(month)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--month")
    chosen = None if office.lower() == "all" else _office(office)
    parts = [s.strip() for s in sections.split(",") if s.strip()]
    if not parts or set(parts) - {"consular", "police"}:
        raise click.BadParameter("consular, police or both", param_hint="--sections")
    report = monthly_report(period, chosen)  # aggregates: unscoped inside
    writer = {"pdf": exports.to_pdf, "xlsx": exports.to_xlsx, "csv": exports.to_csv}[fmt]
    body = writer(report, parts, threshold(),
                  f"Produced {utcnow():%Y-%m-%d %H:%M} UTC by the scheduled job")
    with open(output, "wb") as out:
        out.write(body)
    with unit_of_work():
        audit.record("report.exported", object_type="report",
                     object_id=f"{period}/{report.scope_key}",
                     details={"format": fmt, "sections": parts, "by": "command line"})
    click.echo(f"wrote {output} ({len(body):,} bytes)")


def register_commands(app: Flask) -> None:
    for group in (users_cli, offices_cli, audit_cli, demo_cli, cases_cli, reports_cli):
        app.cli.add_command(group)
