"""The service-target clock: due dates in working days, in the office's own time zone."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKEND = (5, 6)  # Saturday and Sunday, the embassy's days off


def add_working_days(start: datetime, days: int, time_zone: str) -> datetime:
    """The end of the `days`-th working day after `start`, in UTC.

    Public holidays are not counted out (yet): the target is a guide for the queue, and a
    request due on a holiday shows as due that day.
    """
    zone = ZoneInfo(time_zone)
    day = start.astimezone(zone).date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if day.weekday() not in WEEKEND:
            remaining -= 1
    end_of_day = datetime.combine(day, time(23, 59, 59), tzinfo=zone)
    return end_of_day.astimezone(ZoneInfo("UTC"))


def office_today(time_zone: str, now: datetime) -> date:
    """Today's date in the office's time zone."""
    return now.astimezone(ZoneInfo(time_zone)).date()
