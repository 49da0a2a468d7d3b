"""SLA warnings before a breach and escalations to the queue's manager at it: each sent exactly once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from crm.models import Notification
from service.models import Ticket, TicketEvent
from service.services.sla import sla_reminders_send
from service.tasks import send_sla_reminders

from .factories import TicketFactory

pytestmark = pytest.mark.django_db


def _ticket(queue, customer, agent, **deadlines):
    return TicketFactory(queue=queue, customer=customer, assignee=agent, status=Ticket.Status.IN_PROGRESS, **deadlines)


def test_a_warning_goes_to_the_assignee_once(queue, customer, agent, queue_manager):
    now = timezone.now()
    ticket = _ticket(
        queue,
        customer,
        agent,
        resolution_warn_at=now - timedelta(minutes=1),
        resolution_due_at=now + timedelta(hours=1),
    )
    first = sla_reminders_send(now=now)
    second = sla_reminders_send(now=now)
    assert first["resolution_warning"] == 1 and second["resolution_warning"] == 0
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["agnes"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [agent.email]
    assert ticket.events.filter(kind=TicketEvent.Kind.WARNED).count() == 1


def test_a_breach_escalates_to_the_manager_once_and_flags_the_ticket(queue, customer, agent, queue_manager):
    now = timezone.now()
    ticket = _ticket(
        queue, customer, agent,
        response_warn_at=now - timedelta(hours=2), response_due_at=now - timedelta(minutes=5),
        resolution_warn_at=now - timedelta(hours=1), resolution_due_at=now - timedelta(minutes=1),
    )  # fmt: skip
    counts = sla_reminders_send(now=now)
    assert counts["response_breach"] == 1 and counts["resolution_breach"] == 1
    # past deadlines escalate; the warnings of a deadline already passed are not sent any more
    assert counts["response_warning"] == 0 and counts["resolution_warning"] == 0
    recipients = sorted(Notification.objects.values_list("user__username", flat=True))
    assert recipients == ["agnes", "agnes", "quentin", "quentin"]
    ticket.refresh_from_db()
    assert ticket.response_breached and ticket.resolution_breached
    assert ticket.events.filter(kind=TicketEvent.Kind.ESCALATED).count() == 2

    again = sla_reminders_send(now=now + timedelta(minutes=5))
    assert again["response_breach"] == again["resolution_breach"] == 0
    assert Notification.objects.count() == 4 and len(mail.outbox) == 4


def test_an_unassigned_ticket_warns_the_manager(queue, customer, queue_manager):
    now = timezone.now()
    TicketFactory(queue=queue, customer=customer, response_warn_at=now, response_due_at=now + timedelta(minutes=10))
    assert sla_reminders_send(now=now)["response_warning"] == 1
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["quentin"]


def test_paused_answered_and_resolved_tickets_send_nothing(queue, customer, agent):
    now = timezone.now()
    past = now - timedelta(hours=1)
    _ticket(queue, customer, agent, resolution_warn_at=past, resolution_due_at=past, sla_paused_at=past)
    TicketFactory(
        queue=queue, customer=customer, assignee=agent, status=Ticket.Status.WAITING,
        response_due_at=past, first_responded_at=past - timedelta(hours=1),
    )  # fmt: skip
    TicketFactory(
        queue=queue, customer=customer, assignee=agent, status=Ticket.Status.RESOLVED,
        response_due_at=past, resolution_due_at=past,
    )  # fmt: skip
    assert sum(sla_reminders_send(now=now).values()) == 0
    assert not Notification.objects.exists()


def test_a_failed_mail_is_rolled_back_and_sent_by_the_next_run(queue, customer, agent, settings):
    now = timezone.now()
    _ticket(queue, customer, agent, resolution_warn_at=now, resolution_due_at=now + timedelta(hours=1))
    settings.EMAIL_BACKEND = "tests.service.failing_mail.Backend"
    assert sla_reminders_send(now=now)["failed"] == 1
    assert not Notification.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sla_reminders_send(now=now)["resolution_warning"] == 1
    assert Notification.objects.count() == 1


def test_the_beat_task_runs_the_reminders(queue, customer, agent):
    now = timezone.now()
    _ticket(
        queue,
        customer,
        agent,
        resolution_warn_at=now - timedelta(minutes=1),
        resolution_due_at=now + timedelta(hours=1),
    )
    assert send_sla_reminders.apply().get()["resolution_warning"] == 1
