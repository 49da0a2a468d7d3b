"""The demo has a past: a year and a half of customers, communications, deals won and lost, orders,
tickets, events and surveys with seasons, so the first look at the dashboards shows what they are for."""

import io
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from crm import seasons
from customers.models import Communication, Customer
from marketing.models import Event, SurveyResponse
from reports.dashboard_filters import DashboardFilters
from reports.panels.customers import communications_by_channel, customer_growth
from reports.panels.sales import won_revenue_by_month
from reports.panels.service import csat_trend, ticket_volume
from sales.models import Opportunity, Order, SalesTarget
from service.models import SatisfactionSurvey, Ticket

pytestmark = pytest.mark.django_db


def _months_between(first, last):
    first, last = timezone.localtime(first), timezone.localtime(last)
    return (last.year - first.year) * 12 + last.month - first.month


def test_seasons_weigh_the_spring_festival_and_the_year_end_and_skip_the_future():
    import random

    rng = random.Random(1)
    now = timezone.now()
    found = seasons.moments(rng, 4000, now=now)
    assert max(found) < now and _months_between(min(found), now) == seasons.HISTORY_MONTHS
    by_month = {}
    for moment in found:
        by_month[timezone.localtime(moment).month] = by_month.get(timezone.localtime(moment).month, 0) + 1
    assert by_month[2] < by_month[3] and by_month[2] < by_month[12]
    weekdays = sum(1 for moment in found if timezone.localtime(moment).weekday() < 5)
    assert weekdays > 0.95 * len(found)


def test_seeded_demo_spans_a_year_and_more_and_every_dashboard_month_has_data(capsys):
    started = time.monotonic()
    call_command("seed_demo", stdout=io.StringIO())
    elapsed = time.monotonic() - started
    now = timezone.now()

    spans = {
        "customers": Customer.objects.order_by("created_at").values_list("created_at", flat=True).first(),
        "communications": Communication.objects.order_by("occurred_at").values_list("occurred_at", flat=True)[0],
        "won": Opportunity.objects.filter(status="won").order_by("closed_at").values_list("closed_at", flat=True)[0],
        "lost": Opportunity.objects.filter(status="lost").order_by("closed_at").values_list("closed_at", flat=True)[0],
        "orders": Order.objects.order_by("created_at").values_list("created_at", flat=True)[0],
        "tickets": Ticket.objects.order_by("created_at").values_list("created_at", flat=True)[0],
        "events": Event.objects.order_by("starts_at").values_list("starts_at", flat=True)[0],
        "ticket surveys": SatisfactionSurvey.objects.order_by("answered_at").values_list("answered_at", flat=True)[0],
        "event surveys": SurveyResponse.objects.order_by("answered_at").values_list("answered_at", flat=True)[0],
    }
    short = {name: _months_between(first, now) for name, first in spans.items() if _months_between(first, now) < 12}
    assert not short, f"less than 12 months of history: {short}"
    assert not Opportunity.objects.filter(created_at__gt=now).exists()
    assert not Communication.objects.filter(occurred_at__gt=now).exists()

    executive = User.objects.get(username="executive")
    filters = DashboardFilters.default()
    months = len(filters.months())
    for panel in (customer_growth, communications_by_channel, ticket_volume):
        chart = panel(executive, filters)
        totals = [sum(series.values[i] for series in chart.series) for i in range(months)]
        assert all(totals), f"{panel.__name__} has empty months: {totals}"
    won = won_revenue_by_month(executive, filters).series[0].values
    assert sum(1 for value in won if value) >= months - 2, won
    scores = csat_trend(executive, filters).series[0].values
    assert sum(1 for value in scores if value) >= months - 2, scores
    # Past months were measured against the team's targets.
    assert SalesTarget.objects.filter(period_start__lt=filters.months()[-1]).count() >= 12
    print(f"seed_demo took {elapsed:.1f} s")
