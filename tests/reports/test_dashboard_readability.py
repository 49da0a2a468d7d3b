"""Dashboards a person can read: labels in their language, people's names, one unit per axis, a "last 12
months" that is twelve whole months and the current one, and a forecast whose target is the teams'."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts import roles
from reports.dashboard_filters import DashboardFilters
from reports.forms import DashboardFilterForm
from reports.panels.marketing import campaign_roi
from reports.panels.sales import lead_sources, pipeline_by_stage, win_rate_by_rep
from reports.panels.service import csat_trend
from sales.analytics import add_months, month_start, rolled_up_targets
from sales.models import Lead, Opportunity, SalesTarget
from service.models import SatisfactionSurvey
from tests.factories import TeamFactory, UserFactory
from tests.marketing.factories import CampaignFactory
from tests.sales.factories import LeadFactory, OpportunityFactory, default_pipeline
from tests.service.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _at(month, day, year=2026):
    return datetime(year, month, day, 12, tzinfo=timezone.get_current_timezone())


PERIOD = DashboardFilters(start=_at(1, 1).date(), end=_at(3, 31).date())


def test_lead_sources_show_the_source_labels_in_the_users_language(rep_user):
    for source in ("website", "event", ""):
        lead = LeadFactory(owner=rep_user, source=source)
        Lead.objects.filter(pk=lead.pk).update(created_at=_at(2, 1))
    with translation.override("zh-hans"):
        labels = {str(label) for label in lead_sources(rep_user, PERIOD).labels}
    assert labels == {"网站", "活动", "未知"}
    with translation.override("en"):
        assert {str(label) for label in lead_sources(rep_user, PERIOD).labels} == {"Website", "Event", "Unknown"}


def test_win_rate_names_people_by_their_full_names(rep_user):
    rep_user.first_name, rep_user.last_name = "Emily", "Chen"
    rep_user.save()
    won = default_pipeline().stages.get(is_won=True)
    deal = OpportunityFactory(owner=rep_user, team=rep_user.team, stage=won, status=Opportunity.Status.WON)
    Opportunity.objects.filter(pk=deal.pk).update(created_at=_at(1, 2), closed_at=_at(1, 5))
    assert win_rate_by_rep(rep_user, PERIOD).labels == ["Emily Chen"]


def test_campaign_roi_puts_the_percentage_on_its_own_axis(manager):
    CampaignFactory(name="Fair", owner=manager, team=manager.team, actual_cost=Decimal("1000"),
                    start_date=_at(2, 1).date(), end_date=_at(2, 2).date())  # fmt: skip
    with translation.override("en"):
        chart = campaign_roi(manager, PERIOD)
        axes = {str(series.label): series.axis for series in chart.series}
    assert axes == {"ROI (%)": "y1", "Won revenue": "y", "Cost": "y"}
    with translation.override("en"):
        spec = chart.as_json()
    assert spec["axes"] == {"y": "CNY", "y1": "%"}
    assert {d["label"]: d["axis"] for d in spec["datasets"]}["ROI (%)"] == "y1"


def test_csat_score_and_answer_count_read_off_different_axes(db):
    agent = UserFactory(role=roles.SERVICE_AGENT, team=TeamFactory())
    ticket = TicketFactory(assignee=agent)
    SatisfactionSurvey.objects.create(ticket=ticket, customer=ticket.customer, score=4, answered_at=_at(2, 3))
    executive = UserFactory(role=roles.EXECUTIVE)
    chart = csat_trend(executive, PERIOD)
    assert [series.axis for series in chart.series] == ["y", "y1"]
    assert chart.axes["y"] != chart.axes["y1"]


def test_pipeline_counts_are_not_drawn_on_the_amount_axis(manager):
    OpportunityFactory(owner=manager, team=manager.team, amount=5000)
    chart = pipeline_by_stage(manager, PERIOD)
    assert [series.axis for series in chart.series] == ["y", "y1"]


def test_last_12_months_are_twelve_whole_months_and_the_current_one():
    today = timezone.localdate()
    default = DashboardFilters.default()
    assert default.start == add_months(month_start(today), -12) and default.end == today
    months = default.months()
    assert len(months) == 13 and months[-1] == month_start(today)
    # Not "this year": in December that was 1 January to today, in January a single month.
    assert default.start < today.replace(month=1, day=1) or today.month > 1 and default.start.month == today.month
    form = DashboardFilterForm({"period": "12m"}, teams=None, owners=None)
    form.fields["team"].queryset = form.fields["owner"].queryset = UserFactory._meta.model.objects.none()
    assert form.filters().start == default.start


@pytest.fixture
def company():
    """A company over two sales teams; East has team targets, South only its rep's own."""
    company = TeamFactory(name="Company")
    east = TeamFactory(name="East sales", parent=company)
    south = TeamFactory(name="South sales", parent=company)
    east_rep = UserFactory(role=roles.SALES_REP, team=east)
    south_rep = UserFactory(role=roles.SALES_REP, team=south)
    month = month_start(timezone.localdate())
    SalesTarget.objects.create(team=east, period="month", period_start=month, amount=Decimal("1500000"))
    SalesTarget.objects.create(user=east_rep, period="month", period_start=month, amount=Decimal("500000"))
    SalesTarget.objects.create(user=south_rep, period="month", period_start=month, amount=Decimal("300000"))
    SalesTarget.objects.create(team=east, period="month", period_start=add_months(month, 1), amount=Decimal("1600000"))
    return company, east, south, east_rep, south_rep


