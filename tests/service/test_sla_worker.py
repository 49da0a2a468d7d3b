"""The SLA beat job on a real Celery worker and Redis: two runs of the job, one warning and one escalation."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from accounts import roles
from crm.celery import app
from crm.models import Notification
from service import tasks
from tests.factories import CustomerFactory, UserFactory

from .factories import QueueFactory, TicketFactory


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sla_job_sends_each_reminder_once_on_a_real_worker():
    agent = UserFactory(username="agnes", role=roles.SERVICE_AGENT)
    manager = UserFactory(username="quentin", role=roles.SALES_MANAGER)
    queue = QueueFactory(agents=[agent], manager=manager)
    now = timezone.now()
    TicketFactory(
        queue=queue, customer=CustomerFactory(), assignee=agent, status="in_progress",
        response_warn_at=now - timedelta(minutes=30), response_due_at=now + timedelta(minutes=30),
        resolution_warn_at=now - timedelta(hours=2), resolution_due_at=now - timedelta(minutes=1),
    )  # fmt: skip

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        first = tasks.send_sla_reminders.delay().get(timeout=30)
        second = tasks.send_sla_reminders.delay().get(timeout=30)

    assert first["response_warning"] == 1 and first["resolution_breach"] == 1
    assert sum(v for k, v in second.items()) == 0
    # the warning to the assignee, the escalation to the assignee and the manager
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["agnes", "agnes", "quentin"]
    assert len(mail.outbox) == 3
