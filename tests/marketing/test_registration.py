"""Public registration: seats, deadline, waitlist, signed links, the QR confirmation and prospects."""

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from customers.services.customers import customer_refresh_search
from marketing import links
from marketing.models import Event, Prospect, Registration
from marketing.services import registrations
from marketing.signals import prospect_captured
from tests.factories import ContactFactory, CustomerFactory

from .factories import EventFactory, RegistrationFactory, linked_pk

pytestmark = pytest.mark.django_db


def _data(n=1, **extra):
    return {"name": f"Guest {n}", "company": "Acme", "email": f"guest{n}@example.org", "phone": "", **extra}


def _post(client, event, n=1, **extra):
    url = reverse("marketing:public-event", args=[links.make_token(links.EVENT, event.pk)])
    return client.post(url, {"privacy_consent": "on", **_data(n, **extra), "captcha_0": "x", "captcha_1": "PASSED"})


def test_seats_then_waitlist_when_full():
    event = EventFactory(capacity=2)
    statuses = [registrations.registration_create(event=event, data=_data(n)).status for n in range(3)]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]


def test_registration_after_the_deadline_is_refused():
    event = EventFactory()
    after = event.registration_deadline + timedelta(minutes=1)
    with pytest.raises(ValidationError, match="has closed"):
        registrations.registration_create(event=event, data=_data(), now=after)
    assert not Registration.objects.exists()


def test_public_page_refuses_after_deadline_with_the_message(client, settings):
    event = EventFactory(registration_deadline=timezone.now() - timedelta(hours=1))
    response = _post(client, event)
    assert response.status_code == 200
    assert "closed" in response.content.decode()
    assert not Registration.objects.exists()


def test_a_draft_event_takes_no_registrations():
    event = EventFactory(status=Event.Status.DRAFT)
    with pytest.raises(ValidationError):
        registrations.registration_create(event=event, data=_data())


def test_the_same_address_registers_once():
    event = EventFactory()
    registrations.registration_create(event=event, data=_data(1))
    with pytest.raises(ValidationError) as error:
        registrations.registration_create(event=event, data=_data(1, email="GUEST1@example.org"))
    assert "email" in error.value.message_dict


