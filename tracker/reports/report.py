"""The monthly report: the figure tables, the trends, publishing and what changed since."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from tracker.audit import service as audit
from tracker.auth.models import Office, OfficeKind, User
from tracker.extensions import db
from tracker.reports import figures
from tracker.reports.figures import Scope, Table
from tracker.reports.models import ReportSnapshot
from tracker.reports.periods import Month

TREND_MONTHS = 12


@dataclass
class Report:
    month: Month
    office: Office | None
    consular: list[Table]
    police: list[Table]
    trends: dict
    snapshot: ReportSnapshot | None = None
    changed: list[tuple[str, str, str, object, object]] = field(default_factory=list)

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
    consular = [figures.enquiries_by_topic_and_channel(scope),
                figures.requests_by_category(scope), figures.requests_by_office(scope, offices),
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
    published = Report(month, office, [Table.from_dict(t) for t in data["consular"]],
                       [Table.from_dict(t) for t in data["police"]], data["trends"],
                       snapshot=snapshot)
    published.changed = differences(published, live)
    return published


def differences(published: Report, live: Report) -> list[tuple]:
    """Cells whose live value differs from the published one: (table, row, column, was, is)."""
    changed = []
    for old, new in zip(published.consular + published.police, live.consular + live.police):
        for (label, old_values), (_, new_values) in zip(old.rows, new.rows):
            for column, was, now in zip(old.columns, old_values, new_values):
                if was != now:
                    changed.append((old.title, label, column, was, now))
    return changed


class AlreadyPublished(Exception):
    pass


def publish(month: Month, office: Office | None, manager: User) -> ReportSnapshot:
    """Freeze the month's figures as they are now; they are what is shown from then on."""
    if _snapshot(month, office) is not None:
        raise AlreadyPublished()
    report = live_report(month, office)
    snapshot = ReportSnapshot(month=str(month), scope=report.scope_key,
                              figures=json.dumps(report.to_dict(), ensure_ascii=False),
                              published_by_id=manager.id)
    db.session.add(snapshot)
    audit.record("report.published", object_type="report",
                 object_id=f"{month}/{report.scope_key}", actor=manager)
    db.session.commit()
    return snapshot


def threshold() -> int:
    return current_app.config.get("SMALL_COUNT_THRESHOLD", 5)
