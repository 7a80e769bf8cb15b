"""Every figure of the monthly report, counted by the database (GROUP BY), never in Python.

Each function runs one aggregate query (two for the percentiles) and returns a `Table`: row
labels, column labels and integer (or day) values. Nothing here writes.

Each query names the case kind and keeps only the rows that can count for the month (opened,
resolved or closed in it, or not closed before its end), so that the indexes on cases (kind,
opened_at), (kind, resolved_at) and (kind, closed_at) find them instead of a scan of every
case opened before the month's end. The counted conditions are unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, case, distinct, func, or_, select, true

from tracker.cases.models import Case, CaseKind
from tracker.consular.categories import CATEGORIES, Category, Channel
from tracker.consular.models import ConsularRequest, Enquiry, request_subjects
from tracker.extensions import db
from tracker.i18n import english as source_text
from tracker.police.categories import (
    Direction,
    NordicCountry,
    Outcome,
    PartyRole,
    PoliceCategory,
)
from tracker.police.models import CaseParty, Exchange, LiaisonCase
from tracker.reports.periods import Month
from tracker.reports.sql import seconds_between, unindexed

SENSITIVE_CATEGORIES = frozenset(c for c, info in CATEGORIES.items() if info.sensitive)


@dataclass
class Table:
    """A figure table as the report shows it. `sensitive_rows`: rows whose small counts are
    suppressed (all rows when `sensitive` is set)."""

    key: str
    title: str
    row_header: str
    columns: list[str]
    rows: list[tuple[str, list]]  # (label, values)
    sensitive: bool = False
    sensitive_rows: set[str] = field(default_factory=set)
    totals: bool = True  # a total per column
    unit: str = "count"  # or "days"
    row_totals: bool = False  # a total per row (where the columns add up)

    def __post_init__(self):
        # Titles and labels are kept (and published) in English, the words' msgids: the
        # display (render.py) says them in the reader's language.
        self.title, self.row_header = source_text(self.title), source_text(self.row_header)
        self.columns = [source_text(c) for c in self.columns]
        self.rows = [(source_text(label), values) for label, values in self.rows]
        self.sensitive_rows = {source_text(label) for label in self.sensitive_rows}

    def value(self, row: str, column: str):
        for label, values in self.rows:
            if label == row:
                return values[self.columns.index(column)]
        raise KeyError(row)

    def as_dict(self) -> dict:
        return {"key": self.key, "title": self.title, "row_header": self.row_header,
                "columns": self.columns, "rows": [[label, list(values)]
                                                  for label, values in self.rows],
                "sensitive": self.sensitive, "sensitive_rows": sorted(self.sensitive_rows),
                "totals": self.totals, "unit": self.unit, "row_totals": self.row_totals}

    @classmethod
    def from_dict(cls, data: dict) -> "Table":
        return cls(key=data["key"], title=data["title"], row_header=data["row_header"],
                   columns=list(data["columns"]),
                   rows=[(label, list(values)) for label, values in data["rows"]],
                   sensitive=data["sensitive"], sensitive_rows=set(data["sensitive_rows"]),
                   totals=data["totals"], unit=data["unit"],
                   row_totals=data.get("row_totals", False))


@dataclass(frozen=True)
class Scope:
    """Which month, which office (None: all), and the month's bounds as UTC instants."""

    month: Month
    office_id: int | None
    start: datetime
    end: datetime


def _in(column, scope: Scope):
    return and_(column >= scope.start, column < scope.end)


def _kind(kind: CaseKind):
    """`cases.kind = 'the kind'`, the kind written into the SQL rather than bound: PostgreSQL
    keeps a statement's generic plan after a few runs on a connection, and a generic plan that
    does not know the kind scanned every case for the handful of liaison cases (~140 ms each
    at 1,000,000 requests)."""
    return Case.kind == bindparam(f"kind_{kind.value}", kind, type_=Case.kind.type,
                                  literal_execute=True)


CONSULAR = _kind(CaseKind.CONSULAR_REQUEST)
POLICE = _kind(CaseKind.LIAISON_CASE)


