"""Service and marketing in reports: ticket and registration data sets, ticket volume, SLA compliance,
CSAT trend and campaign ROI panels, the service and campaign reports, against hand-built fixtures.

Agnes works the Support queue; Olga another queue she cannot see into. Period: January to March 2026.
"""

import statistics
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from marketing.models import Registration
from reports import builder
from reports import statistics as report_statistics
from reports.dashboard_filters import DashboardFilters
from reports.datasets import REGISTRATIONS, TICKETS
from reports.panels.marketing import campaign_roi
from reports.panels.service import csat_trend, sla_compliance, ticket_volume
from reports.registry import panels_for
from reports.report_templates.marketing import campaign_report
from reports.report_templates.service import service_report
from sales.models import Opportunity
from service.models import SatisfactionSurvey, Ticket
from tests.factories import TeamFactory, UserFactory
from tests.marketing.factories import CampaignFactory, EventFactory, RegistrationFactory
from tests.sales.factories import OpportunityFactory, default_pipeline
from tests.service.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db


def _at(month, day, hour=12, year=2026):
    return datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


PERIOD = DashboardFilters(start=_at(1, 1).date(), end=_at(3, 31).date())
HOUR = timedelta(hours=1)


@pytest.fixture
def agent(db):
    return UserFactory(username="agnes", role=roles.SERVICE_AGENT, team=TeamFactory(name="Desk"))


@pytest.fixture
def outsider(db):
    return UserFactory(username="olga", role=roles.SERVICE_AGENT, team=TeamFactory(name="Field"))


def _ticket(queue, created, *, assignee=None, type=Ticket.Type.INQUIRY, responded=None, resolved=None):
    """A ticket due for a response an hour after it came in and for resolution a day after."""
    ticket = TicketFactory(queue=queue, assignee=assignee, type=type)
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=created,
        response_due_at=created + HOUR,
        resolution_due_at=created + 24 * HOUR,
        first_responded_at=responded,
        resolved_at=resolved,
        status=Ticket.Status.RESOLVED if resolved else Ticket.Status.NEW,
    )
    return ticket


def _survey(ticket, score, answered):
    survey = SatisfactionSurvey.objects.create(ticket=ticket, customer=ticket.customer, score=score)
    SatisfactionSurvey.objects.filter(pk=survey.pk).update(answered_at=answered)


@pytest.fixture
def tickets(agent, outsider):
    support = QueueFactory(name="Support", agents=[agent])
    field = QueueFactory(name="Field", agents=[outsider])
    # January: answered in 0.5 h (in time), resolved after 48 h (late).
    t1 = _ticket(support, _at(1, 5), type=Ticket.Type.COMPLAINT, responded=_at(1, 5) + HOUR / 2,
                 resolved=_at(1, 7))  # fmt: skip
    # February: answered after 2 h (late), resolved after 8 h (in time); and one still open.
    t2 = _ticket(support, _at(2, 3), responded=_at(2, 3) + 2 * HOUR, resolved=_at(2, 3) + 8 * HOUR)
    _ticket(support, _at(2, 10))
    t4 = _ticket(field, _at(1, 8), assignee=outsider, type=Ticket.Type.FAULT, responded=_at(1, 8) + HOUR / 4)
    _survey(t1, 2, _at(1, 20))
    _survey(t2, 5, _at(2, 5))
    _survey(t4, 1, _at(1, 21))


def _values(chart):
    return {str(s.label): s.values for s in chart.series}


def test_ticket_volume_by_month_and_type_is_scoped_to_the_agents_queues(tickets, agent, executive):
    mine = _values(ticket_volume(agent, PERIOD))
    assert mine["Complaint"] == [1, 0, 0]
    assert mine["Inquiry"] == [0, 2, 0]
    assert mine["Fault report"] == [0, 0, 0]
    assert _values(ticket_volume(executive, PERIOD))["Fault report"] == [1, 0, 0]


def test_a_ticket_volume_bar_opens_the_ticket_list_of_that_type(tickets, agent):
    complaints = next(s for s in ticket_volume(agent, PERIOD).series if str(s.label) == "Complaint")
    link = urlparse(complaints.links[0])
    assert link.path == reverse("service:ticket-list") and parse_qs(link.query) == {"type": ["complaint"]}


def test_sla_compliance_per_month(tickets, agent):
    assert _values(sla_compliance(agent, PERIOD)) == {
        "First response in time (%)": [100.0, 0.0, None],
        "Resolved in time (%)": [0.0, 100.0, None],
    }


def test_csat_trend_averages_scores_per_month_in_scope(tickets, agent, executive):
    assert _values(csat_trend(agent, PERIOD)) == {"Average score (1–5)": [2.0, 5.0, None], "Answers": [1, 1, 0]}
    assert _values(csat_trend(executive, PERIOD))["Average score (1–5)"] == [1.5, 5.0, None]


def test_ticket_measures_match_python_statistics(tickets, agent):
    response, resolution = report_statistics.descriptive(
        TICKETS, TICKETS.queryset(agent), ["first_response_hours", "resolution_hours"]
    )
    assert response.count == 2 and response.mean == pytest.approx(statistics.mean([0.5, 2]))
    assert resolution.count == 2 and resolution.mean == pytest.approx(statistics.mean([48, 8]))
    assert resolution.stdev == pytest.approx(statistics.stdev([48, 8]))


