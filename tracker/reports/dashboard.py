"""The figures each role sees on landing: one or two aggregate queries each, read-only."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, select

from tracker.cases import scope as need_to_know
from tracker.auth.models import User
from tracker.consular import access as consular_access
from tracker.consular.models import ConsularRequest
from tracker.consular.services import overdue_clause
from tracker.consular.workflow import OPEN, Status
from tracker.db import utcnow
from tracker.extensions import db
from tracker.police.categories import Direction
from tracker.police.models import Exchange, LiaisonCase
from tracker.police.workflow import OPEN as POLICE_OPEN
from tracker.reports import figures
from tracker.reports.figures import Scope
from tracker.reports.periods import Month
from tracker.reports.report import threshold


def officer_queues(user: User) -> dict[str, int]:
    """My open requests, my office's unassigned ones, overdue and waiting (what I may read)."""
    r = ConsularRequest
    open_ = r.status.in_([s.value for s in OPEN])
    row = db.session.execute(
        select(figures._count_if(and_(open_, r.assigned_to_id == user.id)),
               figures._count_if(and_(open_, r.assigned_to_id.is_(None),
                                      r.office_id == user.office_id)),
               figures._count_if(overdue_clause(utcnow())),
               figures._count_if(r.status == Status.WAITING),
               figures._count_if(r.status == Status.PENDING_APPROVAL))
        .select_from(r).where(consular_access.readable(user), open_)).one()
    keys = ("mine", "unassigned", "overdue", "waiting", "pending_approval")
    return {k: int(v or 0) for k, v in zip(keys, row)}


def month_so_far(user: User) -> dict:
    """This month so far beside the whole of last month (all offices)."""
    this = Month.containing(utcnow(), user.office.time_zone)
    start, end = this.previous().bounds(user.office.time_zone)
    with need_to_know.unscoped("dashboard aggregates of every office, suppressed"):
        trends = figures.trends(Scope(this, None, start, end), [this.previous(), this],
                                user.office.time_zone)
    limit = threshold()

    def police(value: int) -> str:
        # Police figures reach managers as aggregates only, small counts hidden as in reports.
        return f"<{limit}" if 0 < value < limit else str(value)

    return {"this": this, "last": this.previous(),
            "rows": [(_("Requests opened"), *trends["consular_opened"][::-1]),
                     (_("Requests resolved"), *trends["consular_resolved"][::-1]),
                     (_("Enquiries"), *trends["enquiries"][::-1]),
                     (_("Liaison cases opened"), *map(police, trends["police_opened"][::-1]))]}


def police_figures(user: User) -> dict[str, int]:
    this = Month.containing(utcnow(), user.office.time_zone)
    start, end = this.bounds(user.office.time_zone)
    with need_to_know.unscoped("the compartment's own counts, restricted cases included"):
        c = LiaisonCase
        row = db.session.execute(
            select(figures._count_if(c.status.in_([s.value for s in POLICE_OPEN])),
                   figures._count_if(c.status == "awaiting_counterpart"),
                   figures._count_if(c.status == "mla_pending"),
                   figures._count_if(c.restricted.is_(True)))
            .select_from(c)).one()
        exchanges = db.session.execute(
            select(figures._count_if(Exchange.direction == Direction.SENT),
                   figures._count_if(Exchange.direction == Direction.RECEIVED))
            .where(Exchange.exchanged_on >= this.first_day,
                   Exchange.exchanged_on < this.next().first_day)).one()
    keys = ("open", "awaiting", "mla", "restricted")
    return {**{k: int(v or 0) for k, v in zip(keys, row)},
            "sent": int(exchanges[0] or 0), "received": int(exchanges[1] or 0),
            "month": this}