def _may_count(scope: Scope, kind, *columns):
    """Cases of `kind` with one of `columns` in the month, or not closed before its end (a
    superset of those unfinished at the end, whose test includes closed_at).

    The kind is in every arm, so that each arm is a range on one kind-first index (SQLite
    uses them only so); with `opened_at < end` written `unindexed(Case.opened_at) < end`.
    """
    return or_(*[and_(kind, _in(column, scope)) for column in columns],
               and_(kind, Case.closed_at.is_(None)), and_(kind, Case.closed_at >= scope.end))


def _office(scope: Scope, column=Case.office_id):
    return column == scope.office_id if scope.office_id else true()


def _count_if(condition):
    return func.sum(case((condition, 1), else_=0))


def _pivot(rows, row_keys, col_keys) -> list[tuple]:
    """Query rows (row key, column key, value) laid out as a full grid with zeros."""
    grid = {(r, c): 0 for r in row_keys for c in col_keys}
    for r, c, value in rows:
        if (r, c) in grid:
            grid[(r, c)] = int(value or 0)
    return [[grid[(r, c)] for c in col_keys] for r in row_keys]


# --- consular -------------------------------------------------------------------------------


def enquiries_by_topic_and_channel(scope: Scope) -> Table:
    start, end = scope.month.first_day, scope.month.next().first_day
    rows = db.session.execute(
        select(Enquiry.topic, Enquiry.channel, func.count())
        .where(Enquiry.received_on >= start, Enquiry.received_on < end,
               Enquiry.office_id == scope.office_id if scope.office_id else true())
        .group_by(Enquiry.topic, Enquiry.channel)).all()
    topics, channels = list(Category), list(Channel)
    grid = _pivot(rows, topics, channels)
    return Table("enquiries", _l("Enquiries by topic and channel"), _l("Topic"),
                 [c.label for c in channels],
                 [(t.label, values) for t, values in zip(topics, grid)], row_totals=True)


def _request_measures(scope: Scope):
    """Opened, resolved, closed in the month, and open at its end, as conditional sums."""
    r = ConsularRequest
    open_at_end = and_(r.opened_at < scope.end,
                       or_(r.resolved_at.is_(None), r.resolved_at >= scope.end),
                       or_(r.closed_at.is_(None), r.closed_at >= scope.end))
    return [_count_if(_in(r.opened_at, scope)), _count_if(_in(r.resolved_at, scope)),
            _count_if(_in(r.closed_at, scope) & (r.status != "cancelled")),
            _count_if(open_at_end)]


MEASURES = [_l("Opened"), _l("Resolved"), _l("Closed"), _l("Open at month end")]


def requests_by_category(scope: Scope) -> Table:
    rows = db.session.execute(
        select(ConsularRequest.category, *_request_measures(scope)).select_from(ConsularRequest)
        .where(_office(scope), unindexed(Case.opened_at) < scope.end,
               _may_count(scope, CONSULAR, Case.opened_at, Case.resolved_at, Case.closed_at))
        .group_by(ConsularRequest.category)).all()
    found = {row[0]: [int(v or 0) for v in row[1:]] for row in rows}
    return Table("requests_by_category", _l("Requests by category"), _l("Category"), MEASURES,
                 [(c.label, found.get(c, [0, 0, 0, 0])) for c in Category],
                 sensitive_rows={c.label for c in SENSITIVE_CATEGORIES})


def requests_by_office(scope: Scope, offices: list) -> Table:
    rows = db.session.execute(
        select(ConsularRequest.office_id, *_request_measures(scope)).select_from(ConsularRequest)
        .where(_office(scope), unindexed(Case.opened_at) < scope.end,
               _may_count(scope, CONSULAR, Case.opened_at, Case.resolved_at, Case.closed_at))
        .group_by(ConsularRequest.office_id)).all()
    found = {row[0]: [int(v or 0) for v in row[1:]] for row in rows}
    shown = [o for o in offices if not scope.office_id or o.id == scope.office_id]
    return Table("requests_by_office", _l("Requests by office"), _l("Office"), MEASURES,
                 [(o.name, found.get(o.id, [0, 0, 0, 0])) for o in shown])


