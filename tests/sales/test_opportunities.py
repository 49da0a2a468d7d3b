"""Opportunities: the board (bounded queries, drag/select moves), stale-edit conflicts, closing, history."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sales.models import ExchangeRate, Opportunity, StageChange
from sales.services import opportunities as services
from sales.services.common import StaleEdit
from tests.factories import CustomerFactory

from .factories import OpportunityFactory, default_pipeline, open_stages

pytestmark = pytest.mark.django_db


def _count(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response


def _bulk_opportunities(owner, count, stages):
    customer = CustomerFactory(owner=owner)
    now = timezone.now()
    Opportunity.objects.bulk_create(
        Opportunity(
            name=f"Bulk {i}", customer=customer, owner=owner, team=owner.team, pipeline=stages[0].pipeline,
            stage=stages[i % len(stages)], amount=Decimal("100.00"), stage_entered_at=now,
            expected_close_date=timezone.localdate() + timedelta(days=i % 90),
        )
        for i in range(count)
    )  # fmt: skip


@pytest.mark.parametrize("user_fixture", ["rep_user", "manager", "executive"])
def test_board_queries_are_bounded_as_opportunities_grow(request, client_for, user_fixture, rep_user):
    user = request.getfixturevalue(user_fixture)
    stages = open_stages()
    owner = rep_user if user_fixture != "rep_user" else user
    _bulk_opportunities(owner, 8, stages)
    client = client_for(user)
    url = reverse("sales:opportunity-board")
    few, _ = _count(client, url)
    _bulk_opportunities(owner, 2000, stages)
    many, response = _count(client, url)
    assert few == many
    assert many <= 14
    board = response.context["board"]
    assert sum(c.count for c in board["columns"]) == 2008
    assert board["total"] == Decimal("200800.00")
    # the columns show a bounded number of cards; the rest are a link away
    assert all(len(c.cards) <= 30 for c in board["columns"])
    assert sum(len(c.cards) for c in board["columns"]) == 30 * len(stages)


def test_board_totals_convert_currencies(client_for, rep_user, settings):
    settings.BASE_CURRENCY = "CNY"
    ExchangeRate.objects.create(currency="USD", date=timezone.localdate() - timedelta(days=1), rate=Decimal("7.1"))
    stage = open_stages()[0]
    OpportunityFactory(
        owner=rep_user, customer=CustomerFactory(owner=rep_user), stage=stage, amount=100, currency="USD"
    )
    OpportunityFactory(owner=rep_user, customer=CustomerFactory(owner=rep_user), stage=stage, amount=50)
    _, response = _count(client_for(rep_user), reverse("sales:opportunity-board"))
    column = response.context["board"]["columns"][0]
    assert column.total == Decimal("760.00") and column.count == 2


def test_list_queries_are_flat(client_for, manager, rep_user, settings):
    # Every request draws its filter form afresh: the counts compare the pages, not the cache.
    settings.LIST_FILTER_CACHE_SECONDS = 0
    stages = open_stages()
    _bulk_opportunities(rep_user, 5, stages)
    client = client_for(manager)
    url = reverse("sales:opportunity-list")
    few, _ = _count(client, url)
    _bulk_opportunities(rep_user, 300, stages)
    many, _ = _count(client, url)
    assert few == many and many <= 14
    filtered, response = _count(client, url, stage=stages[1].pk, sort="-amount", q="bulk")
    assert filtered <= 14 and all(o.stage_id == stages[1].pk for o in response.context["page"])


def test_drag_and_drop_moves_and_returns_the_board(client_for, rep_user):
    stages = open_stages()
    deal = OpportunityFactory(owner=rep_user, customer=CustomerFactory(owner=rep_user), stage=stages[0])
    response = client_for(rep_user).post(
        reverse("sales:opportunity-move", args=[deal.pk]),
        {"stage": stages[2].pk, "version": deal.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "sales/partials/board.html"
    deal.refresh_from_db()
    assert deal.stage == stages[2] and deal.version == 2
    history = list(StageChange.objects.filter(opportunity=deal).order_by("pk"))
    assert [c.to_stage for c in history] == [stages[2]]
    assert history[0].from_stage == stages[0]


def test_select_fallback_without_javascript_redirects_to_the_board(client_for, rep_user):
    stages = open_stages()
    deal = OpportunityFactory(owner=rep_user, customer=CustomerFactory(owner=rep_user), stage=stages[0])
    response = client_for(rep_user).post(reverse("sales:opportunity-move", args=[deal.pk]), {"stage": stages[1].pk})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.stage == stages[1]


def test_move_with_a_stale_card_shows_a_conflict_and_changes_nothing(client_for, rep_user):
    stages = open_stages()
    deal = OpportunityFactory(owner=rep_user, customer=CustomerFactory(owner=rep_user), stage=stages[0])
    services.opportunity_move(actor=rep_user, opportunity=deal, stage=stages[1], version=1)
    response = client_for(rep_user).post(
        reverse("sales:opportunity-move", args=[deal.pk]), {"stage": stages[3].pk, "version": 1}, HTTP_HX_REQUEST="true"
    )
    assert "Someone else changed" in response.context["error"] or "已" in response.context["error"]
    deal.refresh_from_db()
    assert deal.stage == stages[1]


def test_saving_an_opportunity_someone_else_changed_is_refused(client_for, rep_user, manager):
    deal = OpportunityFactory(owner=rep_user, customer=CustomerFactory(owner=rep_user), amount=100)
    client = client_for(rep_user)
    form = client.get(reverse("sales:opportunity-update", args=[deal.pk])).context["form"]
    seen_version = form["version"].value()
    # the manager saves first
    services.opportunity_update(actor=manager, opportunity=deal, data={"amount": Decimal("999")}, version=seen_version)
    data = {
        "name": deal.name, "customer": deal.customer_id, "amount": "150", "currency": "CNY", "owner": rep_user.pk,
        "stage": deal.stage_id, "version": seen_version,
    }  # fmt: skip
    response = client.post(reverse("sales:opportunity-update", args=[deal.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    deal.refresh_from_db()
    assert deal.amount == Decimal("999.00")


def test_stale_edit_in_the_service_raises(rep_user):
    deal = OpportunityFactory(owner=rep_user, customer=CustomerFactory(owner=rep_user))
    services.opportunity_update(actor=rep_user, opportunity=deal, data={"next_step": "call"}, version=1)
    with pytest.raises(StaleEdit):
        services.opportunity_update(actor=rep_user, opportunity=deal, data={"next_step": "visit"}, version=1)


def test_lost_needs_a_reason_and_won_closes(client_for, rep_user):
    deal = OpportunityFactory(owner=rep_user, customer=CustomerFactory(owner=rep_user))
    client = client_for(rep_user)
    url = reverse("sales:opportunity-close", args=[deal.pk])
    client.post(url, {"outcome": "lost", "reason": "", "version": 1})
    deal.refresh_from_db()
    assert deal.status == Opportunity.Status.OPEN
    client.post(url, {"outcome": "won", "reason": "最佳报价", "version": 1})
    deal.refresh_from_db()
    assert deal.status == Opportunity.Status.WON and deal.stage.is_won and deal.closed_at
    assert deal.close_reason == "最佳报价"


def test_stage_history_shows_time_in_each_stage(client_for, rep_user):
    stages = open_stages()
    deal = services.opportunity_create(
        actor=rep_user, data={"name": "D", "customer": CustomerFactory(owner=rep_user), "amount": 1}
    )
    StageChange.objects.filter(opportunity=deal).update(entered_at=timezone.now() - timedelta(days=3, hours=2))
    services.opportunity_move(actor=rep_user, opportunity=deal, stage=stages[1])
    response = client_for(rep_user).get(deal.get_absolute_url())
    first, second = response.context["history"]
    assert first.to_stage == stages[0] and first.duration.days == 3
    assert second.left_at is None


def test_create_opportunity_for_a_customer(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user)
    client = client_for(rep_user)
    response = client.post(
        reverse("sales:opportunity-create"),
        {"name": "新项目", "customer": customer.pk, "pipeline": default_pipeline().pk, "amount": "12.50",
         "currency": "CNY", "owner": rep_user.pk},
    )  # fmt: skip
    deal = Opportunity.objects.get()
    assert response.status_code == 302 and deal.stage == open_stages()[0]
    assert StageChange.objects.filter(opportunity=deal).count() == 1


def test_rep_cannot_create_an_opportunity_on_someone_elses_customer(client_for, rep_user, far_rep):
    foreign = CustomerFactory(owner=far_rep)
    response = client_for(rep_user).post(
        reverse("sales:opportunity-create"),
        {"name": "X", "customer": foreign.pk, "pipeline": default_pipeline().pk, "amount": "1", "currency": "CNY",
         "owner": rep_user.pk},
    )  # fmt: skip
    assert response.status_code == 200 and "customer" in response.context["form"].errors
    assert not Opportunity.objects.exists()


def test_choosing_a_customer_loads_its_contacts(client_for, rep_user, far_rep):
    from tests.factories import ContactFactory

    customer = CustomerFactory(owner=rep_user)
    ContactFactory(customer=customer, name="张经理", is_primary=True)
    client = client_for(rep_user)
    response = client.get(reverse("sales:customer-contacts"), {"customer": customer.pk}, HTTP_HX_REQUEST="true")
    assert "张经理" in response.content.decode() and "selected" in response.content.decode()
    foreign = CustomerFactory(owner=far_rep)
    assert client.get(reverse("sales:customer-contacts"), {"customer": foreign.pk}).status_code == 404
    form = client.get(reverse("sales:opportunity-create")).content.decode()
    assert 'hx-get="/sales/opportunities/contacts/"' in form
