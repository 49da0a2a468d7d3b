"""Webhooks: signed per Standard Webhooks, sent after the commit by a real Celery worker to a real HTTP
receiver, retried with backoff, switched off after a run of failures (the owner is told), deduplicated by
event id, scoped to what the endpoint's owner may see, and refused for private addresses by default."""

import json
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.exceptions import ValidationError
from django.urls import reverse
from standardwebhooks.webhooks import Webhook

from crm.api import webhooks
from crm.api.models import WebhookDelivery, WebhookEndpoint
from crm.celery import app
from crm.models import Notification
from customers import services
from tests.factories import CustomerFactory

from .receiver import Receiver


@pytest.fixture
def local_receivers(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0


def wait_for(condition, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db
def test_private_loopback_and_non_http_urls_are_refused_by_default(rep_user, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    for url in (
        "http://127.0.0.1/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest",
        "http://[::1]/",
        "ftp://example.com/",
    ):
        with pytest.raises(ValidationError):
            webhooks.endpoint_create(actor=rep_user, url=url, events=["customer.created"])
    with pytest.raises(ValidationError):
        webhooks.endpoint_create(actor=rep_user, url="https://example.com/x", events=["no.such.event"])
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_signatures_follow_standard_webhooks_and_rotation_signs_with_both_secrets(rep_user, local_receivers):
    endpoint = webhooks.endpoint_create(actor=rep_user, url="http://127.0.0.1:9/", events=["customer.created"])
    assert endpoint.secret.startswith("whsec_")
    body, msg_id, ts = b'{"a":1}', "msg_1", int(time.time())
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(ts)}
    old_secret = endpoint.secret
    Webhook(old_secret).verify(
        body, {**headers, "webhook-signature": webhooks.signature_header(endpoint, msg_id, ts, body)}
    )
    webhooks.endpoint_rotate_secret(actor=rep_user, endpoint=endpoint)
    header = webhooks.signature_header(endpoint, msg_id, ts, body)
    assert len(header.split(" ")) == 2
    Webhook(old_secret).verify(body, {**headers, "webhook-signature": header})
    Webhook(endpoint.secret).verify(body, {**headers, "webhook-signature": header})


@pytest.mark.django_db
def test_events_are_queued_only_for_owners_who_may_see_the_record(rep_user, far_rep, manager, local_receivers):
    mine = webhooks.endpoint_create(
        actor=rep_user, url="http://127.0.0.1:9/", events=["customer.created", "customer.updated"]
    )
    theirs = webhooks.endpoint_create(actor=far_rep, url="http://127.0.0.1:9/", events=["customer.created"])
    boss = webhooks.endpoint_create(actor=manager, url="http://127.0.0.1:9/", events=["customer.created"])
    customer = services.customer_create(
        actor=rep_user, data={"name": "Delta", "kind": "individual", "id_number": "110101199003077774"}
    )
    assert set(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == {mine.pk, boss.pk}
    assert not WebhookDelivery.objects.filter(endpoint=theirs).exists()
    # The rep may not see ID numbers unmasked, the manager may: each payload is what its owner could read.
    rep_payload = WebhookDelivery.objects.get(endpoint=mine).payload
    assert rep_payload["type"] == "customer.created" and rep_payload["data"]["id"] == customer.pk
    assert rep_payload["data"]["id_number"] != "110101199003077774"
    assert WebhookDelivery.objects.get(endpoint=boss).payload["data"]["id_number"] == "110101199003077774"
    services.customer_update(actor=rep_user, customer=customer, data={"name": "Delta 2"})
    assert WebhookDelivery.objects.filter(endpoint=mine, event_type="customer.updated").count() == 1


@pytest.mark.django_db
def test_a_rolled_back_change_queues_nothing(rep_user, local_receivers):
    webhooks.endpoint_create(actor=rep_user, url="http://127.0.0.1:9/", events=["customer.created"])
    with pytest.raises(ValidationError):
        services.customer_create(actor=rep_user, data={"name": "", "email": "bad"})
    assert not WebhookDelivery.objects.exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_delivers_a_signed_event_after_the_commit(rep_user, local_receivers, client):
    with Receiver() as receiver, start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        endpoint = webhooks.endpoint_create(actor=rep_user, url=receiver.url, events=["customer.created"])
        customer = CustomerFactory(owner=rep_user)
        services.customer_update(actor=rep_user, customer=customer, data={"name": "Ignored"})  # not subscribed
        created = services.customer_create(actor=rep_user, data={"name": "Epsilon"})
        assert receiver.arrived.wait(20)
        assert wait_for(lambda: WebhookDelivery.objects.filter(status="succeeded").exists())
        request = receiver.requests[0]
        payload = Webhook(endpoint.secret).verify(request["body"], request["headers"])
        assert payload["type"] == "customer.created" and payload["data"]["id"] == created.pk
        delivery = WebhookDelivery.objects.get()
        assert delivery.event_id == request["headers"]["webhook-id"]
        assert (
            delivery.response_status == 200 and delivery.response_ms is not None and delivery.response_excerpt == "ok"
        )
        # A repeated task (a redelivered message) sends nothing twice.
        assert webhooks.delivery_attempt(delivery_id=delivery.pk) == "succeeded"
        assert len(receiver.requests) == 1
        # "Send again" from the delivery log: the same event id again.
        client.force_login(rep_user)
        client.post(reverse("integrations:webhook-resend", args=[delivery.pk]))
        assert wait_for(lambda: len(receiver.requests) == 2)
        assert receiver.requests[1]["headers"]["webhook-id"] == delivery.event_id


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_failures_are_retried_then_the_endpoint_is_switched_off_and_its_owner_told(rep_user, local_receivers, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    with (
        Receiver(statuses=[500]) as receiver,
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        endpoint = webhooks.endpoint_create(actor=rep_user, url=receiver.url, events=["customer.created"])
        services.customer_create(actor=rep_user, data={"name": "Zeta 1"})
        assert wait_for(lambda: WebhookDelivery.objects.filter(status="failed").count() == 1)
        assert WebhookDelivery.objects.get().attempts == 3 and len(receiver.requests) == 3
        assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1
        endpoint.refresh_from_db()
        assert endpoint.is_active and endpoint.consecutive_failures == 1
        services.customer_create(actor=rep_user, data={"name": "Zeta 2"})
        assert wait_for(lambda: WebhookDelivery.objects.filter(status="failed").count() == 2)
        endpoint.refresh_from_db()
        assert not endpoint.is_active and endpoint.disabled_reason
        assert Notification.objects.filter(user=rep_user, title__contains=receiver.url).exists()
        services.customer_create(actor=rep_user, data={"name": "Zeta 3"})
        assert WebhookDelivery.objects.count() == 2  # a switched-off endpoint gets nothing new


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_receiver_that_recovers_gets_the_event_on_a_retry(rep_user, local_receivers):
    with (
        Receiver(statuses=[503, 200]) as receiver,
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        endpoint = webhooks.endpoint_create(actor=rep_user, url=receiver.url, events=["customer.created"])
        services.customer_create(actor=rep_user, data={"name": "Eta"})
        assert wait_for(lambda: WebhookDelivery.objects.filter(status="succeeded").exists())
        assert [json.loads(r["body"])["type"] for r in receiver.requests] == ["customer.created"] * 2
        endpoint.refresh_from_db()
        assert endpoint.consecutive_failures == 0


@pytest.mark.django_db
def test_the_webhook_pages_create_show_the_secret_and_keep_to_their_owner(
    client_for, rep_user, far_rep, local_receivers
):
    client = client_for(rep_user)
    response = client.post(
        reverse("integrations:webhook-list"),
        {"url": "http://127.0.0.1:9/in", "events": ["customer.created"], "is_active": "on"},
    )
    endpoint = WebhookEndpoint.objects.get(owner=rep_user)
    assert response.status_code == 302
    page = client.get(reverse("integrations:webhook-detail", args=[endpoint.pk]))
    assert endpoint.secret in page.content.decode()
    assert client_for(far_rep).get(reverse("integrations:webhook-detail", args=[endpoint.pk])).status_code == 404
