"""SLA clock arithmetic over a working calendar (Mon–Fri 09:00–18:00, Shanghai), with expectations worked
out by hand. 2026-11-20 is a Friday, 2026-11-23 a Monday, 2027-01-01 a Friday."""

import zoneinfo
from datetime import date, datetime, time

import pytest

from service.models import Queue, SlaPolicy, Ticket
from service.services.sla import sla_pause, sla_resume
from service.sla import WorkingHours, add_work_seconds, work_seconds_between

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
HOUR = 3600
OFFICE = WorkingHours(timezone="Asia/Shanghai")
NEW_YEAR = WorkingHours(timezone="Asia/Shanghai", holidays=frozenset({date(2027, 1, 1)}))


def at(day, hour, minute=0):
    """A time in November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SH)


def jan(day, hour, minute=0):
    """A time in January 2027."""
    return datetime(2027, 1, day, hour, minute, tzinfo=SH)


def test_within_one_working_day():
    assert add_work_seconds(OFFICE, at(23, 10), 4 * HOUR) == at(23, 14)


def test_the_clock_stops_overnight():
    # Monday 16:00 + 4 h = 2 h on Monday + 2 h from Tuesday 09:00
    assert add_work_seconds(OFFICE, at(23, 16), 4 * HOUR) == at(24, 11)


def test_the_clock_stops_over_the_weekend():
    # Friday 17:00 + 2 h = 1 h on Friday + 1 h on Monday
    assert add_work_seconds(OFFICE, at(20, 17), 2 * HOUR) == at(23, 10)
    assert work_seconds_between(OFFICE, at(20, 17), at(23, 10)) == 2 * HOUR


def test_a_clock_started_outside_hours_starts_at_the_next_opening():
    assert add_work_seconds(OFFICE, at(21, 12), HOUR) == at(23, 10)  # Saturday noon
    assert add_work_seconds(OFFICE, at(23, 7), 30 * 60) == at(23, 9, 30)  # Monday before opening
    assert add_work_seconds(OFFICE, at(23, 19), HOUR) == at(24, 10)  # Monday after closing


def test_a_deadline_at_closing_time_stays_at_closing_time():
    assert add_work_seconds(OFFICE, at(23, 9), 9 * HOUR) == at(23, 18)


def test_a_full_working_week_ends_on_friday_evening():
    assert add_work_seconds(OFFICE, at(23, 9), 45 * HOUR) == at(27, 18)
    assert work_seconds_between(OFFICE, at(23, 9), at(30, 9)) == 45 * HOUR


def test_holidays_are_skipped():
    # Thursday 31 Dec 17:00 + 2 h: 1 h on Thursday, New Year's Day and the weekend off, 1 h on Monday 4 Jan
    start = datetime(2026, 12, 31, 17, tzinfo=SH)
    assert add_work_seconds(NEW_YEAR, start, 2 * HOUR) == jan(4, 10)
    assert work_seconds_between(NEW_YEAR, start, jan(4, 10)) == 2 * HOUR


def test_a_make_up_working_day_counts_even_on_a_saturday():
    calendar = WorkingHours(
        timezone="Asia/Shanghai", holidays=frozenset({date(2027, 1, 1)}), workdays=frozenset({date(2027, 1, 2)})
    )
    start = datetime(2026, 12, 31, 17, tzinfo=SH)
    assert add_work_seconds(calendar, start, 2 * HOUR) == jan(2, 10)


def test_other_hours_and_weekdays():
    # A Saturday-to-Wednesday shop open 08:30–12:00
    calendar = WorkingHours(
        timezone="Asia/Shanghai", weekdays=frozenset({5, 6, 0, 1, 2}), start=time(8, 30), end=time(12)
    )
    # Thursday 20:00 + 4 h = Saturday 08:30–12:00 (3.5 h) + Sunday 08:30–09:00
    assert add_work_seconds(calendar, at(26, 20), 4 * HOUR) == at(29, 9)


def test_calendar_hours_run_around_the_clock():
    assert add_work_seconds(None, at(20, 17), 2 * HOUR) == at(20, 19)
    assert work_seconds_between(None, at(20, 17), at(23, 10)) == (2 * 24 + 17) * HOUR


def test_the_interval_is_empty_when_it_ends_before_it_starts():
    assert work_seconds_between(OFFICE, at(23, 12), at(23, 10)) == 0


def test_a_calendar_without_working_days_is_refused():
    with pytest.raises(ValueError):
        add_work_seconds(WorkingHours(weekdays=frozenset()), at(23, 10), HOUR)


def _ticket(created, *, due, warn):
    policy = SlaPolicy(priority="normal", first_response_minutes=60, resolution_minutes=9 * 60, business_hours=True)
    return Ticket(sla_policy=policy, queue=Queue(name="q"), resolution_due_at=due, resolution_warn_at=warn)


def test_waiting_on_the_customer_pauses_the_resolution_clock(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    # Opened Monday 10:00 with 9 working hours: due Tuesday 10:00, warning at 75% = 6 h 45 min → Monday 16:45.
    ticket = _ticket(at(23, 10), due=at(24, 10), warn=at(23, 16, 45))
    # Waiting from Monday 15:00 (5 h used, 4 h left; 1 h 45 min to the warning) ...
    sla_pause(ticket, at=at(23, 15))
    assert ticket.sla_remaining_seconds == 4 * HOUR
    assert ticket.sla_warn_remaining_seconds == 105 * 60
    # ... until the customer answers on Wednesday 11:00: 4 h from then is Wednesday 15:00.
    sla_resume(ticket, at=at(25, 11))
    assert ticket.resolution_due_at == at(25, 15)
    assert ticket.resolution_warn_at == at(25, 12, 45)
    assert ticket.sla_paused_at is None
    # the working time spent waiting: Monday 15–18, all of Tuesday, Wednesday 9–11
    assert ticket.sla_paused_seconds == (3 + 9 + 2) * HOUR


def test_a_pause_over_a_weekend_and_a_holiday(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    # Due Thursday 31 Dec 17:00; paused Thursday 16:00 with 1 h left; resumed Friday 1 Jan (a plain
    # working day for the default calendar) at 17:30: 30 min that day, 30 min on Monday.
    ticket = _ticket(None, due=datetime(2026, 12, 31, 17, tzinfo=SH), warn=datetime(2026, 12, 31, 15, tzinfo=SH))
    sla_pause(ticket, at=datetime(2026, 12, 31, 16, tzinfo=SH))
    sla_resume(ticket, at=datetime(2027, 1, 1, 17, 30, tzinfo=SH))
    assert ticket.resolution_due_at == jan(4, 9, 30)


def test_a_deadline_already_passed_is_not_paused():
    ticket = _ticket(at(23, 10), due=at(23, 12), warn=at(23, 11))
    sla_pause(ticket, at=at(23, 13))
    assert ticket.sla_paused_at is None
    sla_resume(ticket, at=at(24, 13))
    assert ticket.resolution_due_at == at(23, 12)
