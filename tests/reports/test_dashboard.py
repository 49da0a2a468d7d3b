"""Role dashboards: each panel's figures against a hand-built fixture, scope, filters, links and query counts."""

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import Communication, Customer, FollowUpTask
from reports.dashboard_filters import DashboardFilters
from reports.panels.customers import (
    communications_by_channel,
    customer_growth,
    customers_by_source,
    data_quality,
    follow_up_tasks,
)
from tests.factories import CommunicationFactory, CustomerFactory, FollowUpTaskFactory

pytestmark = pytest.mark.django_db


def _at(year, month, day):
    return datetime(year, month, day, 12, tzinfo=timezone.get_current_timezone())


def _customer(owner, created, **fields):
    customer = CustomerFactory(owner=owner, **fields)
    Customer.objects.filter(pk=customer.pk).update(created_at=created)
    return customer


@pytest.fixture
def period():
    return DashboardFilters(start=_at(2026, 1, 1).date(), end=_at(2026, 3, 31).date())


@pytest.fixture
def data(rep_user, other_rep, far_rep):
    """Alice: 2 prospects in January (website), 1 VIP in March (referral), 1 customer in 2025 (outside).
    Bob (same team): 1 prospect in February. Carol (other team): 1 VIP in January."""
    _customer(rep_user, _at(2026, 1, 5), lifecycle_stage="prospect", source="website", quality_score=20)
    _customer(rep_user, _at(2026, 1, 20), lifecycle_stage="prospect", source="website", quality_score=45)
    _customer(rep_user, _at(2026, 3, 9), lifecycle_stage="vip", source="referral", quality_score=90)
    _customer(rep_user, _at(2025, 6, 1), lifecycle_stage="customer", source="event", quality_score=65)
    _customer(other_rep, _at(2026, 2, 14), lifecycle_stage="prospect", source="", quality_score=70)
    _customer(far_rep, _at(2026, 1, 7), lifecycle_stage="vip", source="website", quality_score=100)


def _series(chart):
    return {str(s.label): s.values for s in chart.series}


def test_customer_growth_counts_new_customers_per_month_and_stage(data, rep_user, manager, period):
    mine = customer_growth(rep_user, period)
    assert mine.labels == ["2026-01", "2026-02", "2026-03"]
    assert _series(mine)["Prospect"] == [2, 0, 0]
    assert _series(mine)["VIP"] == [0, 0, 1]
    assert mine.total() == 3
    team = customer_growth(manager, period)  # the manager's team: Alice and Bob, not Carol
    assert _series(team)["Prospect"] == [2, 1, 0]
    assert _series(team)["VIP"] == [0, 0, 1]


def test_a_growth_bar_links_to_the_customer_list_filtered_the_same_way(data, rep_user, period):
    chart = customer_growth(rep_user, DashboardFilters(start=period.start, end=period.end, owner=rep_user.pk))
    vip = next(s for s in chart.series if str(s.label) == "VIP")
    link = urlparse(vip.links[2])
    assert link.path == reverse("customers:customer-list")
    assert parse_qs(link.query) == {
        "lifecycle_stage": ["vip"],
        "owner": [str(rep_user.pk)],
        "created_after": ["2026-03-01"],
        "created_before": ["2026-03-31"],
    }


def test_the_linked_customer_list_shows_the_same_number(data, client_for, rep_user, period):
    chart = customer_growth(rep_user, period)
    prospects = next(s for s in chart.series if str(s.label) == "Prospect")
    response = client_for(rep_user).get(prospects.links[0])
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == prospects.values[0] == 2


def test_customers_by_source_and_quality_buckets(data, rep_user, period):
    source = customers_by_source(rep_user, period)
    counts = dict(zip(source.labels, source.series[0].values, strict=True))
    assert counts["Website"] == 2 and counts["Referral"] == 1 and counts["Event"] == 0
    quality = data_quality(rep_user, period)  # all of Alice's customers, whatever the period
    assert quality.series[0].values == [1, 1, 1, 1]  # 20 | 45 | 65 | 90
    assert "quality=incomplete" in quality.series[0].links[0]
    assert "quality=complete" in quality.series[0].links[3]


def test_owner_and_team_filters_narrow_every_panel(data, manager, other_rep, team, period):
    only_bob = DashboardFilters(start=period.start, end=period.end, owner=other_rep.pk)
    assert customer_growth(manager, only_bob).total() == 1
    assert data_quality(manager, only_bob).total() == 1
    in_team = DashboardFilters(start=period.start, end=period.end, team=team.pk)
    assert customer_growth(manager, in_team).total() == 4


