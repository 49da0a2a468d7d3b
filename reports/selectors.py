"""Reads of the reports app for a user: every figure starts from the data sets' scoped querysets."""

from django.contrib.auth.models import Group
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.selectors import assignable_users
from crm.scope import Module, visible_teams

from . import builder, statistics
from .caching import cached
from .dashboard_filters import DashboardFilters
from .models import ReportRun, ReportSchedule, SavedReport
from .panels.customers import headline_numbers
from .registry import Dataset, dataset_get, datasets_for, panels_for, template_get


def dashboard(*, user, filters: DashboardFilters, big_screen=False) -> dict:
    """The headline numbers and every panel the user may see, each computed in SQL."""
    panels = panels_for(user, big_screen=big_screen)

    def compute():
        return {
            "numbers": [{**n, "label": str(n["label"])} for n in headline_numbers(user, filters)],
            "charts": [(panel.key, panel.compute(user, filters).frozen()) for panel in panels],
        }

    data = cached("dashboard", user=user, params=[filters.query(), [p.key for p in panels]], compute=compute)
    by_key = {panel.key: panel for panel in panels}
    return {"numbers": data["numbers"], "charts": [(by_key[key], chart) for key, chart in data["charts"]]}


def filter_teams(*, user):
    """Teams the dashboard team filter offers: those within the user's customer scope."""
    return visible_teams(user, Module.CUSTOMERS)


def filter_owners(*, user):
    return assignable_users(user=user, module=Module.CUSTOMERS)


def saved_report_list(*, user):
    return SavedReport.objects.visible_to(user).select_related("owner").order_by("name", "id")


def saved_report_get(*, user, pk) -> SavedReport:
    """A saved report the user owns or that was shared with them, or 404."""
    return get_object_or_404(SavedReport.objects.visible_to(user).select_related("owner"), pk=pk)


def saved_report_owned(*, user, pk) -> SavedReport:
    """A report the user owns (only the owner edits or deletes), or 404; ``pk`` may come from a form."""
    if not str(pk).isdigit():
        raise Http404
    return get_object_or_404(SavedReport.objects.filter(owner=user), pk=pk)


def saved_report_result(*, user, report: SavedReport):
    """The report's table and chart computed with ``user``'s own scope; 404 for a data set they lack."""
    dataset = dataset_get(report.dataset)
    if dataset is None or not dataset.available_to(user):
        raise Http404
    return report_result(user=user, dataset=dataset, definition=report.definition, title=report.name)


def report_result(*, user, dataset, definition, title=""):
    """A custom report's table and chart for ``user`` (cached briefly, see reports/caching.py)."""
    clean = builder.validate(dataset, definition)

    def compute():
        table, chart = builder.run(dataset, clean, user=user, title=title)
        return table.frozen(), chart.frozen() if chart else None

    return cached("report", user=user, params=[dataset.key, clean, str(title)], compute=compute)


def schedules_for(*, user, recent_runs=5):
    """The user's schedules, each with its latest runs (one extra query for all of them)."""
    runs = ReportRun.objects.order_by("-ran_at", "-id")[:recent_runs]
    return (
        ReportSchedule.objects.filter(owner=user)
        .select_related("report")
        .prefetch_related(Prefetch("runs", queryset=runs, to_attr="recent_runs"))
        .order_by("report__name", "id")
    )


def schedule_owned(*, user, pk) -> ReportSchedule:
    return get_object_or_404(ReportSchedule.objects.filter(owner=user), pk=pk)


def share_roles():
    return Group.objects.order_by("name")


def template_tables(*, user, key, filters: DashboardFilters):
    template = template_get(key)
    if template is None or not user.has_perms(template.permissions):
        raise Http404
    return template, template.build(user, filters)


def builder_datasets(*, user, key="") -> tuple[list[Dataset], Dataset]:
    """The data sets ``user`` may build reports on, and the one ``key`` names (their first where it names
    none of them); 404 when there are none."""
    return _chosen(datasets_for(user), key)


def statistics_datasets(*, user, key="") -> tuple[list[Dataset], Dataset]:
    """The data sets ``user`` may study (those with two measures or more), and the one ``key`` names."""
    return _chosen([d for d in datasets_for(user) if len(d.measures) >= 2], key)


def _chosen(datasets, key):
    if not datasets:
        raise Http404
    dataset = dataset_get(key) if key else None
    return datasets, dataset if dataset in datasets else datasets[0]


def statistics_result(*, user, dataset: Dataset, measures: list[str], x: str, y: str) -> dict:
    """Descriptive statistics and correlations of ``measures``, and the regression of ``y`` on ``x`` with a
    scatter sample, over the rows ``user`` may see."""
    queryset = dataset.queryset(user)
    labels = [str(dataset.measure(key).label) for key in measures]
    matrix = statistics.correlation_matrix(dataset, queryset, measures)
    regression = statistics.regression(dataset, queryset, x=x, y=y)
    return {
        "descriptive": statistics.descriptive(dataset, queryset, measures),
        "labels": labels,
        "matrix": matrix,
        "matrix_rows": list(zip(labels, matrix, strict=True)),
        "regression": regression,
        "scatter": {
            "points": statistics.scatter_sample(dataset, queryset, x=x, y=y),
            "x_label": str(dataset.measure(x).label),
            "y_label": str(dataset.measure(y).label),
            "slope": regression.slope,
            "intercept": regression.intercept,
        },
        "sample_limit": statistics.SCATTER_SAMPLE,
    }
