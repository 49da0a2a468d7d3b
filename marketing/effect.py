"""What a campaign brought in, gathered from the apps to marketing's right.

Leads, conversions, opportunities and won revenue live in sales, which marketing cannot import. Sales
registers a provider at start-up; the campaign-effect page and reports ask ``campaign_metrics``.
"""

from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal

# A provider takes campaign ids and returns {campaign_id: {"leads": int, "conversions": int,
# "opportunities": int, "won_revenue": Decimal}} for the campaigns it knows about.
Provider = Callable[[list[int]], dict[int, dict]]

_providers: list[Provider] = []

EMPTY = {"leads": 0, "conversions": 0, "opportunities": 0, "won_revenue": Decimal("0")}


def register_campaign_metrics(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def campaign_metrics(campaign_ids: Iterable[int]) -> dict[int, dict]:
    """Each campaign's totals over every registered provider, zero where none knows it."""
    ids = list(campaign_ids)
    totals = {pk: dict(EMPTY) for pk in ids}
    for provider in _providers:
        for pk, values in provider(ids).items():
            row = totals.setdefault(pk, dict(EMPTY))
            for key, value in values.items():
                row[key] = row.get(key, 0) + value
    return totals


CENT = Decimal("0.01")


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """numerator / denominator rounded half-up to the cent, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


def campaign_effect(campaigns) -> list[dict]:
    """Per campaign: leads, conversions, opportunities, won revenue, cost, ROI and cost per lead.

    ROI = (won revenue − cost) / cost and cost per lead = cost / leads, in Decimal rounded half-up to
    two places; either is None when its divisor is zero (no cost, no leads), never a division error.
    """
    campaigns = list(campaigns)
    metrics = campaign_metrics(campaign.pk for campaign in campaigns)
    rows = []
    for campaign in campaigns:
        values = metrics.get(campaign.pk, EMPTY)
        cost = Decimal(campaign.actual_cost or 0)
        won = Decimal(values.get("won_revenue") or 0)
        leads = int(values.get("leads") or 0)
        rows.append(
            {
                "campaign": campaign,
                "leads": leads,
                "conversions": int(values.get("conversions") or 0),
                "opportunities": int(values.get("opportunities") or 0),
                "won_revenue": won.quantize(CENT, rounding=ROUND_HALF_UP),
                "cost": cost.quantize(CENT, rounding=ROUND_HALF_UP),
                "roi": _ratio(won - cost, cost),
                "cost_per_lead": _ratio(cost, Decimal(leads)),
            }
        )
    return rows
