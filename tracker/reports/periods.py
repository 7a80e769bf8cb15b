"""Report months: a calendar month in the office's own time zone, as UTC instants."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from tracker.i18n import local_date


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        """'2026-10' -> Month(2026, 10); ValueError otherwise."""
        match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
        if not match:
            raise ValueError(_("Give the month as YYYY-MM, e.g. 2026-10."))
        year, month = int(match.group(1)), int(match.group(2))
        if not (1 <= month <= 12 and 2000 <= year <= 2100):
            raise ValueError(_("Give a month between 2000-01 and 2100-12."))
        return cls(year, month)

    @classmethod
    def containing(cls, moment: datetime, time_zone: str) -> "Month":
        local = moment.astimezone(ZoneInfo(time_zone))
        return cls(local.year, local.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """"December 2026", or "desember 2026" to a Norwegian reader."""
        return local_date(self.first_day, "month")

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> "Month":
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> "Month":
        return Month(self.year - (self.month == 1), 12 if self.month == 1 else self.month - 1)

    def bounds(self, time_zone: str) -> tuple[datetime, datetime]:
        """[start, end) of the month in the zone, as UTC datetimes."""
        zone = ZoneInfo(time_zone)
        start = datetime.combine(self.first_day, time.min, tzinfo=zone)
        end = datetime.combine(self.next().first_day, time.min, tzinfo=zone)
        return start.astimezone(timezone.utc), end.astimezone(timezone.utc)

    def last_months(self, count: int) -> list["Month"]:
        """This month and the count-1 before it, oldest first."""
        months = [self]
        while len(months) < count:
            months.append(months[-1].previous())
        return months[::-1]
