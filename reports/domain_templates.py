"""Report templates of sales, marketing and service, built on the figures those apps already compute:
sales.analytics.performance, marketing.effect.campaign_effect and service.statistics."""

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from marketing.effect import campaign_effect
from marketing.models import Campaign
from sales.analytics import performance
from sales.models import Opportunity
from service.statistics import service_statistics

from . import datasets
from .dashboard_filters import DashboardFilters, narrow
from .domain_panels import pipeline_by_stage, won_revenue_by_month
from .report_templates import ReportTemplate, register_template
from .tables import Table


def _blank(value):
    return "" if value is None else value


def sales_report(user, filters: DashboardFilters) -> list[Table]:
    """Deals closed in the period per rep and per month (won amount, win rate, cycle), the open pipeline
    by stage and won revenue by month."""
    dataset = datasets.OPPORTUNITIES
    opportunities = narrow(dataset, dataset.queryset(user), filters, period=False)
    tables = []
    for dimension, title, first in (
        ("rep", _("Closed deals by rep"), _("Owner")),
        ("month", _("Closed deals by month"), _("Month")),
    ):
        result = performance(opportunities=opportunities, start=filters.start, end=filters.end, dimension=dimension)
        note = ""
        if result["missing_rates"]:
            note = _("Left out for want of an exchange rate: %(codes)s") % {"codes": ", ".join(result["missing_rates"])}
        tables.append(
            Table(
                title=title,
                headers=[
                    first,
                    _("Won amount (%(currency)s)") % {"currency": result["base_currency"]},
                    _("Won"),
                    _("Lost"),
                    _("Win rate (%)"),
                    _("Average days to win"),
                ],
                rows=[
                    [
                        str(row["label"]),
                        row["won_amount"],
                        row["won"],
                        row["lost"],
                        _blank(row["win_rate"]),
                        _blank(row["cycle_days"]),
                    ]
                    for row in result["rows"]
                ],  # fmt: skip
                note=note,
            )
        )
    totals = (
        opportunities.filter(status=Opportunity.Status.OPEN)
        .order_by()
        .aggregate(
            deals=Count("pk"),
            amount=Sum("amount_base"),
            overdue=Count("pk", filter=Q(expected_close_date__lt=filters.end)),
        )
    )
    tables.append(
        Table(
            title=_("Open pipeline"),
            headers=[_("Open opportunities"), _("Amount (base currency)"), _("Past expected close date")],
            rows=[[totals["deals"], totals["amount"] or 0, totals["overdue"]]],
        )
    )
    tables.append(pipeline_by_stage(user, filters).table())
    tables.append(won_revenue_by_month(user, filters).table())
    return tables


def campaign_report(user, filters: DashboardFilters) -> list[Table]:
    """Every campaign in scope that ran in the period, with its leads, conversions, revenue, cost and ROI."""
    campaigns = Campaign.objects.visible_to(user).filter(
        Q(start_date__lte=filters.end) | Q(start_date__isnull=True),
        Q(end_date__gte=filters.start) | Q(end_date__isnull=True),
    )
    if filters.owner:
        campaigns = campaigns.filter(owner_id=filters.owner)
    if filters.team:
        campaigns = campaigns.filter(team_id=filters.team)
    rows = campaign_effect(campaigns.order_by("-start_date", "name", "id"))
    return [
        Table(
            title=_("Campaign effect"),
            headers=[
                _("Campaign"),
                _("Type"),
                _("Leads"),
                _("Conversions"),
                _("Opportunities"),
                _("Won revenue"),
                _("Cost"),
                _("ROI (%)"),
                _("Cost per lead"),
            ],
            rows=[
                [
                    row["campaign"].name,
                    str(row["campaign"].get_kind_display()),
                    row["leads"],
                    row["conversions"],
                    row["opportunities"],
                    row["won_revenue"],
                    row["cost"],
                    _blank(row["roi"] * 100 if row["roi"] is not None else None),
                    _blank(row["cost_per_lead"]),
                ]
                for row in rows
            ],
        )  # fmt: skip
    ]


def service_report(user, filters: DashboardFilters) -> list[Table]:
    """service.statistics over the period: volumes, response and resolution times, SLA, CSAT and NPS."""
    days = (filters.end - filters.start).days + 1
    stats = service_statistics(user=user, days=days, now=filters.end_before())
    note = _("Team and owner filters do not apply: the figures cover every ticket in your scope.")
    return [
        Table(
            title=_("Summary"),
            headers=[_("Tickets"), _("Open"), _("Average first response (hours)"), _("Average resolution (hours)"),
                     _("First response in time (%)"), _("Resolved in time (%)"), _("Average satisfaction (1–5)"),
                     _("Satisfied (%)"), _("NPS")],
            rows=[[stats["total"], stats["open"], _blank(stats["avg_response_hours"]),
                   _blank(stats["avg_resolution_hours"]), _blank(stats["response_compliance"]),
                   _blank(stats["resolution_compliance"]), _blank(stats["csat_avg"]), _blank(stats["csat_satisfied"]),
                   _blank(stats["nps"])]],
            note=note if filters.owner or filters.team else "",
        ),  # fmt: skip
        Table(title=_("Tickets by type"), headers=[_("Type"), _("Tickets")],
              rows=[[str(label), n] for label, n in stats["by_type"]]),
        Table(title=_("Tickets by channel"), headers=[_("Channel"), _("Tickets")],
              rows=[[str(label), n] for label, n in stats["by_channel"]]),
        Table(title=_("Satisfaction by month"), headers=[_("Month"), _("Average satisfaction (1–5)"), _("Answers")],
              rows=[list(row) for row in stats["csat_trend"]]),
    ]  # fmt: skip


register_template(
    ReportTemplate(
        "sales_report",
        _("Sales report"),
        _("Won amount, win rate and cycle per rep and month, the open pipeline by stage and won revenue by month."),
        ("reports.view_report_templates", "sales.view_opportunity"),
        sales_report,
    )
)
register_template(
    ReportTemplate(
        "campaign_report",
        _("Campaign report"),
        _("Leads, conversions, opportunities, won revenue, cost and ROI of the campaigns that ran in the period."),
        ("reports.view_report_templates", "marketing.view_campaign"),
        campaign_report,
    )
)
register_template(
    ReportTemplate(
        "service_report",
        _("Service report"),
        _("Ticket volumes, response and resolution times, SLA compliance, satisfaction and NPS."),
        ("reports.view_report_templates", "service.view_ticket"),
        service_report,
    )
)