def test_cancelling_a_seat_promotes_the_first_on_the_waitlist(django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    first = registrations.registration_create(event=event, data=_data(1))
    second = registrations.registration_create(event=event, data=_data(2))
    third = registrations.registration_create(event=event, data=_data(3))
    assert (second.status, third.status) == ("waitlisted", "waitlisted")

    promoted = registrations.registration_cancel(registration=first)

    assert promoted.pk == second.pk
    second.refresh_from_db(), third.refresh_from_db()
    assert second.status == "confirmed" and third.status == "waitlisted"
    assert event.registrations.filter(status="confirmed").count() == 1


def test_cancelling_a_waitlisted_registration_promotes_nobody():
    event = EventFactory(capacity=1)
    registrations.registration_create(event=event, data=_data(1))
    waiting = registrations.registration_create(event=event, data=_data(2))
    assert registrations.registration_cancel(registration=waiting) is None
    assert event.registrations.filter(status="confirmed").count() == 1


def test_public_registration_sends_confirmation_with_qr_code(client, django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, event)
    assert response.status_code == 200
    registration = Registration.objects.get()
    assert registration.code in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert registration.code in message.body
    assert linked_pk(message.body, "cancel", links.CANCEL) == registration.pk
    html, _mime = message.alternatives[0]
    assert 'src="cid:checkin-qr"' in html
    images = [part for part in message.attachments if getattr(part, "get_content_type", lambda: "")() == "image/png"]
    assert images and images[0]["Content-ID"] == "<checkin-qr>"
    assert images[0].get_payload(decode=True).startswith(b"\x89PNG")


def test_confirmation_is_sent_once_even_when_the_task_runs_twice():
    registration = RegistrationFactory()
    assert registrations.registration_email_send(registration_id=registration.pk, status="confirmed") is True
    assert registrations.registration_email_send(registration_id=registration.pk, status="confirmed") is False
    assert len(mail.outbox) == 1


def test_captcha_is_required(client):
    event = EventFactory()
    url = reverse("marketing:public-event", args=[links.make_token(links.EVENT, event.pk)])
    response = client.post(url, {**_data(), "captcha_0": "x", "captcha_1": "WRONG"})
    assert response.status_code == 200
    assert not Registration.objects.exists()


def test_posts_past_the_rate_limit_are_refused(client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.PUBLIC_FORM_RATE = "2/h"
    event = EventFactory()
    codes = [_post(client, event, n).status_code for n in range(3)]
    assert codes == [200, 200, 429]
    assert Registration.objects.count() == 2


def test_a_tampered_link_is_rejected(client):
    event = EventFactory()
    token = links.make_token(links.EVENT, event.pk)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(reverse("marketing:public-event", args=[tampered])).status_code == 404
    # a token signed for another purpose does not open this page either
    other = links.make_token(links.CANCEL, event.pk)
    assert client.get(reverse("marketing:public-event", args=[other])).status_code == 404
    assert client.get(reverse("marketing:public-event", args=[token])).status_code == 200


def test_an_expired_invitation_link_is_rejected(client, settings, monkeypatch):
    registration = RegistrationFactory()
    settings.PUBLIC_LINK_MAX_AGE_DAYS = 1
    old = timezone.now().timestamp() - 2 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: old)
    token = links.make_token(links.CANCEL, registration.pk)
    monkeypatch.undo()
    response = client.get(reverse("marketing:public-cancel", args=[token]))
    assert response.status_code == 404
    with pytest.raises(links.BadLink):
        links.read_token(links.CANCEL, token)


def test_cancel_link_cancels_and_frees_the_seat(client):
    event = EventFactory(capacity=1)
    first = registrations.registration_create(event=event, data=_data(1))
    waiting = registrations.registration_create(event=event, data=_data(2))
    response = client.post(reverse("marketing:public-cancel", args=[links.make_token(links.CANCEL, first.pk)]))
    assert response.status_code == 200
    first.refresh_from_db(), waiting.refresh_from_db()
    assert first.status == "cancelled" and waiting.status == "confirmed"


def test_a_registrant_who_is_not_a_customer_becomes_a_prospect_and_the_signal_goes_out():
    event = EventFactory()
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    prospect_captured.connect(receiver, dispatch_uid="test-registration")
    try:
        registration = registrations.registration_create(event=event, data=_data(7, phone="13900001111"))
    finally:
        prospect_captured.disconnect(dispatch_uid="test-registration")

    assert len(received) == 1
    args = received[0]
    assert args["campaign"] == event.campaign
    assert (args["name"], args["company"], args["email"], args["phone"]) == (
        "Guest 7", "Acme", "guest7@example.org", "13900001111",
    )  # fmt: skip
    assert args["source"] == "event" and args["actor"] is None
    assert args["reference"] == f"registration:{registration.pk}"
    prospect = Prospect.objects.get()
    assert (prospect.campaign, prospect.event) == (event.campaign, event)


def test_a_registrant_who_is_already_a_customer_is_linked_not_captured():
    event = EventFactory()
    customer = CustomerFactory(email="buyer@acme.example")
    contact = ContactFactory(email="person@acme.example")
    customer_refresh_search(customer=contact.customer)  # as the contact services do
    received = []
    prospect_captured.connect(lambda sender, **kw: received.append(kw), dispatch_uid="test-customer", weak=False)
    try:
        by_customer = registrations.registration_create(event=event, data=_data(1, email="buyer@acme.example"))
        by_contact = registrations.registration_create(event=event, data=_data(2, email="Person@Acme.example"))
    finally:
        prospect_captured.disconnect(dispatch_uid="test-customer")
    assert by_customer.customer == customer
    assert by_contact.customer == contact.customer
    assert received == [] and not Prospect.objects.exists()


def test_the_promoted_guest_gets_a_confirmation_with_the_qr_code(django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    event = EventFactory(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = registrations.registration_create(event=event, data=_data(1))
        waiting = registrations.registration_create(event=event, data=_data(2))
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["You are registered", "You are on the waitlist"]
    assert not [a for a in mail.outbox[1].attachments if getattr(a, "get_content_type", None)]

    with django_capture_on_commit_callbacks(execute=True):
        registrations.registration_cancel(registration=first)

    assert mail.outbox[-1].to == [waiting.email] and mail.outbox[-1].subject.startswith("You are registered")
    assert waiting.code in mail.outbox[-1].body
