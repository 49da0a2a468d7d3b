"""The sales summaries: after a rebuild the panels read them and show exactly the live figures, for each
record scope (own, team, all) and dashboard filter; a rebuild picks up changes; the page says when."""

import zoneinfo
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from reports import summaries, tasks
from reports.models import LeadDailySummary, SalesDailySummary, SalesPipelineSummary, SummaryRefresh
from reports.panels.sales import (
    lead_sources,
    pipeline_by_stage,
    sales_funnel,
    win_rate_by_rep,
    won_revenue_by_month,
)
from tests.reports import test_sales_reports as fixtures
from tests.reports.factories import dashboard_filter_sets

pytestmark = pytest.mark.django_db

deals = fixtures.deals
leads = fixtures.leads
english = fixtures.english
PERIOD = fixtures.PERIOD
PANELS = (sales_funnel, won_revenue_by_month, win_rate_by_rep, pipeline_by_stage, lead_sources)


def _fresh(user):
    # The panels keep per-request facts on the user object; a new object is a new request.
    return User.objects.get(pk=user.pk)


def _figures(user, filters):
    return [
        (list(map(str, chart.labels)), [(str(s.label), s.values) for s in chart.series])
        for chart in (panel(_fresh(user), filters) for panel in PANELS)
    ]


def _filter_sets(user):
    return dashboard_filter_sets(user, PERIOD, date(2026, 1, 12), date(2026, 2, 20))


@pytest.mark.parametrize("who", ["rep_user", "manager", "executive"])
def test_summary_figures_equal_the_live_ones_for_each_scope(request, deals, leads, who):
    user = request.getfixturevalue(who)
    live = {i: _figures(user, filters) for i, filters in enumerate(_filter_sets(user))}
    summaries.sales_summaries_refresh()
    summarised = {i: _figures(user, filters) for i, filters in enumerate(_filter_sets(user))}
    assert summarised == live
    # Not an equality of empty charts.
    assert any(values for _labels, series in live[0] for _label, values in series)


def test_scopes_see_different_summarised_totals(deals, rep_user, manager, executive):
    summaries.sales_summaries_refresh()
    won = {u.username: sales_funnel(_fresh(u), PERIOD).series[0].values[3] for u in (rep_user, manager, executive)}
    assert won == {"alice": 2, "mona": 3, "eve": 4}


def test_panels_read_the_summary_and_say_when_it_was_refreshed(deals, rep_user):
    summaries.sales_summaries_refresh()
    SalesDailySummary.objects.update(won=0, decided=0, won_amount=None)  # tampered: proves what is read
    SalesPipelineSummary.objects.update(deals=99)
    user = _fresh(rep_user)
    assert won_revenue_by_month(user, PERIOD).series[0].values == [0, 0, 0]
    chart = pipeline_by_stage(user, PERIOD)
    assert chart.series[1].values == [99]
    assert "as of" in str(chart.title)


def test_lead_panels_read_the_lead_summary(leads, rep_user, manager, executive):
    """The funnel's lead bars and the lead sources come from the lead summary once it is rebuilt, for each scope."""
    summaries.sales_summaries_refresh()
    funnel = {u.username: sales_funnel(_fresh(u), PERIOD).series[0].values[:2] for u in (rep_user, manager, executive)}
    assert funnel == {"alice": [3, 2], "mona": [3, 2], "eve": [4, 3]}
    LeadDailySummary.objects.filter(source="web").update(leads=7, qualified=5)  # tampered: proves what is read
    user = _fresh(rep_user)
    assert sales_funnel(user, PERIOD).series[0].values[:2] == [15, 10]  # two web days of 7
    chart = lead_sources(user, PERIOD)
    assert chart.series[0].values == [14, 1]
    assert "as of" in str(chart.title)


def test_a_refresh_picks_up_changes_and_is_idempotent(deals, rep_user):
    first = summaries.sales_summaries_refresh()
    assert summaries.sales_summaries_refresh() == first
    fixtures._deal(rep_user, 50, fixtures._at(3, 1), status="won", closed=fixtures._at(3, 2))
    user = _fresh(rep_user)
    assert won_revenue_by_month(user, PERIOD).series[0].values[2] == Decimal("1420.00")  # not yet refreshed
    tasks.refresh_sales_summaries.apply().get()  # what beat runs
    later = SummaryRefresh.objects.get(name=summaries.SALES).refreshed_at
    user = _fresh(rep_user)
    assert won_revenue_by_month(user, PERIOD).series[0].values[2] == Decimal("1470.00")
    assert sales_funnel(user, PERIOD).series[0].values[2:] == [5, 3]
    assert later <= timezone.now()


def test_without_a_refresh_or_in_another_time_zone_the_panels_stay_live(deals, rep_user):
    assert "as of" not in str(pipeline_by_stage(_fresh(rep_user), PERIOD).title)
    summaries.sales_summaries_refresh()
    SalesDailySummary.objects.update(won=0, decided=0, won_amount=None)
    other = "UTC" if settings.TIME_ZONE != "UTC" else "Asia/Tokyo"
    with timezone.override(zoneinfo.ZoneInfo(other)):
        values = won_revenue_by_month(_fresh(rep_user), PERIOD).series[0].values
    assert values == [Decimal("1000.00"), 0, Decimal("1420.00")]


def test_beat_rebuilds_the_sales_summaries_every_few_minutes():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("refresh_sales_summaries"))
    assert entry["schedule"] <= 10 * 60
