"""Service statistics: volumes, times, SLA compliance and satisfaction, computed in SQL within the scope."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from service.models import SatisfactionSurvey, Ticket
from service.statistics import service_statistics

from .factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db


def _resolved(queue, customer, *, created, responded_after, resolved_after, response_due, resolution_due, **kw):
    ticket = TicketFactory(
        queue=queue, customer=customer, status=Ticket.Status.RESOLVED,
        first_responded_at=created + responded_after, resolved_at=created + resolved_after,
        response_due_at=created + response_due, resolution_due_at=created + resolution_due, **kw,
    )  # fmt: skip
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created)
    return ticket


def test_figures_over_the_user_s_tickets(queue, customer, agent, outsider_agent):
    now = timezone.now()
    created = now - timedelta(days=3)
    hour = timedelta(hours=1)
    a = _resolved(queue, customer, created=created, responded_after=hour, resolved_after=4 * hour,
                  response_due=2 * hour, resolution_due=8 * hour, type="complaint", channel="web")  # fmt: skip
    b = _resolved(queue, customer, created=created, responded_after=3 * hour, resolved_after=10 * hour,
                  response_due=2 * hour, resolution_due=8 * hour, type="inquiry", channel="phone")  # fmt: skip
    TicketFactory(queue=queue, customer=customer, type="complaint", channel="web")
    # someone else's queue: not counted
    TicketFactory(queue=QueueFactory(agents=[outsider_agent]), customer=customer, assignee=outsider_agent)
    SatisfactionSurvey.objects.create(ticket=a, customer=customer, score=5, nps=10)
    SatisfactionSurvey.objects.create(ticket=b, customer=customer, score=2, nps=3)

    stats = service_statistics(user=agent, days=30, now=now)
    assert stats["total"] == 3 and stats["open"] == 1
    assert dict(stats["by_type"])["Complaint"] == 2 and dict(stats["by_channel"])["Web form"] == 2
    assert stats["avg_response_hours"] == 2.0 and stats["avg_resolution_hours"] == 7.0
    assert stats["response_compliance"] == 50.0 and stats["resolution_compliance"] == 50.0
    assert stats["csat_avg"] == 3.5 and stats["csat_answers"] == 2 and stats["csat_satisfied"] == 50.0
    assert stats["nps"] == 0  # one promoter, one detractor
    assert [answers for _month, _avg, answers in stats["csat_trend"]] == [2]


def test_the_page_draws_its_charts_from_a_static_script(client_for, agent, queue, customer):
    TicketFactory(queue=queue, customer=customer)
    response = client_for(agent).get(reverse("service:statistics"), {"days": "30"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "js/service.js" in page and 'id="chart-type"' in page and "<script>" not in page


def test_a_sales_rep_has_no_statistics(client_for, rep_user):
    assert client_for(rep_user).get(reverse("service:statistics")).status_code == 403
