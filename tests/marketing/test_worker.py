"""Invitations and e-mail batches on a real Celery worker and Redis: a job run twice sends nothing twice."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from crm.celery import app
from customers.models import Customer, CustomerGroup
from marketing import tasks
from marketing.models import EmailCampaign, EmailRecipient, Event, Invitation
from marketing.services import emails
from tests.factories import CustomerFactory

from .factories import CampaignFactory, EmailCampaignFactory, EventFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_invitation_job_run_twice_invites_each_recipient_once(marketer):
    event = EventFactory(campaign=CampaignFactory(owner=marketer), status=Event.Status.PUBLISHED)
    event.invite_customers.add(*CustomerFactory.create_batch(3, consent=Customer.Consent.GIVEN))
    event.invite_customers.add(CustomerFactory(consent=Customer.Consent.WITHDRAWN))

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        first = tasks.send_event_invitations.delay(event.pk, marketer.pk).get(timeout=60)
        second = tasks.send_event_invitations.delay(event.pk, marketer.pk).get(timeout=60)

    assert (first["sent"], first["skipped"]) == (3, 1)
    assert second["sent"] == 0
    assert len(mail.outbox) == 3
    assert Invitation.objects.filter(status="sent").count() == 3


def test_starting_an_email_campaign_queues_batches_the_worker_sends(marketer):
    group = CustomerGroup.objects.create(name="Readers")
    group.customers.add(*CustomerFactory.create_batch(3, consent=Customer.Consent.GIVEN))
    email = EmailCampaignFactory(group=group, rate_per_minute=100)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        emails.email_campaign_start(actor=marketer, email_campaign=email)  # queues the batch on commit
        for _tick in range(60):
            email.refresh_from_db()
            if email.status == EmailCampaign.Status.DONE:
                break
            time.sleep(0.5)
        # a duplicate delivery of the same task finds nothing left to send
        assert tasks.send_email_campaign_batch.delay(email.pk).get(timeout=60) == {"sent": 0, "more": False}

    assert email.status == EmailCampaign.Status.DONE
    assert EmailRecipient.objects.filter(status="sent").count() == 3 and len(mail.outbox) == 3
