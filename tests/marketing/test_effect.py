"""Campaign effect: metrics from the registered providers, ROI and cost per lead in Decimal."""

from decimal import Decimal

import pytest
from django.urls import reverse

from marketing import effect

from .factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    """A stand-in for the sales app's provider, registered for the test and removed after it."""
    figures = {}

    def sales_metrics(ids):
        return {pk: figures[pk] for pk in ids if pk in figures}

    effect.register_campaign_metrics(sales_metrics)
    yield figures
    effect._providers.remove(sales_metrics)


def test_roi_and_cost_per_lead(provider):
    campaign = CampaignFactory(actual_cost=Decimal("3000.00"))
    provider[campaign.pk] = {"leads": 7, "conversions": 2, "opportunities": 3, "won_revenue": Decimal("10000.00")}
    row = effect.campaign_effect([campaign])[0]
    assert row["roi"] == Decimal("2.33")  # (10000 − 3000) / 3000 = 2.3333…
    assert row["cost_per_lead"] == Decimal("428.57")  # 3000 / 7 = 428.5714…
    assert (row["leads"], row["conversions"], row["opportunities"]) == (7, 2, 3)
    assert isinstance(row["roi"], Decimal) and isinstance(row["cost_per_lead"], Decimal)


def test_half_cents_round_up(provider):
    campaign = CampaignFactory(actual_cost=Decimal("8.00"))
    provider[campaign.pk] = {"leads": 16, "won_revenue": Decimal("8.04")}
    row = effect.campaign_effect([campaign])[0]
    assert row["roi"] == Decimal("0.01")  # 0.005 rounds half up
    assert row["cost_per_lead"] == Decimal("0.50")


def test_a_loss_gives_a_negative_roi(provider):
    campaign = CampaignFactory(actual_cost=Decimal("5000"))
    provider[campaign.pk] = {"leads": 1, "won_revenue": Decimal("1000")}
    assert effect.campaign_effect([campaign])[0]["roi"] == Decimal("-0.80")


def test_no_cost_or_no_leads_gives_no_ratio_rather_than_an_error(provider):
    free = CampaignFactory(actual_cost=Decimal("0"))
    quiet = CampaignFactory(actual_cost=Decimal("100"))
    provider[free.pk] = {"leads": 3, "won_revenue": Decimal("500")}
    rows = {row["campaign"]: row for row in effect.campaign_effect([free, quiet])}
    assert rows[free]["roi"] is None and rows[free]["cost_per_lead"] == Decimal("0.00")
    assert rows[quiet]["leads"] == 0 and rows[quiet]["cost_per_lead"] is None
    assert rows[quiet]["roi"] == Decimal("-1.00")


def test_several_providers_add_up(provider):
    campaign = CampaignFactory(actual_cost=Decimal("100"))
    provider[campaign.pk] = {"leads": 2, "won_revenue": Decimal("50")}

    def second(ids):
        return {campaign.pk: {"leads": 3, "won_revenue": Decimal("150")}}

    effect.register_campaign_metrics(second)
    try:
        row = effect.campaign_effect([campaign])[0]
    finally:
        effect._providers.remove(second)
    assert row["leads"] == 5 and row["won_revenue"] == Decimal("200.00") and row["roi"] == Decimal("1.00")


def test_comparison_page_shows_each_campaign_and_chart_data(client_for, marketer, provider):
    a = CampaignFactory(name="Spring expo", actual_cost=Decimal("1000"))
    b = CampaignFactory(name="Webinar series", actual_cost=Decimal("500"))
    provider[a.pk] = {"leads": 10, "won_revenue": Decimal("3000")}
    response = client_for(marketer).get(reverse("marketing:effect-comparison"), {"campaign": [a.pk, b.pk]})
    assert response.status_code == 200
    chart = response.context["chart"]
    assert sorted(chart["labels"]) == ["Spring expo", "Webinar series"]
    html = response.content.decode()
    assert 'id="effect-data"' in html and "2.00" in html and "100.00" in html


def test_comparison_page_query_count_stays_flat(client_for, marketer, django_assert_max_num_queries):
    client = client_for(marketer)
    CampaignFactory.create_batch(2)
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("marketing:effect-comparison"))
    CampaignFactory.create_batch(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("marketing:effect-comparison"))
