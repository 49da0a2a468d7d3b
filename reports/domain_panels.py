"""Dashboard panels of sales, marketing and service: each one or two grouped queries over scoped data.

Sales amounts are in the base currency at today's rates: the pipeline converts per row in SQL
(``datasets.in_base_currency``), the closed deals per currency group like sales.analytics; deals in a
currency without a rate are left out, and the chart's title says how many.
A bar links to the list behind it with that list's own filter parameters, as far as the list has them.
"""

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from customers.models import Customer
from marketing.effect import campaign_effect
from marketing.models import Campaign
from sales.models import Lead, Opportunity, Stage
from service.models import SatisfactionSurvey, Ticket

from . import datasets, summaries
from .dashboard_filters import DashboardFilters, narrow
from .panels import _link, monthly_stacked
from .registry import Panel, register_panel
from .tables import Chart, Series

TOP = 10
QUALIFIED = [Lead.Status.QUALIFIED, Lead.Status.CONVERTED]


def _month(value):
    return value.date() if hasattr(value, "date") else value


def _monthly(queryset, date_path, **aggregates) -> dict:
    """{first day of month: {aggregate: value}} in one grouped query."""
    rows = (
        queryset.order_by()
        .annotate(month=TruncMonth(date_path, tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(**aggregates)
    )
    return {_month(row["month"]): row for row in rows}


def _in_period(path, filters: DashboardFilters) -> Q:
    return Q(**{f"{path}__gte": filters.start_at(), f"{path}__lt": filters.end_before()})


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


def _percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _opportunities(user, filters, *, period=False):
    dataset = datasets.OPPORTUNITIES
    return narrow(dataset, dataset.queryset(user), filters, period=period)


# ------------------------------------------------------------------------------------------ sales


def sales_funnel(user, filters: DashboardFilters) -> Chart:
    """Leads created in the period, of them qualified (or converted); opportunities created in the period,
    and opportunities won in the period (from the closed deals the revenue panels share)."""
    leads = narrow(datasets.LEADS, datasets.LEADS.queryset(user), filters).order_by()
    lead_counts = leads.aggregate(total=Count("pk"), qualified=Count("pk", filter=Q(status__in=QUALIFIED)))
    refreshed = summaries.sales_refreshed_at(user)
    if refreshed:
        created = summaries.daily(user, filters).aggregate(created=Sum("created"))["created"] or 0
    else:
        created = _opportunities(user, filters).filter(_in_period("created_at", filters)).order_by().count()
    won = closed_deal_facts(user, filters)["won"]
    owner = filters.owner
    return Chart(
        title=_titled(_("Sales funnel"), refreshed),
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
                    _link("sales:lead-list", owner=owner),
                    _link("sales:lead-list", owner=owner, status=Lead.Status.QUALIFIED),
                    _link("sales:opportunity-list", owner=owner),
                    _link("sales:opportunity-list", owner=owner, status=Opportunity.Status.WON),
                ],
            )
        ],
    )


def closed_deal_facts(user, filters: DashboardFilters) -> dict:
    """Deals won or lost in the period, in ONE scan grouped by closing month, owner and currency; then
    converted per group at today's rates, as sales.analytics does (no per-row conversion in the scan).

    The funnel, won revenue and win rate read it; it is kept on the user object for the rest of the
    request (as ``panels.customer_facts``). Returns ``{"months": {month: revenue}, "reps": {owner id:
    {"won", "decided"}}, "won": int, "unconverted": won deals in a currency without a rate}``.
    """
    memo = user.__dict__.setdefault("_report_closed_deals", {})
    if filters not in memo:
        summarised = summaries.sales_refreshed_at(user)
        rows = (_closed_summary_rows if summarised else _closed_rows)(user, filters)
        rates = datasets.rates_for(user)
        facts = {"months": {}, "reps": {}, "won": 0, "unconverted": 0}
        for row in rows:
            month = _month(row["month"])
            if row["currency"] != rates.base and row["currency"] not in rates.rates:
                facts["unconverted"] += row["won"]
            facts["months"][month] = facts["months"].get(month, 0) + rates.to_base(row["amount"], row["currency"])
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
        _in_period("closed_at", filters), status__in=[Opportunity.Status.WON, Opportunity.Status.LOST]
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


