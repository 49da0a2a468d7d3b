"""The campaign report: every campaign that ran in the period with its effect
(``marketing.effect.campaign_effect``): leads, conversions, revenue, cost and ROI."""

from django.utils.translation import gettext_lazy as _

from marketing.effect import campaign_effect

from ..dashboard_filters import DashboardFilters
from ..panels.marketing import campaigns_in_period
from ..registry import ReportTemplate, register_template
from ..tables import Table, blank_if_none


def campaign_report(user, filters: DashboardFilters) -> list[Table]:
    """Every campaign in scope that ran in the period, with its leads, conversions, revenue, cost and ROI."""
    rows = campaign_effect(campaigns_in_period(user, filters).order_by("-start_date", "name", "id"))
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
                    blank_if_none(row["roi"] * 100 if row["roi"] is not None else None),
                    blank_if_none(row["cost_per_lead"]),
                ]
                for row in rows
            ],
        )  # fmt: skip
    ]


register_template(
    ReportTemplate(
        "campaign_report",
        _("Campaign report"),
        _("Leads, conversions, opportunities, won revenue, cost and ROI of the campaigns that ran in the period."),
        ("reports.view_report_templates", "marketing.view_campaign"),
        campaign_report,
    )
)
