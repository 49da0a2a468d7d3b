"""The ticket workflow: new → assigned → in progress → waiting → resolved → closed, reopen, and refusals."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from crm.models import BehaviourLog
from service.models import Ticket, TicketEvent
from service.services import tickets

from .factories import QueueFactory, SlaPolicyFactory, TicketFactory

pytestmark = pytest.mark.django_db

DATA = {"subject": "Invoice is wrong", "description": "The invoice shows 12 units; we ordered 10.", "type": "complaint"}


def test_a_new_ticket_is_assigned_round_robin_in_turn(queue, customer, agent, agent2):
    first = tickets.ticket_create(actor=agent, customer=customer, queue=queue, data=DATA)
    second = tickets.ticket_create(actor=agent, customer=customer, queue=queue, data=DATA)
    third = tickets.ticket_create(actor=agent, customer=customer, queue=queue, data=DATA)
    assert [first.assignee, second.assignee, third.assignee] == [agent, agent2, agent]
    assert first.status == Ticket.Status.ASSIGNED
    assert BehaviourLog.objects.filter(object_type="service.ticket", action=BehaviourLog.Action.CREATE).count() == 3


def test_round_robin_skips_inactive_agents(queue, customer, agent, agent2):
    agent2.is_active = False
    agent2.save()
    assigned = [tickets.ticket_create(actor=agent, customer=customer, queue=queue, data=DATA).assignee for _ in "ab"]
    assert assigned == [agent, agent]


def test_a_queue_without_round_robin_leaves_the_ticket_new(customer, agent):
    queue = QueueFactory(auto_assign=False, agents=[agent])
    ticket = tickets.ticket_create(actor=agent, customer=customer, queue=queue, data=DATA)
    assert ticket.assignee is None and ticket.status == Ticket.Status.NEW


def test_the_full_workflow_and_reopen(queue, customer, agent):
    ticket = tickets.ticket_create(actor=agent, customer=customer, queue=queue, data=DATA, assignee=agent)
    for status in ["in_progress", "waiting", "in_progress", "resolved", "closed", "in_progress", "resolved"]:
        ticket = tickets.ticket_transition(actor=agent, ticket=ticket, to_status=status)
        assert ticket.status == status
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None and ticket.closed_at is None
    steps = list(ticket.events.filter(kind=TicketEvent.Kind.STATUS).values_list("from_status", "to_status"))
    assert steps[0] == ("assigned", "in_progress") and steps[5] == ("closed", "in_progress")


@pytest.mark.parametrize(
    ("start", "target"),
    [("new", "waiting"), ("assigned", "closed"), ("in_progress", "new"), ("closed", "resolved"), ("waiting", "closed")],
)
def test_invalid_transitions_are_refused_with_a_message(queue, customer, agent, start, target):
    ticket = TicketFactory(queue=queue, customer=customer, assignee=agent, status=start)
    with pytest.raises(ValidationError) as error:
        tickets.ticket_transition(actor=agent, ticket=ticket, to_status=target)
    assert "cannot become" in str(error.value)
    ticket.refresh_from_db()
    assert ticket.status == start
    assert not ticket.events.exists()


def test_work_cannot_start_before_someone_has_the_ticket(queue, customer, agent):
    ticket = TicketFactory(queue=queue, customer=customer, status="new")
    with pytest.raises(ValidationError, match="Assign the ticket"):
        tickets.ticket_transition(actor=agent, ticket=ticket, to_status="in_progress")


def test_only_agents_of_the_queue_can_be_assigned(queue, customer, agent, outsider_agent):
    ticket = TicketFactory(queue=queue, customer=customer)
    with pytest.raises(ValidationError, match="not an agent"):
        tickets.ticket_assign(actor=agent, ticket=ticket, assignee=outsider_agent)
    tickets.ticket_assign(actor=agent, ticket=ticket, assignee=agent)
    ticket.refresh_from_db()
    assert ticket.assignee == agent and ticket.status == "assigned"


def test_waiting_or_resolving_counts_as_the_first_response(queue, customer, agent):
    ticket = tickets.ticket_create(actor=agent, customer=customer, queue=queue, data=DATA, assignee=agent)
    assert ticket.first_responded_at is None
    ticket = tickets.ticket_transition(actor=agent, ticket=ticket, to_status="waiting")
    assert ticket.first_responded_at is not None
    assert ticket.sla_paused_at is None  # no SLA policy: nothing to pause


def test_waiting_pauses_and_resuming_moves_the_deadline(queue, customer, agent):
    SlaPolicyFactory(priority="normal", resolution_minutes=600, business_hours=False)
    ticket = tickets.ticket_create(actor=agent, customer=customer, queue=queue, data=DATA, assignee=agent)
    ticket = tickets.ticket_transition(actor=agent, ticket=ticket, to_status="waiting")
    assert ticket.sla_paused_at is not None
    assert 599 * 60 < ticket.sla_remaining_seconds <= 600 * 60
    # Pretend the clock stopped two hours ago with 3 hours left: resuming now leaves 3 hours from now.
    Ticket.objects.filter(pk=ticket.pk).update(
        sla_paused_at=timezone.now() - timedelta(hours=2), sla_remaining_seconds=3 * 3600
    )
    ticket = tickets.ticket_transition(actor=agent, ticket=ticket, to_status="in_progress")
    expected = timezone.now() + timedelta(hours=3)
    assert abs(ticket.resolution_due_at - expected) < timedelta(seconds=5)
    assert ticket.sla_paused_at is None and ticket.sla_remaining_seconds is None


def test_resolving_mails_the_customer_a_survey_link(queue, customer, agent, django_capture_on_commit_callbacks):
    ticket = tickets.ticket_create(actor=agent, customer=customer, queue=queue, data=DATA, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        tickets.ticket_transition(actor=agent, ticket=ticket, to_status="resolved")
    assert mail.outbox[-1].to == ["info@northwind.example"]
    assert "/service/public/survey/" in mail.outbox[-1].body


def test_the_status_view_shows_the_refusal(client_for, queue, customer, agent):
    ticket = TicketFactory(queue=queue, customer=customer, assignee=agent, status="closed")
    response = client_for(agent).post(
        reverse("service:ticket-transition", args=[ticket.pk]), {"status": "waiting"}, follow=True
    )
    assert "cannot become" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "closed"


@pytest.mark.parametrize("forged", ["", "reopened"])
def test_an_unknown_status_is_refused_as_bad_input_not_a_crash(client_for, queue, customer, agent, forged):
    ticket = TicketFactory(queue=queue, customer=customer, assignee=agent, status="assigned")
    response = client_for(agent).post(
        reverse("service:ticket-transition", args=[ticket.pk]), {"status": forged}, follow=True
    )
    assert response.status_code == 200
    assert "Choose a valid status." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "assigned" and not ticket.events.filter(kind=TicketEvent.Kind.STATUS).exists()


def test_agent_creates_a_ticket_through_the_form(client_for, queue, customer, agent):
    response = client_for(agent).post(
        reverse("service:ticket-create", args=[customer.pk]),
        {**DATA, "channel": "phone", "priority": "high", "queue": queue.pk, "assignee": ""},
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    assert ticket.priority == "high" and ticket.created_by == agent and ticket.assignee is not None


def test_a_new_priority_brings_its_deadlines_and_keeps_the_waiting_out(queue, customer, agent):
    SlaPolicyFactory(priority="normal", first_response_minutes=120, resolution_minutes=600)
    SlaPolicyFactory(priority="urgent", first_response_minutes=15, resolution_minutes=120)
    ticket = tickets.ticket_create(actor=agent, customer=customer, queue=queue, data=DATA, assignee=agent)
    created = ticket.created_at
    # an hour was spent waiting on the customer earlier
    Ticket.objects.filter(pk=ticket.pk).update(sla_paused_seconds=3600)
    ticket = tickets.ticket_update(actor=agent, ticket=ticket, data={"priority": "urgent"})
    assert ticket.response_due_at == created + timedelta(minutes=15)
    assert ticket.resolution_due_at == created + timedelta(hours=3)


def test_a_new_priority_while_waiting_recounts_the_time_left(queue, customer, agent):
    SlaPolicyFactory(priority="normal", resolution_minutes=600)
    SlaPolicyFactory(priority="urgent", resolution_minutes=120)
    ticket = tickets.ticket_create(actor=agent, customer=customer, queue=queue, data=DATA, assignee=agent)
    paused_at = ticket.created_at + timedelta(minutes=30)
    Ticket.objects.filter(pk=ticket.pk).update(
        status="waiting", sla_paused_at=paused_at, sla_remaining_seconds=570 * 60
    )
    ticket = tickets.ticket_update(actor=agent, ticket=ticket, data={"priority": "urgent"})
    assert ticket.sla_remaining_seconds == 90 * 60
    assert ticket.resolution_due_at == paused_at + timedelta(minutes=90)
    ticket = tickets.ticket_transition(actor=agent, ticket=ticket, to_status="in_progress")
    assert abs(ticket.resolution_due_at - (timezone.now() + timedelta(minutes=90))) < timedelta(seconds=5)