def test_ticket_data_set_groups_and_rejects_fields_outside_its_whitelist(tickets, agent):
    table, _chart = builder.run(TICKETS, {"group_by": [{"field": "queue"}]}, user=agent)
    assert table.rows == [["Support", 3]]
    with pytest.raises(Exception) as raised:
        builder.validate(TICKETS, {"columns": ["requester_phone"]})
    assert raised.type.__name__ == "ValidationError"


def test_service_report_matches_the_panels(tickets, agent):
    summary = service_report(agent, PERIOD)[0]
    total, still_open, response_hours, resolution_hours, in_time, resolved_in_time, csat = summary.rows[0][:7]
    assert (total, still_open) == (3, 1)
    assert (response_hours, resolution_hours) == (1.2, 28.0)  # (0.5 + 2) / 2 rounded to 0.1 h; (48 + 8) / 2
    assert (in_time, resolved_in_time, csat) == (50.0, 50.0, 3.5)


def test_service_panels_are_hidden_without_the_service_permissions(rep_user, agent):
    service = {"ticket_volume", "sla_compliance", "csat_trend"}
    assert not service & {p.key for p in panels_for(rep_user)}
    assert {"ticket_volume", "sla_compliance"} <= {p.key for p in panels_for(agent)}


# --------------------------------------------------------------------------------------- marketing


@pytest.fixture
def campaigns(marketer, manager, rep_user, far_rep):
    spring = CampaignFactory(name="Spring fair", owner=manager, team=manager.team, actual_cost=Decimal("1000"),
                             start_date=_at(2, 1).date(), end_date=_at(2, 28).date())  # fmt: skip
    old = CampaignFactory(name="Old fair", owner=manager, team=manager.team, actual_cost=Decimal("500"),
                          start_date=_at(5, 1, year=2025).date(), end_date=_at(5, 2, year=2025).date())  # fmt: skip
    won = default_pipeline().stages.get(is_won=True)
    OpportunityFactory(owner=rep_user, customer__owner=rep_user, campaign=spring, amount=3000, stage=won,
                       status=Opportunity.Status.WON)  # fmt: skip
    OpportunityFactory(owner=rep_user, customer__owner=rep_user, campaign=spring, amount=700)
    far = CampaignFactory(name="Far fair", owner=far_rep, team=far_rep.team, start_date=_at(3, 1).date())
    for campaign, guests in ((spring, 2), (old, 1), (far, 4)):
        event = EventFactory(campaign=campaign)
        for _i in range(guests):
            RegistrationFactory(event=event)
    return spring, old, far


def test_campaign_roi_from_the_campaign_effect(campaigns, manager):
    chart = campaign_roi(manager, PERIOD)
    # Won 3000 on a cost of 1000: (3000 − 1000) / 1000 = 200 %; the 2025 campaign did not run in the period.
    assert chart.labels == ["Spring fair"]
    assert _values(chart) == {"ROI (%)": [Decimal("200.00")], "Won revenue": [Decimal("3000.00")],
                              "Cost": [Decimal("1000.00")]}  # fmt: skip
    assert chart.series[0].links == [reverse("marketing:campaign-detail", args=[campaigns[0].pk])]


def test_campaign_report_lists_every_campaign_in_scope_that_ran(campaigns, manager, executive):
    rows = campaign_report(manager, PERIOD)[0].rows
    assert [row[0] for row in rows] == ["Spring fair"]
    assert rows[0][2:] == [0, 0, 2, Decimal("3000.00"), Decimal("1000.00"), Decimal("200.00"), ""]
    assert {row[0] for row in campaign_report(executive, PERIOD)[0].rows} == {"Spring fair", "Far fair"}


def test_registration_data_set_is_scoped_by_campaign(campaigns, manager, executive):
    mine, _chart = builder.run(REGISTRATIONS, {"group_by": [{"field": "campaign"}]}, user=manager)
    assert {row[0]: row[1] for row in mine.rows} == {"Spring fair": 2, "Old fair": 1}
    everything, _chart = builder.run(REGISTRATIONS, {"aggregates": [{"func": "count"}]}, user=executive)
    assert everything.rows == [[Registration.objects.count()]] == [[7]]


# ------------------------------------------------------------------------------------ query counts


def _dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("reports:dashboard")).status_code == 200
    return len(queries)


def test_dashboard_with_every_panel_keeps_a_flat_query_count(client_for, executive, agent, rep_user):
    client = client_for(executive)
    queue = QueueFactory(name="Support", agents=[agent])
    campaign = CampaignFactory(owner=rep_user, start_date=timezone.localdate())
    OpportunityFactory(owner=rep_user, customer__owner=rep_user, campaign=campaign)
    _ticket(queue, timezone.now(), responded=timezone.now())
    few = _dashboard_queries(client)
    for i in range(30):
        OpportunityFactory(owner=rep_user, customer__owner=rep_user, campaign=CampaignFactory(owner=rep_user),
                           currency="USD" if i % 2 else "CNY")  # fmt: skip
        ticket = _ticket(queue, timezone.now() - i * HOUR, responded=timezone.now())
        _survey(ticket, 1 + i % 5, timezone.now())
    assert _dashboard_queries(client) == few
