"""The customer dashboard panels (growth, sources, data quality, communications, follow-up tasks) and
the headline numbers above every dashboard.

Each panel is one or two aggregate queries over the user's scoped data, narrowed by the dashboard
filters; growth, sources, data quality and the headline numbers read the customer summary once it has
been rebuilt (``reports/summaries.py``).
"""

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Communication, Customer, FollowUpTask
from customers.services.quality import QUALITY_BUCKETS, quality_threshold

from .. import datasets, summaries
from ..dashboard_filters import DashboardFilters, narrow
from ..registry import Panel, register_panel
from ..tables import Chart, Series
from .base import in_period, list_link, month_counts, monthly, monthly_stacked, summary_month_counts, titled

SOURCE_CHOICES = [*Customer.Source.choices, ("", _("Unknown"))]


def customer_facts(user, filters: DashboardFilters) -> dict:
    """The headline numbers, sources and quality buckets of the user's customers in ONE scan.

    Three panels read it; it is kept on the user object for the rest of the request, so the table is
    scanned once instead of three times (the expensive part at a million customers). Once the customer
    summary has been rebuilt it is read instead, plus the few customers shared with the user.
    """
    memo = user.__dict__.setdefault("_report_customer_facts", {})
    if filters not in memo:
        if _customers_refreshed_at(user):
            facts = _summarised_customer_facts(user, filters)
            shared = _customer_aggregates(summaries.customers_shared_only(user, filters), filters)
            memo[filters] = {key: value + shared[key] for key, value in facts.items()}
        else:
            scoped = narrow(datasets.CUSTOMERS, datasets.CUSTOMERS.queryset(user), filters, period=False)
            memo[filters] = _customer_aggregates(scoped, filters)
    return memo[filters]


def _customers_refreshed_at(user):
    return summaries.refreshed_at(user, summaries.CUSTOMERS)


def _customer_aggregates(queryset, filters) -> dict:
    new = in_period("created_at", filters)
    return queryset.aggregate(
        total=Count("pk"),
        new=Count("pk", filter=new),
        vip=Count("pk", filter=Q(lifecycle_stage=Customer.Lifecycle.VIP)),
        **{f"s{i}": Count("pk", filter=new & Q(source=value)) for i, (value, _l) in enumerate(SOURCE_CHOICES)},
        **{
            f"b{low}": Count("pk", filter=Q(quality_score__gte=low, quality_score__lte=high))
            for low, high in QUALITY_BUCKETS
        },
    )


def _summarised_customer_facts(user, filters) -> dict:
    """``_customer_aggregates`` of the customers in the owner/team scope, from the customer summary."""
    facet = summaries.CustomerSummary.Facet
    quality = list(summaries.customers(user, filters, facet.QUALITY).values_list("lifecycle_stage", "quality_low",
                                                                                "customers"))  # fmt: skip
    growth = summaries.customers(user, filters, facet.GROWTH).aggregate(n=Sum("customers"))["n"] or 0
    sources = dict(
        summaries.customers(user, filters, facet.SOURCE).order_by().values_list("source").annotate(n=Sum("customers"))
    )
    facts = {
        "total": sum(n for _stage, _low, n in quality),
        "new": growth,
        "vip": sum(n for stage, _low, n in quality if stage == Customer.Lifecycle.VIP),
    }
    facts.update({f"s{i}": sources.get(value, 0) for i, (value, _l) in enumerate(SOURCE_CHOICES)})
    facts.update({f"b{low}": sum(n for _s, q, n in quality if q == low) for low, _high in QUALITY_BUCKETS})
    return facts


def customer_growth(user, filters: DashboardFilters) -> Chart:
    """New customers per month, stacked by lifecycle stage; a bar opens the customers created that month."""

    def link(stage, first, last):
        return list_link("customers:customer-list", lifecycle_stage=stage, owner=filters.owner,
                         created_after=first.isoformat(), created_before=last.isoformat())  # fmt: skip

    counts = None
    refreshed = _customers_refreshed_at(user)
    if refreshed:
        growth = summaries.customers(user, filters, summaries.CustomerSummary.Facet.GROWTH)
        counts = summary_month_counts(growth, "lifecycle_stage", "customers")
        shared = narrow(datasets.CUSTOMERS, summaries.customers_shared_only(user, filters), filters)
        for key, n in month_counts(shared, "created_at", "lifecycle_stage").items():
            counts[key] = counts.get(key, 0) + n
    return monthly_stacked(
        user, filters, dataset=datasets.CUSTOMERS, split_field="lifecycle_stage", choices=Customer.Lifecycle.choices,
        title=titled(_("New customers by month and lifecycle stage"), refreshed), link=link, counts=counts,
    )  # fmt: skip


def customers_by_source(user, filters: DashboardFilters) -> Chart:
    """Customers created in the period per source, in one conditional aggregate."""
    choices = SOURCE_CHOICES
    counts = customer_facts(user, filters)
    return Chart(
        title=titled(_("New customers by source"), _customers_refreshed_at(user)),
        kind="doughnut",
        labels=[label for _v, label in choices],
        series=[
            Series(
                label=_("Customers"),
                values=[counts[f"s{i}"] for i in range(len(choices))],
                links=[
                    list_link(
                        "customers:customer-list",
                        source=value,
                        owner=filters.owner,
                        created_after=filters.start.isoformat(),
                        created_before=filters.end.isoformat(),
                    )
                    if value
                    else None
                    for value, _label in choices
                ],
            )
        ],
    )