def time_to_resolution(scope: Scope) -> Table:
    """Median and 90th percentile days from opening to resolution, time on hold excluded.

    Percentiles by the nearest-rank method with window functions and integer arithmetic,
    which both databases run alike: rank = ceil(p * n / 100) = (p * n + 99) // 100.
    """
    r = ConsularRequest
    seconds = seconds_between(r.resolved_at, r.opened_at) - r.paused_seconds
    ranked = (
        select(r.category.label("category"), seconds.label("s"),
               func.row_number().over(partition_by=r.category, order_by=seconds).label("rn"),
               func.count().over(partition_by=r.category).label("n"))
        .select_from(r).where(CONSULAR, _office(scope), _in(r.resolved_at, scope))
        .subquery())
    rows = db.session.execute(
        select(ranked.c.category, func.max(ranked.c.n),
               func.max(case((ranked.c.rn == (50 * ranked.c.n + 99) // 100, ranked.c.s))),
               func.max(case((ranked.c.rn == (90 * ranked.c.n + 99) // 100, ranked.c.s))))
        .group_by(ranked.c.category)).all()
    found = {row[0]: row[1:] for row in rows}

    def days(seconds):
        # Whole seconds from the database; rounded half up to a tenth of a day in exact
        # decimal arithmetic (float round() would turn 0.25 into 0.2 but 0.35 into 0.3).
        if seconds is None:
            return None
        exact = Decimal(max(int(seconds), 0)) / Decimal(86400)
        return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    return Table("time_to_resolution", _l("Days to resolution (time on hold excluded)"),
                 _l("Category"), [_l("Resolved"), _l("Median days"), _l("90th percentile days")],
                 [(c.label, [int(found[c][0]), days(found[c][1]), days(found[c][2])]
                   if c in found else [0, None, None]) for c in Category],
                 sensitive_rows={c.label for c in SENSITIVE_CATEGORIES}, totals=False,
                 unit="days")


def past_target(scope: Scope) -> Table:
    r = ConsularRequest
    open_late = and_(r.opened_at < scope.end, r.due_at < scope.end,
                     or_(r.resolved_at.is_(None), r.resolved_at >= scope.end),
                     or_(r.closed_at.is_(None), r.closed_at >= scope.end))
    resolved_late = and_(_in(r.resolved_at, scope), r.resolved_at > r.due_at)
    rows = db.session.execute(
        select(r.category, _count_if(open_late), _count_if(resolved_late)).select_from(r)
        .where(_office(scope), unindexed(Case.opened_at) < scope.end,
               _may_count(scope, CONSULAR, Case.resolved_at))
        .group_by(r.category)).all()
    found = {row[0]: [int(v or 0) for v in row[1:]] for row in rows}
    return Table("past_target", _l("Past the service target"), _l("Category"),
                 [_l("Open and overdue at month end"), _l("Resolved late in the month")],
                 [(c.label, found.get(c, [0, 0])) for c in Category],
                 sensitive_rows={c.label for c in SENSITIVE_CATEGORIES})


def published_counts(scope: Scope) -> Table:
    """The counts ministries publish, for the month."""
    r = ConsularRequest
    opened = _in(r.opened_at, scope)
    row = db.session.execute(
        select(_count_if(_in(r.resolved_at, scope) & (r.category == Category.PASSPORT)
                         & (r.subcategory == "emergency") & (r.closing_reason == "issued")),
               _count_if(opened & (r.category == Category.DEATH)),
               _count_if(opened & (r.category == Category.ARREST)),
               _count_if(opened & (r.category == Category.HOSPITALISATION)),
               _count_if(opened & (r.category == Category.REPORT_OF_CONCERN)))
        .select_from(r).where(_office(scope), or_(and_(CONSULAR, _in(Case.opened_at, scope)),
                                                  and_(CONSULAR, _in(Case.resolved_at, scope))))
    ).one()
    labels = [_l("Emergency passports issued"), _l("Deaths"), _l("Arrests"),
              _l("Hospitalisations"), _l("Reports of concern")]
    return Table("published_counts", _l("Counts for publication"), _l("Figure"),
                 [_l("Count")], [(label, [int(v or 0)]) for label, v in zip(labels, row)],
                 sensitive_rows={"Deaths", "Arrests", "Reports of concern"}, totals=False)


def persons_helped(scope: Scope) -> Table:
    """Distinct persons the requests opened in the month were about: not the same as cases."""
    count = db.session.scalar(
        select(func.count(distinct(request_subjects.c.person_id)))
        .join(ConsularRequest, ConsularRequest.id == request_subjects.c.request_id)
        .where(CONSULAR, _office(scope, ConsularRequest.office_id),
               _in(ConsularRequest.opened_at, scope)))
    requests = db.session.scalar(
        select(func.count()).select_from(Case)
        .where(CONSULAR, _office(scope), _in(Case.opened_at, scope)))
    return Table("persons_helped", _l("Persons helped and requests opened"), _l("Figure"),
                 [_l("Count")], [(_l("Persons helped"), [int(count or 0)]),
                                 (_l("Requests opened"), [int(requests)])],
                 totals=False)


# --- police (aggregates only) ---------------------------------------------------------------
# A liaison case belongs to the office it was opened at, like every case: a report cut by
# office counts only that office's cases (the whole report is about that office).

POLICE_MEASURES = [_l("Opened"), _l("Closed"), _l("Active at month end")]


def _police_measures(scope: Scope):
    c = LiaisonCase
    active = and_(c.opened_at < scope.end, or_(c.closed_at.is_(None), c.closed_at >= scope.end))
    return [_count_if(_in(c.opened_at, scope)), _count_if(_in(c.closed_at, scope)),
            _count_if(active)]


def police_by_category(scope: Scope) -> Table:
    rows = db.session.execute(
        select(LiaisonCase.category, *_police_measures(scope)).select_from(LiaisonCase)
        .where(_office(scope), unindexed(Case.opened_at) < scope.end,
               _may_count(scope, POLICE, Case.opened_at, Case.closed_at))
        .group_by(LiaisonCase.category)).all()
    found = {row[0]: [int(v or 0) for v in row[1:]] for row in rows}
    return Table("police_by_category", _l("Liaison cases by kind"), _l("Kind"), POLICE_MEASURES,
                 [(k.label, found.get(k, [0, 0, 0])) for k in PoliceCategory], sensitive=True)


def police_by_country(scope: Scope) -> Table:
    rows = db.session.execute(
        select(LiaisonCase.country, *_police_measures(scope)).select_from(LiaisonCase)
        .where(_office(scope), unindexed(Case.opened_at) < scope.end,
               _may_count(scope, POLICE, Case.opened_at, Case.closed_at))
        .group_by(LiaisonCase.country)).all()
    found = {row[0]: [int(v or 0) for v in row[1:]] for row in rows}
    return Table("police_by_country", _l("Liaison cases by the country they are handled for"),
                 _l("Country"), POLICE_MEASURES,
                 [(k.label, found.get(k, [0, 0, 0])) for k in NordicCountry], sensitive=True)


def police_exchanges(scope: Scope) -> Table:
    start, end = scope.month.first_day, scope.month.next().first_day
    rows = db.session.execute(
        select(LiaisonCase.country, Exchange.direction, func.count())
        .join(LiaisonCase, LiaisonCase.id == Exchange.case_id)
        .where(_office(scope), Exchange.exchanged_on >= start, Exchange.exchanged_on < end)
        .group_by(LiaisonCase.country, Exchange.direction)).all()
    countries, directions = list(NordicCountry), list(Direction)
    grid = _pivot(rows, countries, directions)
    return Table("police_exchanges", _l("Exchanges with counterparts"), _l("Country"),
                 [d.label for d in directions],
                 [(c.label, values) for c, values in zip(countries, grid)], sensitive=True,
                 row_totals=True)


def police_children(scope: Scope) -> Table:
    """Children in child-abduction cases, counted apart from the cases."""
    c = LiaisonCase
    active = and_(c.opened_at < scope.end, or_(c.closed_at.is_(None), c.closed_at >= scope.end))
    row = db.session.execute(
        select(func.count(distinct(case((_in(c.opened_at, scope), c.id)))),
               func.count(distinct(case((_in(c.opened_at, scope), CaseParty.person_id)))),
               func.count(distinct(case((active, c.id)))),
               func.count(distinct(case((active, CaseParty.person_id)))))
        .select_from(c)
        .outerjoin(CaseParty, and_(CaseParty.case_id == c.id,
                                   CaseParty.role == PartyRole.ABDUCTED_CHILD))
        .where(_office(scope), c.category == PoliceCategory.CHILD_ABDUCTION,
               unindexed(Case.opened_at) < scope.end,
               _may_count(scope, POLICE, Case.opened_at))).one()
    return Table("police_children", _l("Child abduction: cases and children"), _l("Figure"),
                 [_l("Cases"), _l("Children")],
                 [(_l("Opened in the month"), [int(row[0]), int(row[1])]),
                  (_l("Active at month end"), [int(row[2]), int(row[3])])],
                 sensitive=True, totals=False)


def police_outcomes(scope: Scope) -> Table:
    rows = db.session.execute(
        select(LiaisonCase.closing_reason, func.count()).select_from(LiaisonCase)
        .where(POLICE, _office(scope), _in(LiaisonCase.closed_at, scope))
        .group_by(LiaisonCase.closing_reason)).all()
    found = {row[0]: int(row[1]) for row in rows}
    return Table("police_outcomes", _l("Outcomes of cases closed in the month"), _l("Outcome"),
                 [_l("Cases")], [(o.label, [found.get(o.value, 0)]) for o in Outcome],
                 sensitive=True)


# --- trends ---------------------------------------------------------------------------------


def trends(scope: Scope, months: list[Month], time_zone: str) -> dict[str, list[int]]:
    """Twelve months of the main figures, each series one query of conditional sums."""
    bounds = [m.bounds(time_zone) for m in months]
    r = Case  # a case of the consular kind is a consular request: no join needed
    opened = db.session.execute(select(*[
        _count_if(and_(r.opened_at >= s, r.opened_at < e)) for s, e in bounds]).select_from(r)
        .where(CONSULAR,
               _office(scope), r.opened_at >= bounds[0][0], r.opened_at < bounds[-1][1])).one()
    resolved = db.session.execute(select(*[
        _count_if(and_(r.resolved_at >= s, r.resolved_at < e)) for s, e in bounds])
        .select_from(r).where(CONSULAR,
        _office(scope), r.resolved_at >= bounds[0][0], r.resolved_at < bounds[-1][1])).one()
    days = [(m.first_day, m.next().first_day) for m in months]
    enquiries = db.session.execute(select(*[
        _count_if(and_(Enquiry.received_on >= s, Enquiry.received_on < e)) for s, e in days])
        .where(Enquiry.office_id == scope.office_id if scope.office_id else true(),
               Enquiry.received_on >= days[0][0], Enquiry.received_on < days[-1][1])).one()
    police = db.session.execute(select(*[
        _count_if(and_(LiaisonCase.opened_at >= s, LiaisonCase.opened_at < e))
        for s, e in bounds]).select_from(LiaisonCase).where(
        POLICE, _office(scope), LiaisonCase.opened_at >= bounds[0][0],
        LiaisonCase.opened_at < bounds[-1][1])).one()
    as_ints = lambda row: [int(v or 0) for v in row]  # noqa: E731
    # English labels, as published; the chart says them in the reader's language (charts.py).
    return {"labels": [m.first_day.strftime("%b %Y") for m in months],
            "consular_opened": as_ints(opened), "consular_resolved": as_ints(resolved),
            "enquiries": as_ints(enquiries), "police_opened": as_ints(police)}
