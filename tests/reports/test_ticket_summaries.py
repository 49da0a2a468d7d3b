"""The ticket summary: after a rebuild the service panels (tickets by month and type, SLA compliance) read it and
show exactly the live figures for each record scope — an agent through the queues they work in, a manager through
the team's queue, an executive everything — and for each dashboard filter; the page says when it was rebuilt."""

import zoneinfo
from datetime import date

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from reports import summaries
from reports.models import TicketDailySummary
from reports.panels.service import sla_compliance, ticket_volume
from service.models import Queue, Ticket
from tests.reports import test_service_marketing_reports as fixtures
from tests.reports.factories import dashboard_filter_sets
from tests.reports.test_sales_reports import english
from tests.service.factories import QueueFactory

pytestmark = pytest.mark.django_db

agent = fixtures.agent
outsider = fixtures.outsider
tickets = fixtures.tickets
english = english
PERIOD = fixtures.PERIOD
_at, HOUR = fixtures._at, fixtures.HOUR
PANELS = (ticket_volume, sla_compliance)


@pytest.fixture
def team_tickets(tickets, manager, rep_user):
    """Tickets of a queue that belongs to the manager's team, one assigned to the rep; one at a month's edge."""
    queue = QueueFactory(name="Sales desk")
    Queue.objects.filter(pk=queue.pk).update(team=manager.team)
    fixtures._ticket(queue, _at(1, 20), assignee=rep_user, type=Ticket.Type.COMPLAINT,
                     responded=_at(1, 20) + HOUR / 2, resolved=_at(1, 20) + 2 * HOUR)  # fmt: skip
    fixtures._ticket(queue, _at(3, 1, hour=0), type=Ticket.Type.FAULT, responded=_at(3, 1, hour=3))


def _fresh(user):
    # The panels keep per-request facts on the user object; a new object is a new request.
    return User.objects.get(pk=user.pk)


def _figures(user, filters):
    return [
        (list(map(str, chart.labels)), [(str(s.label), s.values) for s in chart.series])
        for chart in (panel(_fresh(user), filters) for panel in PANELS)
    ]


@pytest.mark.parametrize("who", ["agent", "outsider", "rep_user", "manager", "executive"])
def test_ticket_summary_figures_equal_the_live_ones_for_each_scope(request, team_tickets, who):
    user = request.getfixturevalue(who)
    filter_sets = dashboard_filter_sets(user, PERIOD, date(2026, 1, 12), date(2026, 2, 20))
    live = [_figures(user, filters) for filters in filter_sets]
    summaries.sales_summaries_refresh()
    assert [_figures(user, filters) for filters in filter_sets] == live
    # Not an equality of empty charts.
    assert any(any(v for v in values if v) for _labels, series in live[0] for _label, values in series)


def test_scopes_see_different_summarised_tickets(team_tickets, agent, outsider, manager, executive):
    summaries.sales_summaries_refresh()
    totals = {
        u.username: sum(sum(s.values) for s in ticket_volume(_fresh(u), PERIOD).series)
        for u in (agent, outsider, manager, executive)
    }
    assert totals == {"agnes": 3, "olga": 1, "mona": 2, "eve": 6}


def test_service_panels_read_the_summary_and_say_when(team_tickets, executive):
    summaries.sales_summaries_refresh()
    TicketDailySummary.objects.update(tickets=10, responded=4, responded_in_time=1)  # tampered: proves what is read
    user = _fresh(executive)
    volume = ticket_volume(user, PERIOD)
    assert sum(sum(s.values) for s in volume.series) == 10 * TicketDailySummary.objects.count()
    assert "as of" in str(volume.title)
    sla = sla_compliance(user, PERIOD)
    assert sla.series[0].values == [25.0, 25.0, 25.0]
    assert summaries.sales_summaries_refresh() > 0  # a rebuild restores the live figures
    assert sla_compliance(_fresh(executive), PERIOD).series[0].values == [100.0, 0.0, 0.0]


def test_without_a_refresh_or_in_another_time_zone_the_service_panels_stay_live(team_tickets, executive):
    assert "as of" not in str(ticket_volume(_fresh(executive), PERIOD).title)
    summaries.sales_summaries_refresh()
    TicketDailySummary.objects.update(tickets=10)
    other = "UTC" if settings.TIME_ZONE != "UTC" else "Asia/Tokyo"
    with timezone.override(zoneinfo.ZoneInfo(other)):
        chart = ticket_volume(_fresh(executive), PERIOD)
    assert "as of" not in str(chart.title)
    assert sum(sum(s.values) for s in chart.series) == 6


def test_a_ticket_summary_rebuild_is_idempotent_and_picks_up_changes(team_tickets, executive):
    summaries.ticket_summaries_refresh()
    rows = list(TicketDailySummary.objects.order_by("day", "queue_id", "type").values())
    summaries.ticket_summaries_refresh()
    assert [{**r, "id": None} for r in TicketDailySummary.objects.order_by("day", "queue_id", "type").values()] == [
        {**r, "id": None} for r in rows
    ]
    fixtures._ticket(Queue.objects.get(name="Support"), _at(3, 2), type=Ticket.Type.SUGGESTION)
    summaries.ticket_summaries_refresh()
    assert sum(sum(s.values) for s in ticket_volume(_fresh(executive), PERIOD).series) == 7