def _titled(title, refreshed):
    return summaries.as_of(title, refreshed) if refreshed else title


def won_revenue_by_month(user, filters: DashboardFilters) -> Chart:
    """Base-currency amount of the opportunities won in each month of the period (by closing date)."""
    facts = closed_deal_facts(user, filters)
    months = filters.months()
    link = _link("sales:opportunity-list", owner=filters.owner, status=Opportunity.Status.WON)
    return Chart(
        title=_titled(_with_unconverted(_("Won revenue by month"), [facts]), summaries.sales_refreshed_at(user)),
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
        title=_titled(_("Win rate by rep (%)"), summaries.sales_refreshed_at(user)),
        kind="bar",
        labels=[names.get(owner, "") for owner, _rep in rows],
        series=[
            Series(
                label=_("Win rate (%)"),
                values=[_percent(rep["won"], rep["decided"]) for _owner, rep in rows],
                links=[
                    _link("sales:opportunity-list", owner=owner, status=Opportunity.Status.WON) for owner, _rep in rows
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
        title=_titled(_with_unconverted(_("Open pipeline by stage"), rows.values()), refreshed),
        kind="bar",
        labels=[f"{stage.pipeline.name} · {stage.name}" if many_pipelines else stage.name for stage in stages],
        series=[
            Series(
                label=format_lazy("{} ({})", _("Amount"), datasets.rates_for(user).base),
                values=[rows[stage.pk]["amount"] or 0 for stage in stages],
                links=[
                    _link("sales:opportunity-list", owner=filters.owner, stage=stage.pk, status=Opportunity.Status.OPEN)
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
    leads = narrow(datasets.LEADS, datasets.LEADS.queryset(user), filters)
    rows = list(leads.order_by().values("source").annotate(n=Count("pk")).order_by("-n", "source"))
    top, rest = rows[:TOP], sum(row["n"] for row in rows[TOP:])
    # A lead's source is free text: the customer sources' labels where it is one of their codes.
    known = dict(Customer.Source.choices)
    labels = [known.get(row["source"], row["source"]) or _("Unknown") for row in top] + ([_("Other")] if rest else [])
    # The lead list has no source filter: a slice opens the owner's leads.
    link = _link("sales:lead-list", owner=filters.owner)
    return Chart(
        title=_("Leads by source"),
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


# -------------------------------------------------------------------------------------- marketing


def campaign_roi(user, filters: DashboardFilters) -> Chart:
    """ROI (%) of the campaigns in scope that ran in the period, from marketing's campaign effect."""
    campaigns = Campaign.objects.visible_to(user).filter(
        Q(start_date__lte=filters.end) | Q(start_date__isnull=True),
        Q(end_date__gte=filters.start) | Q(end_date__isnull=True),
    )
    if filters.owner:
        campaigns = campaigns.filter(owner_id=filters.owner)
    if filters.team:
        campaigns = campaigns.filter(team_id=filters.team)
    rows = campaign_effect(campaigns.order_by("-actual_cost", "-id")[:TOP])
    links = [reverse("marketing:campaign-detail", args=[row["campaign"].pk]) for row in rows]
    return Chart(
        title=_("Campaign ROI (%)"),
        kind="bar",
        labels=[row["campaign"].name for row in rows],
        series=[
            Series(label=_("Won revenue"), values=[row["won_revenue"] for row in rows], links=links),
            Series(label=_("Cost"), values=[row["cost"] for row in rows], links=links),
            # A percentage beside amounts: its own axis, drawn as a line over the bars.
            Series(
                label=_("ROI (%)"),
                values=[round(row["roi"] * 100, 1) if row["roi"] is not None else None for row in rows],
                links=links,
                axis="y1",
                kind="line",
            ),
        ],
        axes={"y": datasets.rates_for(user).base, "y1": "%"},
    )


# ---------------------------------------------------------------------------------------- service


def ticket_volume(user, filters: DashboardFilters) -> Chart:
    """Tickets created per month, stacked by type; a bar opens the ticket list of that type."""

    def link(kind, first, last):
        return _link("service:ticket-list", type=kind)

    return monthly_stacked(
        user, filters, dataset=datasets.TICKETS, split_field="type", choices=Ticket.Type.choices,
        title=_("Tickets by month and type"), link=link,
    )  # fmt: skip


def sla_compliance(user, filters: DashboardFilters) -> Chart:
    """Per month of creation: the share of tickets answered and resolved within their SLA (as
    service.statistics counts it: only tickets with a due time and an answer or resolution)."""
    dataset = datasets.TICKETS
    tickets = narrow(dataset, dataset.queryset(user), filters)
    by_month = _monthly(
        tickets,
        "created_at",
        responded=Count("pk", filter=Q(first_responded_at__isnull=False, response_due_at__isnull=False)),
        responded_in_time=Count("pk", filter=Q(first_responded_at__lte=F("response_due_at"))),
        resolved=Count("pk", filter=Q(resolved_at__isnull=False, resolution_due_at__isnull=False)),
        resolved_in_time=Count("pk", filter=Q(resolved_at__lte=F("resolution_due_at"))),
    )
    months = filters.months()

    def share(part, whole):
        return [_percent(by_month.get(m, {}).get(part, 0), by_month.get(m, {}).get(whole, 0)) for m in months]

    return Chart(
        title=_("SLA compliance by month (%)"),
        kind="line",
        labels=[m.strftime("%Y-%m") for m in months],
        series=[
            Series(label=_("First response in time (%)"), values=share("responded_in_time", "responded")),
            Series(label=_("Resolved in time (%)"), values=share("resolved_in_time", "resolved")),
        ],
    )


def csat_trend(user, filters: DashboardFilters) -> Chart:
    """Average satisfaction score (1–5) of the surveys answered each month, on tickets in scope."""
    surveys = SatisfactionSurvey.objects.visible_to(user).filter(_in_period("answered_at", filters))
    if filters.owner:
        surveys = surveys.filter(ticket__assignee_id=filters.owner)
    if filters.team:
        surveys = surveys.filter(ticket__queue__team_id=filters.team)
    by_month = _monthly(surveys, "answered_at", total=Sum("score"), answers=Count("pk"))
    months = filters.months()

    def average(m):
        row = by_month.get(m)
        return round(row["total"] / row["answers"], 2) if row and row["answers"] else None

    return Chart(
        title=_("Customer satisfaction by month"),
        kind="line",
        labels=[m.strftime("%Y-%m") for m in months],
        series=[
            Series(label=_("Average score (1–5)"), values=[average(m) for m in months], kind="line"),
            # A count beside a score: its own axis, as bars behind the score's line.
            Series(
                label=_("Answers"),
                values=[by_month.get(m, {}).get("answers", 0) for m in months],
                axis="y1",
                kind="bar",
            ),
        ],
        axes={"y": _("Average score (1–5)"), "y1": _("Answers")},
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
    Panel("campaign_roi", _("Campaign ROI (%)"), "marketing", "marketing.view_campaign", campaign_roi, order=210),
    Panel("ticket_volume", _("Tickets by month and type"), "service", "service.view_ticket", ticket_volume,
          order=310),
    Panel("sla_compliance", _("SLA compliance by month (%)"), "service", "service.view_ticket", sla_compliance,
          chart="line", order=320),
    Panel("csat_trend", _("Customer satisfaction by month"), "service", "service.view_satisfactionsurvey",
          csat_trend, chart="line", order=330),
):  # fmt: skip
    register_panel(_panel)
