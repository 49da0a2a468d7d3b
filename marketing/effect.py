"""What a campaign brought in, gathered from the apps to marketing's right.

Leads, conversions, opportunities and won revenue live in sales, which marketing cannot import. Sales
registers a provider at start-up; the campaign-effect page and reports ask ``campaign_metrics``.
"""

from collections.abc import Callable, Iterable
from decimal import Decimal

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
