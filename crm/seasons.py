"""When things happen in the demo's past: a business year with seasons, for the demo data's history.

The demo spreads its customers, communications, deals, orders, tickets, events and surveys over the last
``HISTORY_MONTHS`` months so that a newcomer's first dashboards, forecast and statistics show a company
with a past. The seasons are those of a Chinese B2B year: quiet around the Spring Festival (February) and
the National Day holidays (October), busy in spring, before the summer and at the year-end budget push,
and a business that grows a little each month.
"""

import calendar
import datetime
import random

from django.utils import timezone

HISTORY_MONTHS = 18
# Relative activity per calendar month.
MONTH_WEIGHTS = {1: 0.8, 2: 0.45, 3: 1.1, 4: 1.1, 5: 1.0, 6: 1.2, 7: 0.85, 8: 0.8, 9: 1.15, 10: 0.7, 11: 1.2, 12: 1.4}
GROWTH_PER_MONTH = 0.03


def history_months(months: int = HISTORY_MONTHS, today: datetime.date | None = None) -> list[datetime.date]:
    """First days of the last ``months`` months before the current one and of the current one, oldest first."""
    today = today or timezone.localdate()
    index = today.year * 12 + today.month - 1
    return [datetime.date((i) // 12, i % 12 + 1, 1) for i in range(index - months, index + 1)]


def month_weight(month: datetime.date, position: int) -> float:
    return MONTH_WEIGHTS[month.month] * (1 + GROWTH_PER_MONTH) ** position


def moments(
    rng: random.Random,
    count: int,
    *,
    months: int = HISTORY_MONTHS,
    after: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> list[datetime.datetime]:
    """``count`` aware datetimes in working hours on working days, sorted, spread over the last ``months``
    months (and the current one so far) with the seasons' weights; none before ``after`` or in the future.

    Every month of the period gets at least one when ``count`` allows, so no month of a chart is empty.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    candidates = history_months(months, today)
    if after is not None:
        first = timezone.localtime(after).date().replace(day=1)
        candidates = [m for m in candidates if m >= first] or [candidates[-1]]
    weights = [month_weight(m, i) for i, m in enumerate(candidates)]
    chosen = list(candidates) if count >= len(candidates) else []
    chosen += rng.choices(candidates, weights=weights, k=count - len(chosen))
    found = []
    for month in chosen:
        found.append(_moment_in(rng, month, today=today, now=now, after=after))
    return sorted(found)


def _moment_in(rng, month, *, today, now, after):
    last_day = calendar.monthrange(month.year, month.month)[1]
    if month.year == today.year and month.month == today.month:
        last_day = today.day
    for _attempt in range(6):
        day = month.replace(day=rng.randint(1, last_day))
        if day.weekday() < 5:
            break
    moment = timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(rng.randint(9, 17), rng.choice([0, 10, 15, 20, 30, 40, 45])))
    )
    if after is not None and moment <= after:
        moment = after + datetime.timedelta(hours=rng.randint(1, 72))
    return min(moment, now - datetime.timedelta(minutes=rng.randint(5, 600)))
