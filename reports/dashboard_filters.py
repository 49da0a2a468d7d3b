"""The dashboard filters (period, team, owner) and how they narrow a data set's scoped queryset."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .registry import Dataset


@dataclass(frozen=True)
class DashboardFilters:
    start: datetime.date
    end: datetime.date  # inclusive
    team: int | None = None
    owner: int | None = None

    @classmethod
    def default(cls, *, months=12):
        """The last ``months`` whole months and the current month so far.

        Counting the current month as one of the twelve made "last 12 months" in December the same as
        "this year" (1 January to today), and in January a single month of history.
        """
        today = timezone.localdate()
        return cls(start=_add_months(today.replace(day=1), -months), end=today)

    def months(self) -> list[datetime.date]:
        """First days of the months the period touches, oldest first."""
        months, current = [], self.start.replace(day=1)
        while current <= self.end:
            months.append(current)
            current = _add_months(current, 1)
        return months

    def start_at(self) -> datetime.datetime:
        return _local_midnight(self.start)

    def end_before(self) -> datetime.datetime:
        return _local_midnight(self.end + datetime.timedelta(days=1))

    def query(self) -> dict:
        """What the filter form would send to reproduce these filters."""
        data = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.team:
            data["team"] = self.team
        if self.owner:
            data["owner"] = self.owner
        return data


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1, day=1)


def month_end(month: datetime.date) -> datetime.date:
    return _add_months(month, 1) - datetime.timedelta(days=1)


def narrow(dataset: Dataset, queryset, filters: DashboardFilters, *, period=True):
    """Apply owner, team and (unless ``period`` is False) the period to a scoped queryset."""
    if filters.owner and dataset.owner_path:
        queryset = queryset.filter(**{f"{dataset.owner_path}_id": filters.owner})
    if filters.team and dataset.team_path:
        queryset = queryset.filter(**{f"{dataset.team_path}_id": filters.team})
    if period and dataset.date_path:
        queryset = queryset.filter(
            **{f"{dataset.date_path}__gte": filters.start_at(), f"{dataset.date_path}__lt": filters.end_before()}
        )
    return queryset
