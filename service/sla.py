"""SLA clock arithmetic: pure functions over a working calendar, no database.

A :class:`WorkingHours` says when the clock runs: on which weekdays, between which local times,
minus holidays, plus make-up working days (调休, a Saturday worked in exchange for a holiday). With
no calendar (``None``) the clock runs around the clock (calendar hours).

Two questions are asked of it: how much working time lies between two instants
(:func:`work_seconds_between`) and when a given amount of working time, started at an instant, runs
out (:func:`add_work_seconds`). Pauses (waiting on the customer) are handled by the caller: it keeps
the working time left when the pause starts and adds it again from the moment the pause ends.
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

# A calendar with no working time at all would make a deadline search run forever; stop after this.
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class WorkingHours:
    timezone: str = "Asia/Shanghai"
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday is 0
    start: time = time(9, 0)
    end: time = time(18, 0)
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.timezone)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() in self.weekdays and day not in self.holidays

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's working period as aware datetimes, or None on a day off."""
        if not self.is_working_day(day) or self.end <= self.start:
            return None
        zone = self.zone
        return datetime.combine(day, self.start, tzinfo=zone), datetime.combine(day, self.end, tzinfo=zone)


def _days(calendar: WorkingHours, start: datetime):
    day = start.astimezone(calendar.zone).date()
    for offset in range(MAX_DAYS):
        yield day + timedelta(days=offset)


def work_seconds_between(calendar: WorkingHours | None, start: datetime, end: datetime) -> int:
    """Working seconds in ``[start, end)``; 0 when ``end`` is not after ``start``."""
    if end <= start:
        return 0
    if calendar is None:
        return int((end - start).total_seconds())
    total = 0.0
    for day in _days(calendar, start):
        window = calendar.window(day)
        if window is None:
            if datetime.combine(day, time.min, tzinfo=calendar.zone) >= end:
                break
            continue
        opens, closes = window
        if opens >= end:
            break
        overlap = (min(closes, end) - max(opens, start)).total_seconds()
        if overlap > 0:
            total += overlap
    return int(total)


def add_work_seconds(calendar: WorkingHours | None, start: datetime, seconds: int) -> datetime:
    """The instant at which ``seconds`` of working time, counted from ``start``, have passed.

    A clock started outside working hours starts at the next opening; a deadline that falls exactly
    at closing time stays at closing time rather than moving to the next morning.
    """
    if calendar is None:
        return start + timedelta(seconds=seconds)
    remaining = float(max(seconds, 0))
    for day in _days(calendar, start):
        window = calendar.window(day)
        if window is None:
            continue
        opens, closes = window
        begin = max(opens, start)
        if begin >= closes:
            continue
        available = (closes - begin).total_seconds()
        if remaining <= available:
            return (begin + timedelta(seconds=remaining)).astimezone(start.tzinfo)
        remaining -= available
    raise ValueError("The working calendar has no working time in the next three years.")
