"""Descriptive statistics, correlation and linear regression, each computed by PostgreSQL aggregates.

Only the results (and a bounded sample of points for the scatter plot) leave the database, so the
page costs the same few queries at a million rows as at a hundred.
"""

from dataclasses import dataclass

from django.contrib.postgres.aggregates import Corr, RegrCount, RegrIntercept, RegrR2, RegrSlope
from django.db.models import Aggregate, Avg, Count, FloatField, Max, Min, StdDev

from .registry import Dataset

SCATTER_SAMPLE = 2000


class PercentileCont(Aggregate):
    """``percentile_cont(fraction) WITHIN GROUP (ORDER BY expr)``: linear interpolation between rows,
    the same as Python's ``statistics.quantiles(method="inclusive")``."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclass
class Descriptive:
    key: str
    label: str
    count: int
    mean: float | None
    stdev: float | None
    minimum: float | None
    q1: float | None
    median: float | None
    q3: float | None
    maximum: float | None


@dataclass
class Regression:
    x: str
    y: str
    count: int
    slope: float | None
    intercept: float | None
    r2: float | None
    correlation: float | None


def _annotated(dataset: Dataset, queryset, keys):
    return queryset.order_by().annotate(**{f"m_{key}": dataset.measure(key).expression() for key in keys})


def descriptive(dataset: Dataset, queryset, keys: list[str]) -> list[Descriptive]:
    """Count, mean, sample standard deviation, min, quartiles and max of each measure, in one query."""
    qs = _annotated(dataset, queryset, keys)
    aggregates = {}
    for key in keys:
        column = f"m_{key}"
        aggregates.update(
            {
                f"{key}__count": Count(column),
                f"{key}__mean": Avg(column, output_field=FloatField()),
                f"{key}__stdev": StdDev(column, sample=True, output_field=FloatField()),
                f"{key}__min": Min(column, output_field=FloatField()),
                f"{key}__q1": PercentileCont(column, 0.25),
                f"{key}__median": PercentileCont(column, 0.5),
                f"{key}__q3": PercentileCont(column, 0.75),
                f"{key}__max": Max(column, output_field=FloatField()),
            }
        )
    values = qs.aggregate(**aggregates)
    return [
        Descriptive(
            key=key,
            label=str(dataset.measure(key).label),
            count=values[f"{key}__count"],
            mean=values[f"{key}__mean"],
            stdev=values[f"{key}__stdev"],
            minimum=values[f"{key}__min"],
            q1=values[f"{key}__q1"],
            median=values[f"{key}__median"],
            q3=values[f"{key}__q3"],
            maximum=values[f"{key}__max"],
        )
        for key in keys
    ]


def correlation_matrix(dataset: Dataset, queryset, keys: list[str]) -> list[list[float | None]]:
    """Pearson's r of every pair of measures (rows where both are present), in one query."""
    qs = _annotated(dataset, queryset, keys)
    aggregates = {}
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            aggregates[f"{a}__{b}"] = Corr(f"m_{a}", f"m_{b}")
    values = qs.aggregate(**aggregates) if aggregates else {}
    matrix = []
    for a in keys:
        row = []
        for b in keys:
            if a == b:
                row.append(1.0)
            else:
                row.append(values.get(f"{a}__{b}", values.get(f"{b}__{a}")))
        matrix.append(row)
    return matrix


def regression(dataset: Dataset, queryset, *, x: str, y: str) -> Regression:
    """Least-squares fit y = slope·x + intercept, with r² and r, in one query."""
    qs = _annotated(dataset, queryset, [x, y] if x != y else [x])
    mx, my = f"m_{x}", f"m_{y}"
    values = qs.aggregate(
        n=RegrCount(my, mx),
        slope=RegrSlope(my, mx),
        intercept=RegrIntercept(my, mx),
        r2=RegrR2(my, mx),
        r=Corr(my, mx),
    )
    return Regression(
        x=x,
        y=y,
        count=values["n"] or 0,
        slope=values["slope"],
        intercept=values["intercept"],
        r2=values["r2"],
        correlation=values["r"],
    )


def scatter_sample(dataset: Dataset, queryset, *, x: str, y: str, limit: int = SCATTER_SAMPLE) -> list[list[float]]:
    """At most ``limit`` (x, y) points where both are present: the newest rows by primary key."""
    qs = _annotated(dataset, queryset, [x, y] if x != y else [x])
    mx, my = f"m_{x}", f"m_{y}"
    rows = qs.filter(**{f"{mx}__isnull": False, f"{my}__isnull": False}).order_by("-pk").values_list(mx, my)[:limit]
    return [[float(a), float(b)] for a, b in rows]
