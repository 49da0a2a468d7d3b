"""The sales dashboard panels (funnel, won revenue, win rate, open pipeline, lead sources): each one or
two grouped queries over scoped data, or over the sales summaries once they have been rebuilt.

Amounts are in the base currency at today's rates: the pipeline converts per row in SQL
(``datasets.in_base_currency``), the closed deals per currency group like sales.analytics; deals in a
currency without a rate are left out, and the chart's title says how many.
A bar links to the list behind it with that list's own filter parameters, as far as the list has them.
"""

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from customers.models import Customer
from sales.models import Lead, Opportunity, Stage
from sales.money import sum_by_currency

from .. import datasets, summaries
from ..dashboard_filters import DashboardFilters, narrow
from ..registry import Panel, register_panel
from ..tables import Chart, Series
from .base import TOP, in_period, list_link, month_of, percent, titled

QUALIFIED = summaries.LEAD_QUALIFIED
UNCONVERTED = Count("pk", filter=Q(amount_base__isnull=True))


def _with_unconverted(title, rows):
    """The title, saying how many deals were left out of the sums for want of an exchange rate."""
    left_out = sum(row["unconverted"] for row in rows)
    if not left_out:
        return title
    note = ngettext_lazy(
        "%(count)d opportunity left out: no exchange rate",
        "%(count)d opportunities left out: no exchange rate",
        "count",
    )
    return format_lazy("{} — {}", title, note % {"count": left_out})


def _opportunities(user, filters, *, period=False):
    dataset = datasets.OPPORTUNITIES
    return narrow(dataset, dataset.queryset(user), filters, period=period)


def _leads_refreshed_at(user):
    return summaries.refreshed_at(user, summaries.LEADS)


def sales_funnel(user, filters: DashboardFilters) -> Chart:
    """Leads created in the period, of them qualified (or converted); opportunities created in the period,
    and opportunities won in the period (from the closed deals the revenue panels share)."""
    if _leads_refreshed_at(user):
        lead_counts = summaries.leads(user, filters).aggregate(total=Sum("leads"), qualified=Sum("qualified"))
        lead_counts = {key: value or 0 for key, value in lead_counts.items()}
    else:
        leads = narrow(datasets.LEADS, datasets.LEADS.queryset(user), filters).order_by()
        lead_counts = leads.aggregate(total=Count("pk"), qualified=Count("pk", filter=Q(status__in=QUALIFIED)))
    refreshed = summaries.sales_refreshed_at(user)
    if refreshed:
        created = summaries.daily(user, filters).aggregate(created=Sum("created"))["created"] or 0
    else:
        created = _opportunities(user, filters).filter(in_period("created_at", filters)).order_by().count()
    won = closed_deal_facts(user, filters)["won"]
    owner = filters.owner
    return Chart(
        title=titled(_("Sales funnel"), refreshed),
        kind="bar",
        labels=[_("Leads"), _("Qualified leads"), _("Opportunities"), _("Won")],
        series=[
            Series(
                label=_("Count"),
                values=[
                    lead_counts["total"],
                    lead_counts["qualified"],
                    created,
                    won,
                ],
                links=[
                    list_link("sales:lead-list", owner=owner),
                    list_link("sales:lead-list", owner=owner, status=Lead.Status.QUALIFIED),
                    list_link("sales:opportunity-list", owner=owner),
                    list_link("sales:opportunity-list", owner=owner, status=Opportunity.Status.WON),
                ],
            )
        ],
    )


