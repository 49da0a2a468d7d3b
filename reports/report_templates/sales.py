"""The sales report, built on the figures sales already computes (``sales.analytics.performance``) and
on the sales dashboard panels: closed deals per rep and month, the open pipeline, won revenue by month."""

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from sales.analytics import performance
from sales.models import Opportunity

from .. import datasets
from ..dashboard_filters import DashboardFilters, narrow
from ..panels.sales import pipeline_by_stage, won_revenue_by_month
from ..registry import ReportTemplate, register_template
from ..tables import Table, blank_if_none


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
                        blank_if_none(row["win_rate"]),
                        blank_if_none(row["cycle_days"]),
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


register_template(
    ReportTemplate(
        "sales_report",
        _("Sales report"),
        _("Won amount, win rate and cycle per rep and month, the open pipeline by stage and won revenue by month."),
        ("reports.view_report_templates", "sales.view_opportunity"),
        sales_report,
    )
)
