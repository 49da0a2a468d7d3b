"""Forecast against target, sales performance, and what sales feeds to customers and marketing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import CareAction, CarePlan, Customer
from customers.selectors.timeline import customer_timeline
from customers.services.segments import churn_scores
from marketing.effect import campaign_metrics
from marketing.models import Campaign
from sales import selectors
from sales.analytics import add_months, forecast, month_start, performance
from sales.integration import rfm_update
from sales.models import ExchangeRate, Lead, Opportunity, OpportunityLine, Order, SalesTarget
from sales.services import orders as order_services
from tests.factories import CustomerFactory, TeamFactory, UserFactory

from .factories import LeadFactory, OpportunityFactory, OrderFactory, ProductFactory, open_stages

pytestmark = pytest.mark.django_db


def _deal(owner, *, stage, amount, close, currency="CNY", **kwargs):
    return OpportunityFactory(
        owner=owner, customer=CustomerFactory(owner=owner), stage=stage, amount=amount, currency=currency,
        expected_close_date=close, **kwargs,
    )  # fmt: skip


def test_forecast_weights_the_pipeline_and_compares_with_target(rep_user, settings):
    settings.BASE_CURRENCY = "CNY"
    ExchangeRate.objects.create(currency="USD", date=date(2020, 1, 1), rate=Decimal("7"))
    this_month = month_start(timezone.localdate())
    next_month = add_months(this_month, 1)
    stages = open_stages()  # 10%, 25%, 50%, 75%
    _deal(rep_user, stage=stages[0], amount=1000, close=next_month)
    _deal(rep_user, stage=stages[3], amount=100, currency="USD", close=next_month)
    won = _deal(rep_user, stage=stages[1], amount=500, close=this_month)
    Opportunity.objects.filter(pk=won.pk).update(status=Opportunity.Status.WON, closed_at=timezone.now())
    SalesTarget.objects.create(user=rep_user, period="quarter", period_start=this_month, amount=Decimal("3000"))

    result = forecast(
        user=rep_user,
        opportunities=Opportunity.objects.visible_to(rep_user),
        targets=SalesTarget.objects.filter(user=rep_user),
    )
    first, second = result["months"][0], result["months"][1]
    assert first.won == Decimal("500.00") and first.target == Decimal("1000.00")
    assert second.weighted == Decimal("100.00") + Decimal("525.00")  # 1000×10% + 700×75%
    assert second.committed == Decimal("700.00")  # only the 75% deal
    assert second.best_case == Decimal("1700.00")
    assert first.attainment == 50


def test_forecast_page_shows_past_months_won_against_target(client_for, rep_user):
    last_month = add_months(month_start(timezone.localdate()), -1)
    SalesTarget.objects.create(user=rep_user, period="month", period_start=last_month, amount=Decimal("1000"))
    deal = _deal(rep_user, stage=open_stages()[0], amount=800, close=last_month)
    closed = timezone.make_aware(timezone.datetime(last_month.year, last_month.month, 15, 12))
    Opportunity.objects.filter(pk=deal.pk).update(status="won", closed_at=closed)
    past = client_for(rep_user).get(reverse("sales:forecast")).context["past"]
    assert [m.month for m in past][-1] == last_month
    assert past[-1].won == Decimal("800.00") and past[-1].won_attainment == 80


def test_forecast_page_queries_are_bounded(client_for, manager, rep_user):
    stages = open_stages()
    close = timezone.localdate()
    for i in range(3):
        _deal(rep_user, stage=stages[i], amount=10, close=close)
    client = client_for(manager)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("sales:forecast")).status_code == 200
    for i in range(30):
        _deal(rep_user, stage=stages[i % 4], amount=10, close=close + timedelta(days=40 * (i % 4)))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("sales:forecast"))
    assert len(few) == len(many) <= 15
    assert response.context["result"]["totals"]["best_case"] > 0


def test_performance_by_rep_counts_won_amount_rate_and_cycle(rep_user, other_rep):
    stages = open_stages()
    now = timezone.now()
    for owner, status, amount, days in [
        (rep_user, "won", 100, 10), (rep_user, "won", 300, 20), (rep_user, "lost", 50, 5), (other_rep, "lost", 70, 3),
    ]:  # fmt: skip
        deal = _deal(owner, stage=stages[0], amount=amount, close=None)
        Opportunity.objects.filter(pk=deal.pk).update(
            status=status, closed_at=now, created_at=now - timedelta(days=days)
        )
    today = timezone.localdate(now)  # the period is in local days; UTC's date lags Shanghai's for eight hours
    result = performance(
        opportunities=Opportunity.objects.all(), start=today - timedelta(days=1), end=today, dimension="rep"
    )
    rows = {row["label"]: row for row in result["rows"]}
    alice = rows[rep_user.username]
    assert alice["won_amount"] == Decimal("400.00") and alice["won"] == 2 and alice["lost"] == 1
    assert alice["win_rate"] == 67 and alice["cycle_days"] == 15.0
    assert rows[other_rep.username]["win_rate"] == 0


def test_performance_by_product_and_page(client_for, manager, rep_user):
    product = ProductFactory(name="云服务器")
    deal = _deal(rep_user, stage=open_stages()[0], amount=1000, close=None)
    OpportunityLine.objects.create(opportunity=deal, product=product, quantity=4, unit_price=Decimal("250"))
    Opportunity.objects.filter(pk=deal.pk).update(status="won", closed_at=timezone.now())
    response = client_for(manager).get(reverse("sales:performance"), {"by": "product"})
    rows = response.context["result"]["rows"]
    assert rows[0]["label"].startswith("云服务器") and rows[0]["won_amount"] == Decimal("1000.00")
    for by in ("rep", "team", "month"):
        assert client_for(manager).get(reverse("sales:performance"), {"by": by}).status_code == 200


def test_campaign_metrics_come_from_sales(rep_user):
    campaign = Campaign.objects.create(name="Expo", owner=rep_user)
    LeadFactory(owner=rep_user, campaign=campaign)
    LeadFactory(owner=rep_user, campaign=campaign, status=Lead.Status.CONVERTED)
    won = _deal(rep_user, stage=open_stages()[0], amount=800, close=None, campaign=campaign)
    _deal(rep_user, stage=open_stages()[0], amount=999, close=None, campaign=campaign)
    Opportunity.objects.filter(pk=won.pk).update(status="won")
    metrics = campaign_metrics([campaign.pk])[campaign.pk]
    assert metrics == {"leads": 2, "conversions": 1, "opportunities": 2, "won_revenue": Decimal("800.00")}


def test_customer_timeline_shows_opportunities_orders_and_contracts(rep_user):
    from .factories import ContractFactory

    customer = CustomerFactory(owner=rep_user)
    OpportunityFactory(customer=customer, owner=rep_user)
    OrderFactory(customer=customer, owner=rep_user)
    ContractFactory(customer=customer, owner=rep_user)
    kinds = {entry.kind for entry in customer_timeline(customer=customer, user=rep_user).object_list}
    assert {"opportunity", "order", "contract"} <= kinds


def test_confirmed_orders_feed_care_churn_and_rfm(rep_user):
    customer = CustomerFactory(owner=rep_user)
    CarePlan.objects.create(
        name="回访", occasion="after_purchase", channel="phone", days_after_purchase=3, is_active=True
    )
    order = order_services.order_create(
        actor=rep_user, data={"customer": customer, "ordered_on": timezone.localdate(), "currency": "CNY"},
        lines=[{"product": ProductFactory(), "quantity": 1}],
    )  # fmt: skip
    order_services.order_confirm(actor=rep_user, order=order)
    assert CareAction.objects.filter(customer=customer).exists()
    old = OrderFactory(customer=CustomerFactory(owner=rep_user), status=Order.Status.COMPLETED, total=100)
    Order.objects.filter(pk=old.pk).update(ordered_on=timezone.localdate() - timedelta(days=400))
    scores = churn_scores([old.customer_id, customer.pk], today=timezone.localdate())
    assert "no_recent_purchase" in scores[old.customer_id][1]
    assert "no_recent_purchase" not in scores[customer.pk][1]
    assert rfm_update() >= 1
    assert Customer.objects.get(pk=customer.pk).rfm_segment


def test_customer_merge_moves_sales_records_and_undo_puts_them_back(manager, rep_user):
    from customers.services.merge import customer_merge, customer_merge_undo, default_choices

    from .factories import ContractFactory

    survivor, merged = CustomerFactory(owner=rep_user), CustomerFactory(owner=rep_user)
    deal = OpportunityFactory(customer=merged, owner=rep_user)
    order = OrderFactory(customer=merged, owner=rep_user)
    contract = ContractFactory(customer=merged, owner=rep_user)
    lead = LeadFactory(owner=rep_user, customer=merged)
    merge = customer_merge(
        actor=manager, survivor=survivor, merged=merged, choices=default_choices(survivor=survivor, merged=merged)
    )
    for record in (deal, order, contract, lead):
        record.refresh_from_db()
        assert record.customer_id == survivor.pk, record
    customer_merge_undo(actor=manager, merge=merge)
    for record in (deal, order, contract, lead):
        record.refresh_from_db()
        assert record.customer_id == merged.pk, record


def test_a_team_forecast_rolls_up_the_targets_of_the_teams_below_and_their_members(executive, far_rep):
    parent = TeamFactory()
    child = TeamFactory(parent=parent)
    member = UserFactory(team=child)
    first = date(2026, 1, 1)
    own = SalesTarget.objects.create(team=parent, period_start=first, amount=Decimal("100"))
    below = SalesTarget.objects.create(team=child, period_start=first, amount=Decimal("50"))
    members = SalesTarget.objects.create(user=member, period_start=first, amount=Decimal("20"))
    SalesTarget.objects.create(user=far_rep, period_start=first, amount=Decimal("999"))

    _opportunities, targets = selectors.forecast_inputs(user=executive, team=parent)
    assert set(targets) == {own, below, members}
    _opportunities, targets = selectors.forecast_inputs(user=executive, owner=member)
    assert list(targets) == [members]