def closed_deal_facts(user, filters: DashboardFilters) -> dict:
    """Deals won or lost in the period, in ONE scan grouped by closing month, owner and currency; then
    converted per group at today's rates, as sales.analytics does (no per-row conversion in the scan).

    The funnel, won revenue and win rate read it; it is kept on the user object for the rest of the
    request (as ``customer_facts`` in panels/customers.py). Returns ``{"months": {month: revenue}, "reps": {owner id:
    {"won", "decided"}}, "won": int, "unconverted": won deals in a currency without a rate}``.
    """
    memo = user.__dict__.setdefault("_report_closed_deals", {})
    if filters not in memo:
        summarised = summaries.sales_refreshed_at(user)
        rows = (_closed_summary_rows if summarised else _closed_rows)(user, filters)
        rates = datasets.rates_for(user)
        rows = list(rows)
        months = sum_by_currency(rows, rates, key=lambda row: month_of(row["month"]))
        facts = {"months": months, "reps": {}, "won": 0, "unconverted": 0}
        for row in rows:
            if row["currency"] != rates.base and row["currency"] not in rates.rates:
                facts["unconverted"] += row["won"]
            rep = facts["reps"].setdefault(row["owner"], {"won": 0, "decided": 0})
            rep["won"] += row["won"]
            rep["decided"] += row["decided"]
            facts["won"] += row["won"]
        memo[filters] = facts
    return memo[filters]