def test_communications_by_channel_and_month(rep_user, far_rep, period):
    customer = CustomerFactory(owner=rep_user)
    for when, channel in [(_at(2026, 1, 3), "phone"), (_at(2026, 1, 4), "phone"), (_at(2026, 2, 1), "visit")]:
        CommunicationFactory(customer=customer, occurred_at=when, channel=channel)
    CommunicationFactory(customer=CustomerFactory(owner=far_rep), occurred_at=_at(2026, 1, 3), channel="phone")
    chart = communications_by_channel(rep_user, period)
    assert _series(chart)["Phone"] == [2, 0, 0]
    assert _series(chart)["Visit"] == [0, 1, 0]
    link = parse_qs(urlparse(_series_links(chart, "Phone")[0]).query)
    assert link["channel"] == [Communication.Channel.PHONE]
    assert link["occurred_after"] == ["2026-01-01"] and link["occurred_before"] == ["2026-01-31"]


def _series_links(chart, label):
    return next(s.links for s in chart.series if str(s.label) == label)


def test_follow_up_tasks_done_overdue_and_open(rep_user):
    now = timezone.now()
    customer = CustomerFactory(owner=rep_user)
    FollowUpTaskFactory(customer=customer, due_at=now - timedelta(days=1), status=FollowUpTask.Status.DONE)
    FollowUpTaskFactory(customer=customer, due_at=now - timedelta(hours=2))
    FollowUpTaskFactory(customer=customer, due_at=now - timedelta(hours=1))
    FollowUpTaskFactory(customer=customer, due_at=now + timedelta(hours=1), status=FollowUpTask.Status.CANCELLED)
    today = timezone.localdate()
    chart = follow_up_tasks(rep_user, DashboardFilters(start=today - timedelta(days=3), end=today + timedelta(days=3)))
    totals = {label: sum(values) for label, values in _series(chart).items()}
    assert totals == {"Done": 1, "Overdue": 2, "Open": 0}


def test_dashboard_page_respects_scope_and_offers_only_in_scope_owners(data, client_for, rep_user):
    response = client_for(rep_user).get(
        reverse("reports:dashboard"), {"period": "custom", "start": "2026-01-01", "end": "2026-03-31"}
    )
    assert response.status_code == 200
    numbers = {str(n["label"]): n["value"] for n in response.context["numbers"]}
    assert numbers["Customers"] == 4
    assert numbers["New in period"] == 3
    assert list(response.context["form"].fields["owner"].queryset) == [rep_user]
    assert b"<script>" not in response.content and b"onclick" not in response.content.lower()


def test_every_role_sees_its_dashboard(client_for, rep_user, marketer, executive):
    for user in (rep_user, marketer, executive):
        assert client_for(user).get(reverse("reports:dashboard")).status_code == 200


def _dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("user_fixture", ["rep_user", "manager", "executive"])
def test_dashboard_query_count_is_flat_as_data_grows(request, client_for, user_fixture):
    user = request.getfixturevalue(user_fixture)
    client = client_for(user)
    CustomerFactory(owner=user)
    few = _dashboard_queries(client)
    for i in range(40):
        customer = CustomerFactory(owner=user, source="website" if i % 2 else "event")
        CommunicationFactory(customer=customer)
        FollowUpTaskFactory(customer=customer)
    assert _dashboard_queries(client) == few
    # Customer panels plus the sales, marketing and service panels each role may see.
    assert few <= 30


def test_big_screen_renders_dark_and_refreshes_its_body(client_for, manager):
    CustomerFactory(owner=manager)
    client = client_for(manager)
    page = client.get(reverse("reports:big-screen"))
    assert page.status_code == 200
    assert b'class="big-screen"' in page.content and b'hx-trigger="every 60s"' in page.content
    assert b"<script>" not in page.content
    partial = client.get(reverse("reports:big-screen"), headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert b"<html" not in partial.content and b"report-numbers" in partial.content


def test_cached_figures_are_per_user_and_skip_the_aggregates(client_for, rep_user, far_rep, settings):
    settings.REPORT_CACHE_SECONDS = 60
    from django.core.cache import cache

    cache.clear()
    CustomerFactory(owner=rep_user)
    CustomerFactory(owner=far_rep)
    CustomerFactory(owner=far_rep)
    alice = client_for(rep_user)
    first = _dashboard_queries(alice)
    assert _dashboard_queries(alice) < first  # the second view reads the cache
    numbers = {str(n["label"]): n["value"] for n in alice.get(reverse("reports:dashboard")).context["numbers"]}
    assert numbers["Customers"] == 1
    carol = client_for(far_rep)
    numbers = {str(n["label"]): n["value"] for n in carol.get(reverse("reports:dashboard")).context["numbers"]}
    assert numbers["Customers"] == 2  # another user never gets Alice's cached figures
