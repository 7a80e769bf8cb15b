"""The monthly report: the figure tables, the trends, publishing and what changed since."""
from __future__ import annotations

import json
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.cases import scope as need_to_know
from tracker.audit import service as audit
from tracker.auth.models import Office, OfficeKind, User
from tracker.db import utcnow
from tracker.extensions import db
from tracker.reports import figures
from tracker.reports.figures import Scope, Table
from tracker.reports.models import ReportSnapshot
from tracker.reports.periods import Month
from tracker.reports.render import report_section

TREND_MONTHS = 12


@dataclass
class Report:
    month: Month
    office: Office | None
    consular: list[Table]
    police: list[Table]
    trends: dict
    snapshot: ReportSnapshot | None = None
    live: "Report | None" = None  # for a published report: the figures as they are now

    @property
    def scope_key(self) -> str:
        return self.office.code if self.office else "all"

    @property
    def time_zone(self) -> str:
        return report_time_zone(self.office)

    def to_dict(self) -> dict:
        return {"month": str(self.month), "scope": self.scope_key,
                "consular": [t.as_dict() for t in self.consular],
                "police": [t.as_dict() for t in self.police], "trends": self.trends}


def report_time_zone(office: Office | None) -> str:
    """The office's zone; for all offices, the embassy's (all three share Asia/Karachi)."""
    if office is not None:
        return office.time_zone
    embassy = db.session.scalar(select(Office).where(Office.kind == OfficeKind.EMBASSY)
                                .order_by(Office.id).limit(1))
    return embassy.time_zone if embassy else "Asia/Karachi"


def live_report(month: Month, office: Office | None) -> Report:
    """The figures as the database has them now."""
    time_zone = report_time_zone(office)
    start, end = month.bounds(time_zone)
    scope = Scope(month, office.id if office else None, start, end)
    offices = list(db.session.scalars(select(Office).order_by(Office.name)))
    # Counts of every case of the office (or all offices), suppressed before anyone sees them.
    with need_to_know.unscoped("monthly report aggregates"):
        consular = [figures.enquiries_by_topic_and_channel(scope),
                    figures.requests_by_category(scope),
                    figures.requests_by_office(scope, offices),
                    figures.time_to_resolution(scope), figures.past_target(scope),
                    figures.published_counts(scope), figures.persons_helped(scope)]
        police = [figures.police_by_category(scope), figures.police_by_country(scope),
                  figures.police_exchanges(scope), figures.police_children(scope),
                  figures.police_outcomes(scope)]
        trends = figures.trends(scope, month.last_months(TREND_MONTHS), time_zone)
    return Report(month, office, consular, police, trends)


def _snapshot(month: Month, office: Office | None) -> ReportSnapshot | None:
    return db.session.scalar(select(ReportSnapshot).where(
        ReportSnapshot.month == str(month),
        ReportSnapshot.scope == (office.code if office else "all")))


def monthly_report(month: Month, office: Office | None) -> Report:
    """The published version if there is one (with what changed since), else the live one."""
    live = live_report(month, office)
    snapshot = _snapshot(month, office)
    if snapshot is None:
        return live
    data = json.loads(snapshot.figures)
    return Report(month, office, [Table.from_dict(t) for t in data["consular"]],
                  [Table.from_dict(t) for t in data["police"]], data["trends"],
                  snapshot=snapshot, live=live)


def differences(report: Report, sections: list[str], limit: int) -> list[tuple]:
    """Cells of the given sections whose live figure differs from the published one, as
    people see them (small counts suppressed in both): (table, row, column, was, is).

    Tables, rows and columns are matched by key and label, not by position (an office added
    since publishing adds a row). A suppressed cell shows as suppressed on both sides, so the
    list never tells a hidden count, nor the sections the reader may not see.
    """
    if report.snapshot is None or report.live is None:
        return []
    changed = []
    for section in sections:
        live = {t.key: t for t in report_section(report.live, section, limit)[0]}
        for old in report_section(report, section, limit)[0]:
            new = live.get(old.key)
            if new is None:
                continue
            now_cells = {(row[0], column): value for row in _lines(new)
                         for column, value in zip(new.header[1:], row[1:])}
            seen = set()
            for row in _lines(old):
                for column, was in zip(old.header[1:], row[1:]):
                    seen.add((row[0], column))
                    now = now_cells.get((row[0], column), "–")
                    if was != now:
                        changed.append((old.title, row[0], column, was, now))
            for (label, column), now in now_cells.items():
                if (label, column) not in seen and now not in ("0", "–"):
                    changed.append((old.title, label, column, "–", now))
    return changed


def changes_since(last: ReportSnapshot, month: Month, office: Office | None,
                  sections: list[str], limit: int) -> list[tuple]:
    """What publishing `month` would show differently from the last publication `last`,
    figure by figure and as people see them (suppressed alike): (table, row, column, in the
    last publication, now)."""
    data = json.loads(last.figures)
    published = Report(Month.parse(last.month), office,
                       [Table.from_dict(t) for t in data["consular"]],
                       [Table.from_dict(t) for t in data["police"]], data["trends"],
                       snapshot=last, live=live_report(month, office))
    return differences(published, sections, limit)


def _lines(table) -> list[list[str]]:
    return table.rows + ([table.footer] if table.footer else [])


class AlreadyPublished(Exception):
    pass


class MonthNotOver(Exception):
    pass


def last_publication(month: Month, office: Office | None) -> ReportSnapshot | None:
    """The latest report published for the same office (or all offices) before `month`."""
    return db.session.scalar(select(ReportSnapshot).where(
        ReportSnapshot.scope == (office.code if office else "all"),
        ReportSnapshot.month < str(month)).order_by(ReportSnapshot.month.desc()).limit(1))


def publish(month: Month, office: Office | None, manager: User,
            comment: str | None = None) -> ReportSnapshot:
    """Freeze the month's figures as they are now; they are what is shown from then on.

    Only a month that has ended: a month still running would freeze half its figures.
    """
    if utcnow() < month.bounds(report_time_zone(office))[1]:
        raise MonthNotOver()
    if _snapshot(month, office) is not None:
        raise AlreadyPublished()
    report = live_report(month, office)
    snapshot = ReportSnapshot(month=str(month), scope=report.scope_key,
                              figures=json.dumps(report.to_dict(), ensure_ascii=False),
                              published_by_id=manager.id,
                              comment=(comment or "").strip() or None)
    db.session.add(snapshot)
    try:
        # Two managers publishing at once: the unique (month, scope) keeps the first.
        db.session.flush()
    except IntegrityError:
        raise AlreadyPublished()
    audit.record("report.published", object_type="report",
                 object_id=f"{month}/{report.scope_key}", actor=manager,
                 reason=snapshot.comment)
    db.session.flush()
    return snapshot


def threshold() -> int:
    return current_app.config.get("SMALL_COUNT_THRESHOLD", 5)