def _closed_rows(user, filters):
    won = Q(status=Opportunity.Status.WON)
    dataset = datasets.OPPORTUNITIES
    closed = narrow(dataset, Opportunity.objects.visible_to(user), filters, period=False).filter(
        in_period("closed_at", filters), status__in=[Opportunity.Status.WON, Opportunity.Status.LOST]
    )
    return (
        closed.order_by()
        .annotate(month=TruncMonth("closed_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "owner", "currency")
        .annotate(amount=Sum("amount", filter=won), won=Count("pk", filter=won), decided=Count("pk"))
    )


def _closed_summary_rows(user, filters):
    """The same groups as ``_closed_rows``, from the daily summary (the local days of the period)."""
    return (
        summaries.daily(user, filters)
        .filter(decided__gt=0)
        .order_by()
        .annotate(month=TruncMonth("day"))
        .values("month", "currency", owner=F("owner_id"))
        .annotate(amount=Sum("won_amount"), won=Sum("won"), decided=Sum("decided"))
    )


def won_revenue_by_month(user, filters: DashboardFilters) -> Chart:
    """Base-currency amount of the opportunities won in each month of the period (by closing date)."""
    facts = closed_deal_facts(user, filters)
    months = filters.months()
    link = list_link("sales:opportunity-list", owner=filters.owner, status=Opportunity.Status.WON)
    return Chart(
        title=titled(_with_unconverted(_("Won revenue by month"), [facts]), summaries.sales_refreshed_at(user)),
        kind="bar",
        labels=[m.strftime("%Y-%m") for m in months],
        series=[
            Series(
                label=format_lazy("{} ({})", _("Won revenue"), datasets.rates_for(user).base),
                values=[facts["months"].get(m, 0) for m in months],
                links=[link] * len(months),
            )
        ],
    )


def win_rate_by_rep(user, filters: DashboardFilters) -> Chart:
    """Won ÷ (won + lost) per owner, of the opportunities closed in the period; the top reps by deals."""
    reps = closed_deal_facts(user, filters)["reps"]
    # People's names as everywhere else in the app, not their sign-in names.
    names = {user.pk: str(user) for user in get_user_model().objects.filter(pk__in=list(reps))}
    rows = sorted(reps.items(), key=lambda item: (-item[1]["decided"], names.get(item[0], "")))[:TOP]
    return Chart(
        title=titled(_("Win rate by rep (%)"), summaries.sales_refreshed_at(user)),
        kind="bar",
        labels=[names.get(owner, "") for owner, _rep in rows],
        series=[
            Series(
                label=_("Win rate (%)"),
                values=[percent(rep["won"], rep["decided"]) for _owner, rep in rows],
                links=[
                    list_link("sales:opportunity-list", owner=owner, status=Opportunity.Status.WON)
                    for owner, _rep in rows
                ],
            )
        ],
    )


def pipeline_by_stage(user, filters: DashboardFilters) -> Chart:
    """Open opportunities now (not limited to the period) per stage: base-currency amount and count."""
    refreshed = summaries.sales_refreshed_at(user)
    if refreshed:
        grouped = (
            summaries.pipeline(user, filters)
            .order_by()
            .values(stage=F("stage_id"))
            .annotate(amount=Sum("amount_base"), deals=Sum("deals"), unconverted=Sum("unconverted"))
        )
    else:
        open_deals = _opportunities(user, filters).filter(status=Opportunity.Status.OPEN)
        grouped = (
            open_deals.order_by()
            .values("stage")
            .annotate(amount=Sum("amount_base"), deals=Count("pk"), unconverted=UNCONVERTED)
        )
    rows = {row["stage"]: row for row in grouped}
    stages = list(
        Stage.objects.filter(pk__in=list(rows)).select_related("pipeline").order_by("pipeline__name", "order")
    )
    many_pipelines = len({stage.pipeline_id for stage in stages}) > 1
    return Chart(
        title=titled(_with_unconverted(_("Open pipeline by stage"), rows.values()), refreshed),
        kind="bar",
        labels=[f"{stage.pipeline.name} · {stage.name}" if many_pipelines else stage.name for stage in stages],
        series=[
            Series(
                label=format_lazy("{} ({})", _("Amount"), datasets.rates_for(user).base),
                values=[rows[stage.pk]["amount"] or 0 for stage in stages],
                links=[
                    list_link(
                        "sales:opportunity-list", owner=filters.owner, stage=stage.pk, status=Opportunity.Status.OPEN
                    )
                    for stage in stages
                ],
            ),
            Series(
                label=_("Opportunities"), values=[rows[stage.pk]["deals"] for stage in stages], axis="y1", kind="line"
            ),
        ],
        axes={"y": datasets.rates_for(user).base, "y1": _("Opportunities")},
    )


def lead_sources(user, filters: DashboardFilters) -> Chart:
    """Leads created in the period per source (the ten largest; the rest together)."""
    refreshed = _leads_refreshed_at(user)
    if refreshed:
        rows = summaries.leads(user, filters).order_by().values("source").annotate(n=Sum("leads"))
    else:
        leads = narrow(datasets.LEADS, datasets.LEADS.queryset(user), filters)
        rows = leads.order_by().values("source").annotate(n=Count("pk"))
    rows = list(rows.order_by("-n", "source"))
    top, rest = rows[:TOP], sum(row["n"] for row in rows[TOP:])
    # A lead's source is free text: the customer sources' labels where it is one of their codes.
    known = dict(Customer.Source.choices)
    labels = [known.get(row["source"], row["source"]) or _("Unknown") for row in top] + ([_("Other")] if rest else [])
    # The lead list has no source filter: a slice opens the owner's leads.
    link = list_link("sales:lead-list", owner=filters.owner)
    return Chart(
        title=titled(_("Leads by source"), refreshed),
        kind="doughnut",
        labels=labels,
        series=[
            Series(
                label=_("Leads"),
                values=[row["n"] for row in top] + ([rest] if rest else []),
                links=[link] * len(labels),
            )
        ],
    )


for _panel in (
    Panel("sales_funnel", _("Sales funnel"), "sales", "sales.view_lead", sales_funnel, order=110),
    Panel("won_revenue", _("Won revenue by month"), "sales", "sales.view_opportunity", won_revenue_by_month,
          order=120),
    Panel("win_rate", _("Win rate by rep (%)"), "sales", "sales.view_opportunity", win_rate_by_rep, order=130),
    Panel("pipeline_by_stage", _("Open pipeline by stage"), "sales", "sales.view_opportunity", pipeline_by_stage,
          order=140),
    Panel("lead_sources", _("Leads by source"), "sales", "sales.view_lead", lead_sources, chart="doughnut",
          order=150),
):  # fmt: skip
    register_panel(_panel)
