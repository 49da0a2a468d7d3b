"""What the panels of every domain are built from: a link to the list behind a bar, counts and sums per
month in one grouped query, the stacked monthly chart, and the title that says when a summary was rebuilt."""

from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from .. import summaries
from ..dashboard_filters import DashboardFilters, month_end, narrow
from ..tables import Chart, Series

# How many bars (reps, sources, campaigns) a ranking panel shows.
TOP = 10


def list_link(url_name, **params) -> str:
    """The list page ``url_name`` filtered by ``params`` (empty ones left out)."""
    return f"{reverse(url_name)}?{urlencode({k: v for k, v in params.items() if v not in (None, '')})}"


def month_of(value):
    """The first day of a month as a date, whether the database truncated a date or a datetime."""
    return value.date() if hasattr(value, "date") else value


def in_period(path, filters: DashboardFilters) -> Q:
    return Q(**{f"{path}__gte": filters.start_at(), f"{path}__lt": filters.end_before()})


def percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


def titled(title, refreshed):
    """The title, saying when the summary it was read from was rebuilt (``refreshed``, None when live)."""
    return summaries.as_of(title, refreshed) if refreshed else title


def monthly(queryset, date_path, **aggregates) -> dict:
    """{first day of month: {aggregate: value}} in one grouped query."""
    rows = (
        queryset.order_by()
        .annotate(month=TruncMonth(date_path, tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(**aggregates)
    )
    return {month_of(row["month"]): row for row in rows}


def summary_month_counts(rows, split_field, measure):
    """{(month date, split value): sum of ``measure``} of summary ``rows`` (one per local day) in one grouped query."""
    rows = rows.order_by().annotate(month=TruncMonth("day")).values_list("month", split_field).annotate(n=Sum(measure))
    return {(month_of(month), split): n for month, split, n in rows}


def month_counts(queryset, date_path, split_field):
    """{(month date, split value): count} in one grouped query."""
    rows = (
        queryset.order_by()
        .annotate(month=TruncMonth(date_path, tzinfo=timezone.get_current_timezone()))
        .values("month", split_field)
        .annotate(n=Count("pk"))
    )
    return {(month_of(row["month"]), row[split_field]): row["n"] for row in rows}


def monthly_stacked(
    user, filters: DashboardFilters, *, dataset, split_field, choices, title, link, counts=None
) -> Chart:
    """Rows of ``dataset`` per month of its date, stacked by ``split_field`` (one grouped query).

    ``link(value, first_day, last_day)`` gives the filtered list behind one bar. ``counts`` (as
    ``month_counts`` returns them) stand in for the query where a summary already holds them.
    """
    if counts is None:
        counts = month_counts(narrow(dataset, dataset.queryset(user), filters), dataset.date_path, split_field)
    months = filters.months()
    series = [
        Series(
            label=label,
            values=[counts.get((m, value), 0) for m in months],
            links=[link(value, max(m, filters.start), min(month_end(m), filters.end)) for m in months],
        )
        for value, label in choices
    ]
    return Chart(title=title, kind="bar", labels=[m.strftime("%Y-%m") for m in months], series=series, stacked=True)