def _targets(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("sales:forecast"), params)
    assert response.status_code == 200
    return [month.target for month in response.context["result"]["months"]]


def test_forecast_for_the_whole_company_adds_up_the_teams_targets(client, company):
    executive = UserFactory(role=roles.EXECUTIVE)
    targets = _targets(client, executive)
    # East's team target covers its rep's own; South has none, so its rep's counts.
    assert targets[:3] == [Decimal("1800000.00"), Decimal("1600000.00"), 0]


def test_forecast_of_a_team_and_of_its_manager_shows_the_team_target(client, company):
    _company, east, _south, _east_rep, _south_rep = company
    manager = UserFactory(role=roles.SALES_MANAGER, team=east)
    east.manager = manager
    east.save()
    assert _targets(client, manager)[:2] == [Decimal("1500000.00"), Decimal("1600000.00")]
    executive = UserFactory(role=roles.EXECUTIVE)
    assert _targets(client, executive, team=east.pk)[:2] == [Decimal("1500000.00"), Decimal("1600000.00")]


def test_a_reps_forecast_shows_their_own_target(client, company):
    east_rep = company[3]
    assert _targets(client, east_rep)[0] == Decimal("500000.00")


def test_forecast_rolls_targets_up_without_counting_twice():
    east = TeamFactory(parent=TeamFactory())
    rep = UserFactory(team=east)
    month = month_start(timezone.localdate())
    SalesTarget.objects.create(team=east, period="quarter", period_start=month, amount=Decimal("300"))
    SalesTarget.objects.create(user=rep, period="month", period_start=add_months(month, 3), amount=Decimal("70"))
    found = rolled_up_targets(SalesTarget.objects.all(), month, add_months(month, 5))
    assert [found.get(add_months(month, i), 0) for i in range(5)] == [100, 100, 100, 70, 0]


def test_a_month_without_figures_reads_as_a_dash_not_none(client):
    executive = UserFactory(role=roles.EXECUTIVE)
    client.force_login(executive)
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert "<td>None</td>" not in html and "<td>—</td>" in html  # the SLA and CSAT tables without tickets


def test_reports_are_shared_with_roles_named_in_the_users_language(client, manager):
    from reports.forms import SaveReportForm
    from reports.selectors import share_roles

    with translation.override("zh-hans"):
        labels = [label for _value, label in SaveReportForm(roles=share_roles()).fields["roles"].choices]
    assert "销售员" in [str(label) for label in labels] and "Sales rep" not in labels
