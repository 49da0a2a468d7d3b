"""The marketing dashboard panel: campaign ROI, from marketing's campaign effect."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketing.effect import campaign_effect
from marketing.models import Campaign

from .. import datasets
from ..dashboard_filters import DashboardFilters
from ..registry import Panel, register_panel
from ..tables import Chart, Series
from .base import TOP


def campaigns_in_period(user, filters: DashboardFilters):
    """The campaigns in the user's scope that ran at some time in the period (open ends count as running),
    narrowed by the owner and team filters. The campaign report lists the same campaigns."""
    campaigns = Campaign.objects.visible_to(user).filter(
        Q(start_date__lte=filters.end) | Q(start_date__isnull=True),
        Q(end_date__gte=filters.start) | Q(end_date__isnull=True),
    )
    if filters.owner:
        campaigns = campaigns.filter(owner_id=filters.owner)
    if filters.team:
        campaigns = campaigns.filter(team_id=filters.team)
    return campaigns


def campaign_roi(user, filters: DashboardFilters) -> Chart:
    """ROI (%) of the campaigns in scope that ran in the period (the ten that cost most)."""
    rows = campaign_effect(campaigns_in_period(user, filters).order_by("-actual_cost", "-id")[:TOP])
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


register_panel(
    Panel("campaign_roi", _("Campaign ROI (%)"), "marketing", "marketing.view_campaign", campaign_roi, order=210)
)
