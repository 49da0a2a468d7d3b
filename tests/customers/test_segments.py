"""Segmentation: churn risk from registered signal providers, and RFM value segments."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from customers.services import segments
from customers.services.segments import (
    churn_scores,
    customers_churn_recompute,
    customers_rfm_update,
    monetary_breaks,
    register_churn_signal,
    rfm_segments,
)
from tests.factories import CustomerFactory
from tests.list_rows import shown_customers

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


def _customer(owner, *, created_days_ago=0, contacted_days_ago=None, **kwargs):
    customer = CustomerFactory(owner=owner, **kwargs)
    now = timezone.now()
    Customer.objects.filter(pk=customer.pk).update(
        created_at=now - timedelta(days=created_days_ago),
        last_contacted_at=None if contacted_days_ago is None else now - timedelta(days=contacted_days_ago),
    )
    return customer


@pytest.fixture
def complaints_provider():
    """A provider as the service app will register it: open complaints per customer."""
    flagged = set()

    def provider(customer_ids, today):
        return {pk: [("open_complaints", 30)] for pk in customer_ids if pk in flagged}

    register_churn_signal("test.open_complaints", provider)
    yield flagged
    segments.CHURN_SIGNALS.pop("test.open_complaints")


def test_contact_recency_gives_the_reason_and_the_points(rep_user):
    never_for_long = _customer(rep_user, created_days_ago=200)
    quiet = _customer(rep_user, created_days_ago=400, contacted_days_ago=120)
    recent = _customer(rep_user, created_days_ago=400, contacted_days_ago=10)
    brand_new = _customer(rep_user, created_days_ago=2)

    scores = churn_scores([never_for_long.pk, quiet.pk, recent.pk, brand_new.pk])

    assert scores[never_for_long.pk] == (60, ["no_contact_180d"])
    assert scores[quiet.pk] == (35, ["no_contact_90d"])
    assert scores[recent.pk] == (0, [])
    assert scores[brand_new.pk] == (0, [])


def test_registered_providers_add_their_reasons_and_the_score_is_capped(rep_user, complaints_provider):
    quiet = _customer(rep_user, created_days_ago=300)
    complaining = _customer(rep_user, created_days_ago=300, contacted_days_ago=5)
    complaints_provider.update({quiet.pk, complaining.pk})

    def second(customer_ids, today):
        return {quiet.pk: [("falling_order_value", 20)]}

    register_churn_signal("test.falling", second)
    try:
        scores = churn_scores([quiet.pk, complaining.pk])
    finally:
        segments.CHURN_SIGNALS.pop("test.falling")

    assert scores[quiet.pk] == (100, ["no_contact_180d", "open_complaints", "falling_order_value"])
    assert scores[complaining.pk] == (30, ["open_complaints"])


def test_recompute_stores_scores_the_filter_finds_high_risk_and_the_page_shows_reasons(client_for, rep_user):
    at_risk = _customer(rep_user, created_days_ago=300)
    fine = _customer(rep_user, created_days_ago=300, contacted_days_ago=3)

    assert customers_churn_recompute(batch_size=1) == 1
    assert customers_churn_recompute(batch_size=1) == 0
    at_risk.refresh_from_db()
    assert (at_risk.churn_score, at_risk.churn_reasons) == (60, ["no_contact_180d"])

    client = client_for(rep_user)
    page = client.get(reverse("customers:customer-list"), {"churn": "high"}).context["page"]
    assert shown_customers(page) == [at_risk]
    assert fine not in shown_customers(page)
    detail = client.get(reverse("customers:customer-detail", args=[at_risk.pk]))
    assert b"No contact for 180 days" in detail.content
    assert b"60/100" in detail.content


def test_rfm_segments_of_hand_made_rows():
    rows = [
        (1, TODAY - timedelta(days=10), 12, Decimal("50000")),
        (2, TODAY - timedelta(days=400), 12, Decimal("30000")),
        (3, TODAY - timedelta(days=200), 3, Decimal("2000")),
        (4, TODAY - timedelta(days=500), 1, Decimal("50")),
        (5, TODAY - timedelta(days=60), 6, Decimal("3000")),
        (6, TODAY - timedelta(days=5), 1, Decimal("200")),
        (7, TODAY - timedelta(days=20), 2, Decimal("800")),
        (8, TODAY - timedelta(days=150), 2, Decimal("800")),
        (9, None, 0, Decimal("0")),
    ]
    breaks = [Decimal(100), Decimal(1000), Decimal(5000), Decimal(20000)]

    assert rfm_segments(rows, today=TODAY, breaks=breaks) == {
        1: "champion",
        2: "cant_lose",
        3: "at_risk",
        4: "hibernating",
        5: "loyal",
        6: "new",
        7: "promising",
        8: "need_attention",
    }


def test_monetary_quintiles_come_from_the_rows_when_not_given():
    assert monetary_breaks([50, 10, 40, 20, 30]) == [20, 30, 40, 50]
    rows = [(i, TODAY - timedelta(days=5), 12, value) for i, value in enumerate([10, 20, 30, 40, 50])]
    result = rfm_segments(rows, today=TODAY)
    assert result[4] == "champion"  # the biggest spender
    assert result[0] == "loyal"  # frequent and recent, but the smallest spender


def test_rfm_update_writes_segments_in_batches_and_the_page_shows_the_label(client_for, rep_user):
    champion = CustomerFactory(owner=rep_user)
    sleeper = CustomerFactory(owner=rep_user)
    untouched = CustomerFactory(owner=rep_user, rfm_segment="loyal")
    rows = [
        (champion.pk, TODAY - timedelta(days=3), 20, Decimal("90000")),
        (sleeper.pk, TODAY - timedelta(days=700), 1, Decimal("10")),
    ]

    assert customers_rfm_update(rows=rows, today=TODAY, batch_size=1) == 2
    assert customers_rfm_update(rows=rows, today=TODAY, batch_size=1) == 0

    assert dict(Customer.objects.values_list("pk", "rfm_segment")) == {
        champion.pk: "champion",
        sleeper.pk: "hibernating",
        untouched.pk: "loyal",
    }
    response = client_for(rep_user).get(reverse("customers:customer-detail", args=[champion.pk]))
    assert b"Champion" in response.content