def data_quality(user, filters: DashboardFilters) -> Chart:
    """All customers in scope (not only new ones) by data-quality score bucket."""
    counts = customer_facts(user, filters)
    threshold = quality_threshold()
    return Chart(
        title=titled(_("Customers by data-quality score"), _customers_refreshed_at(user)),
        kind="bar",
        labels=[f"{low}–{high}" for low, high in QUALITY_BUCKETS],
        series=[
            Series(
                label=_("Customers"),
                values=[counts[f"b{low}"] for low, _h in QUALITY_BUCKETS],
                # The list filters on the threshold only: buckets below it open the incomplete customers.
                links=[
                    list_link(
                        "customers:customer-list",
                        owner=filters.owner,
                        quality="incomplete" if high < threshold else "complete",
                    )
                    for _low, high in QUALITY_BUCKETS
                ],
            )
        ],
    )


def communications_by_channel(user, filters: DashboardFilters) -> Chart:
    """Communications per month, stacked by channel; a bar opens that month's records of the channel."""

    def link(channel, first, last):
        return list_link("customers:communication-list", channel=channel, owner=filters.owner,
                         occurred_after=first.isoformat(), occurred_before=last.isoformat())  # fmt: skip

    counts = None
    refreshed = summaries.refreshed_at(user, summaries.COMMUNICATIONS)
    if refreshed:
        counts = summary_month_counts(summaries.communications(user, filters), "channel", "communications")
        dataset = datasets.COMMUNICATIONS
        shared = narrow(dataset, summaries.communications_shared_only(user), filters)
        for key, n in month_counts(shared, dataset.date_path, "channel").items():
            counts[key] = counts.get(key, 0) + n
    return monthly_stacked(
        user, filters, dataset=datasets.COMMUNICATIONS, split_field="channel", choices=Communication.Channel.choices,
        title=titled(_("Communications by month and channel"), refreshed), link=link, counts=counts,
    )  # fmt: skip


def follow_up_tasks(user, filters: DashboardFilters) -> Chart:
    """Follow-up tasks due each month: done, overdue (open past due) and still open."""
    dataset = datasets.FOLLOW_UP_TASKS
    qs = narrow(dataset, dataset.queryset(user), filters)
    now = timezone.now()
    by_month = monthly(
        qs,
        "due_at",
        done=Count("pk", filter=Q(status=FollowUpTask.Status.DONE)),
        overdue=Count("pk", filter=Q(status=FollowUpTask.Status.OPEN, due_at__lt=now)),
        open=Count("pk", filter=Q(status=FollowUpTask.Status.OPEN, due_at__gte=now)),
    )
    months = filters.months()
    task_list = reverse("customers:task-list")
    series = [
        Series(label=label, values=[by_month.get(m, {}).get(key, 0) for m in months], links=[task_list] * len(months))
        for key, label in (("done", _("Done")), ("overdue", _("Overdue")), ("open", _("Open")))
    ]
    return Chart(
        title=_("Follow-up tasks by due month"),
        kind="bar",
        labels=[m.strftime("%Y-%m") for m in months],
        series=series,
        stacked=True,
    )


def headline_numbers(user, filters: DashboardFilters) -> list[dict]:
    """The big numbers above the charts (and on the big screen): three aggregate queries."""
    numbers = []
    if user.has_perm("customers.view_customer"):
        values = customer_facts(user, filters)
        numbers += [
            {
                "label": _("Customers"),
                "value": values["total"],
                "url": list_link("customers:customer-list", owner=filters.owner),
            },
            {
                "label": _("New in period"),
                "value": values["new"],
                "url": list_link(
                    "customers:customer-list",
                    owner=filters.owner,
                    created_after=filters.start.isoformat(),
                    created_before=filters.end.isoformat(),
                ),
            },
            {
                "label": _("VIP customers"),
                "value": values["vip"],
                "url": list_link(
                    "customers:customer-list", owner=filters.owner, lifecycle_stage=Customer.Lifecycle.VIP
                ),
            },
        ]
    if user.has_perm("customers.view_communication"):
        dataset = datasets.COMMUNICATIONS
        if summaries.refreshed_at(user, summaries.COMMUNICATIONS):
            count = summaries.communications(user, filters).aggregate(n=Sum("communications"))["n"] or 0
            count += narrow(dataset, summaries.communications_shared_only(user), filters).count()
        else:
            count = narrow(dataset, dataset.queryset(user), filters).count()
        numbers.append(
            {
                "label": _("Communications in period"),
                "value": count,
                "url": list_link(
                    "customers:communication-list",
                    owner=filters.owner,
                    occurred_after=filters.start.isoformat(),
                    occurred_before=filters.end.isoformat(),
                ),
            }
        )
    if user.has_perm("customers.view_followuptask"):
        dataset = datasets.FOLLOW_UP_TASKS
        overdue = (
            narrow(dataset, dataset.queryset(user), filters, period=False)
            .filter(status=FollowUpTask.Status.OPEN, due_at__lt=timezone.now())
            .count()
        )
        numbers.append({"label": _("Overdue tasks"), "value": overdue, "url": reverse("customers:task-list")})
    return numbers


for _panel in (
    Panel(
        "customer_growth",
        _("New customers by month and lifecycle stage"),
        "customers",
        "customers.view_customer",
        customer_growth,
        order=10,
    ),
    Panel(
        "customers_by_source",
        _("New customers by source"),
        "customers",
        "customers.view_customer",
        customers_by_source,
        chart="doughnut",
        order=20,
    ),
    Panel(
        "data_quality",
        _("Customers by data-quality score"),
        "customers",
        "customers.view_customer",
        data_quality,
        order=30,
    ),
    Panel(
        "communications_by_channel",
        _("Communications by month and channel"),
        "customers",
        "customers.view_communication",
        communications_by_channel,
        order=40,
    ),
    Panel(
        "follow_up_tasks",
        _("Follow-up tasks by due month"),
        "customers",
        "customers.view_followuptask",
        follow_up_tasks,
        order=50,
    ),
):
    register_panel(_panel)
