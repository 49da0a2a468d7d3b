"""The customer summary: after a rebuild the customer panels read it and show exactly the live figures for
each record scope, including customers shared with a user outside their owner/team scope."""

from datetime import date

import pytest
from django.conf import settings

from accounts.models import User
from customers.models import Customer, CustomerShare
from reports import summaries, tasks
from reports.models import CustomerSummary
from reports.panels.customers import customer_facts, customer_growth, customers_by_source, data_quality
from tests.reports import test_dashboard as fixtures
from tests.reports.factories import dashboard_filter_sets

pytestmark = pytest.mark.django_db

data = fixtures.data
period = fixtures.period
CHARTS = (customer_growth, customers_by_source, data_quality)


@pytest.fixture
def shared(data, rep_user, far_rep):
    """Carol's January VIP (another team, outside Alice's scope) is shared with Alice."""
    carols = Customer.objects.get(owner=far_rep)
    CustomerShare.objects.create(customer=carols, user=rep_user)
    return carols


def _fresh(user):
    return User.objects.get(pk=user.pk)


def _figures(user, filters):
    charts = [
        (list(map(str, chart.labels)), [(str(s.label), s.values) for s in chart.series])
        for chart in (panel(_fresh(user), filters) for panel in CHARTS)
    ]
    return charts, customer_facts(_fresh(user), filters)


def _filter_sets(user, period):
    return dashboard_filter_sets(user, period, date(2026, 1, 6), date(2026, 2, 28))


@pytest.mark.parametrize("who", ["rep_user", "manager", "executive"])
def test_summary_figures_equal_the_live_ones_for_each_scope(request, shared, period, who):
    user = request.getfixturevalue(who)
    live = [_figures(user, filters) for filters in _filter_sets(user, period)]
    summaries.customer_summaries_refresh()
    assert [_figures(user, filters) for filters in _filter_sets(user, period)] == live
    assert live[0][1]["total"] > 0


def test_a_shared_customer_is_added_from_the_live_table(shared, rep_user, period):
    summaries.customer_summaries_refresh()
    facts = customer_facts(_fresh(rep_user), period)
    # Alice's four plus Carol's shared VIP.
    assert (facts["total"], facts["vip"]) == (5, 2)
    chart = customer_growth(_fresh(rep_user), period)
    assert "as of" in str(chart.title)


def test_panels_read_the_summary_and_a_refresh_picks_up_changes(data, rep_user, period):
    summaries.customer_summaries_refresh()
    CustomerSummary.objects.filter(facet=CustomerSummary.Facet.QUALITY).update(customers=0)  # tampered
    assert customer_facts(_fresh(rep_user), period)["total"] == 0
    fixtures._customer(rep_user, fixtures._at(2026, 2, 1), lifecycle_stage="vip", source="event", quality_score=50)
    tasks.refresh_customer_summaries.apply().get()
    facts = customer_facts(_fresh(rep_user), period)
    assert (facts["total"], facts["vip"], facts["new"]) == (5, 2, 4)
    assert summaries.customer_summaries_refresh() == summaries.customer_summaries_refresh()


def test_beat_rebuilds_the_customer_summary_every_few_minutes():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("refresh_customer_summaries"))
    assert entry["schedule"] <= 10 * 60
