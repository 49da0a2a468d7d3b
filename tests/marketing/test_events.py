"""Events: create and edit through the pages, the workflow, and invitations sent once with consent respected."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from crm.sms import MemoryBackend
from customers.models import Customer, CustomerGroup
from marketing import links
from marketing.models import Event, Invitation
from marketing.services import events as services
from tests.factories import ContactFactory, CustomerFactory

from .factories import CampaignFactory, EventFactory, linked_pk

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def _form(campaign, **extra):
    start = timezone.localtime() + timedelta(days=10)
    return {
        "campaign": campaign.pk,
        "theme": "Cloud summit",
        "kind": "conference",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
        "location": "Hangzhou",
        "capacity": 80,
        "registration_deadline": (start - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        **extra,
    }


def test_marketer_creates_an_event_with_a_poster(client_for, marketer):
    campaign = CampaignFactory(owner=marketer)
    poster = SimpleUploadedFile("poster.png", PNG, content_type="image/png")
    response = client_for(marketer).post(reverse("marketing:event-create"), {**_form(campaign), "poster": poster})
    event = Event.objects.get()
    assert response.status_code == 302 and response.url == event.get_absolute_url()
    assert event.status == Event.Status.DRAFT and event.poster.name.endswith(".png")


def test_a_poster_of_the_wrong_type_is_refused_naming_the_field(client_for, marketer):
    campaign = CampaignFactory(owner=marketer)
    fake = SimpleUploadedFile("poster.png", b"MZ\x90\x00 not a picture", content_type="image/png")
    response = client_for(marketer).post(reverse("marketing:event-create"), {**_form(campaign), "poster": fake})
    assert response.status_code == 200
    assert "poster" in response.context["form"].errors
    assert not Event.objects.exists()


def test_a_too_large_poster_is_refused(client_for, marketer, settings):
    settings.MARKETING_UPLOAD_MAX_BYTES = 32
    campaign = CampaignFactory(owner=marketer)
    poster = SimpleUploadedFile("poster.png", PNG, content_type="image/png")
    response = client_for(marketer).post(reverse("marketing:event-create"), {**_form(campaign), "poster": poster})
    assert "poster" in response.context["form"].errors
    assert not Event.objects.exists()


def test_an_event_ending_before_it_starts_is_refused(client_for, marketer):
    campaign = CampaignFactory(owner=marketer)
    data = _form(campaign)
    data["ends_at"] = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(marketer).post(reverse("marketing:event-create"), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not Event.objects.exists()


def test_invite_by_unknown_address_names_the_address(client_for, marketer):
    campaign = CampaignFactory(owner=marketer)
    response = client_for(marketer).post(
        reverse("marketing:event-create"), _form(campaign, invite_emails="nobody@nowhere.example")
    )
    assert "nobody@nowhere.example" in str(response.context["form"].errors["invite_emails"])


def test_status_workflow_refuses_going_back(marketer):
    event = EventFactory(status=Event.Status.FINISHED)
    with pytest.raises(Exception, match="cannot become"):
        services.event_set_status(actor=marketer, event=event, status=Event.Status.PUBLISHED)


def test_publishing_queues_the_invitations(client_for, marketer, django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    event = EventFactory(campaign=CampaignFactory(owner=marketer), status=Event.Status.DRAFT)
    customer = CustomerFactory(consent=Customer.Consent.GIVEN)
    event.invite_customers.add(customer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(marketer).post(
            reverse("marketing:event-status", args=[event.pk]), {"status": "published"}
        )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED and event.published_at
    assert Invitation.objects.get().status == Invitation.Status.SENT
    assert len(mail.outbox) == 1


def test_invitations_are_sent_once_and_respect_consent(marketer):
    MemoryBackend.outbox.clear()
    event = EventFactory(status=Event.Status.PUBLISHED)
    willing = CustomerFactory(name="Willing Co.", consent=Customer.Consent.GIVEN, phone="13800001111")
    unasked = CustomerFactory(name="Unasked Co.", consent=Customer.Consent.UNKNOWN)
    withdrawn = CustomerFactory(name="Withdrawn Co.", consent=Customer.Consent.WITHDRAWN)
    no_address = CustomerFactory(name="Silent Co.", email="", phone="")
    contact = ContactFactory(customer=willing, email="buyer@willing.example", mobile="13900002222")
    group = CustomerGroup.objects.create(name="Invitees")
    group.customers.add(unasked, withdrawn)
    event.invite_customers.add(willing, no_address)
    event.invite_contacts.add(contact)
    event.invite_groups.add(group)

    first = services.event_invitations_send(event_id=event.pk, actor_id=marketer.pk)
    second = services.event_invitations_send(event_id=event.pk, actor_id=marketer.pk)

    assert first["sent"] == 3 and first["skipped"] == 2
    assert second == {"queued": 0, "sent": 0, "failed": 0, "skipped": 0}
    assert Invitation.objects.count() == 5
    by_name = {i.name: i for i in Invitation.objects.all()}
    assert by_name["Withdrawn Co."].status == "skipped" and "consent" in by_name["Withdrawn Co."].reason
    assert by_name["Silent Co."].status == "skipped"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([willing.email, unasked.email, contact.email])
    assert all(len(m.to) == 1 for m in mail.outbox)
    # the link in each e-mail is the recipient's own
    sent = Invitation.objects.get(contact=contact)
    (body,) = [m.body for m in mail.outbox if m.to == [contact.email]]
    assert linked_pk(body, "register", links.INVITATION) == sent.pk
    assert sorted(to for to, _text in MemoryBackend.outbox) == ["13800001111", "13900002222"]


def test_a_retried_job_after_a_crash_sends_nobody_twice(marketer):
    """The recorded send key, not the status column, decides: a recipient whose status was lost gets nothing twice."""
    event = EventFactory()
    customer = CustomerFactory(consent=Customer.Consent.GIVEN)
    event.invite_customers.add(customer)
    services.event_invitations_send(event_id=event.pk, actor_id=marketer.pk)
    Invitation.objects.update(status=Invitation.Status.QUEUED)  # as if the worker died before recording

    services.event_invitations_send(event_id=event.pk, actor_id=marketer.pk)
    assert len(mail.outbox) == 1


def test_invitations_reach_only_customers_in_the_actors_scope(own_marketer):
    event = EventFactory(campaign=CampaignFactory(owner=own_marketer))
    mine = CustomerFactory(owner=own_marketer, consent=Customer.Consent.GIVEN)
    theirs = CustomerFactory(consent=Customer.Consent.GIVEN)
    event.invite_customers.add(mine, theirs)
    services.event_invitations_send(event_id=event.pk, actor_id=own_marketer.pk)
    assert list(Invitation.objects.values_list("customer", flat=True)) == [mine.pk]


def test_invitation_link_opens_the_registration_page_filled_in(client):
    event = EventFactory()
    customer = CustomerFactory(consent=Customer.Consent.GIVEN)
    invitation = Invitation.objects.create(event=event, customer=customer, name="Mr Wang", email="wang@example.org")
    response = client.get(
        reverse("marketing:public-register", args=[links.make_token(links.INVITATION, invitation.pk)])
    )
    assert response.status_code == 200
    assert response.context["form"].initial["email"] == "wang@example.org"
    response = client.post(
        reverse("marketing:public-register", args=[links.make_token(links.INVITATION, invitation.pk)]),
        {
            "name": "Mr Wang",
            "email": "wang@example.org",
            "captcha_0": "x",
            "captcha_1": "PASSED",
            "privacy_consent": "on",
        },
    )
    registration = event.registrations.get()
    assert registration.invitation == invitation and registration.customer == customer


def test_event_list_query_count_stays_flat(client_for, marketer, django_assert_max_num_queries):
    client = client_for(marketer)
    EventFactory.create_batch(2)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("marketing:event-list"))
    EventFactory.create_batch(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("marketing:event-list"))
    assert len(response.context["page"]) == 22


def test_event_detail_query_count_stays_flat(client_for, marketer, django_assert_max_num_queries):
    from .factories import RegistrationFactory

    client = client_for(marketer)
    event = EventFactory()
    RegistrationFactory.create_batch(2, event=event)
    with django_assert_max_num_queries(20) as few:
        client.get(event.get_absolute_url())
    RegistrationFactory.create_batch(20, event=event, customer=CustomerFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(event.get_absolute_url())


def test_marketer_edits_an_event_and_the_campaign_stays(client_for, marketer):
    event = EventFactory(campaign=CampaignFactory(owner=marketer), status=Event.Status.DRAFT)
    other = CampaignFactory(owner=marketer)
    data = _form(other, capacity=120, theme="Cloud summit 2")
    response = client_for(marketer).post(reverse("marketing:event-update", args=[event.pk]), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.capacity, event.theme) == (120, "Cloud summit 2")
    assert event.campaign != other


def test_finishing_through_the_page_sends_the_survey(
    client_for, marketer, django_capture_on_commit_callbacks, settings
):
    from .factories import RegistrationFactory

    settings.CELERY_TASK_ALWAYS_EAGER = True
    event = EventFactory(status=Event.Status.ONGOING)
    came = RegistrationFactory(event=event, checked_in_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        client_for(marketer).post(reverse("marketing:event-status", args=[event.pk]), {"status": "finished"})
    event.refresh_from_db()
    assert event.status == Event.Status.FINISHED and event.survey_sent_at
    assert [m.to for m in mail.outbox] == [[came.email]]


def test_a_finished_event_cannot_be_edited(marketer):
    event = EventFactory(status=Event.Status.FINISHED)
    with pytest.raises(Exception, match="cannot be changed"):
        services.event_update(actor=marketer, event=event, data={"capacity": 5})


def test_reps_cannot_publish(client_for, rep_user):
    event = EventFactory(campaign=CampaignFactory(owner=rep_user), status=Event.Status.DRAFT)
    response = client_for(rep_user).post(reverse("marketing:event-status", args=[event.pk]), {"status": "published"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT


def test_cancelling_a_published_event_tells_those_registered_once(
    client_for, marketer, django_capture_on_commit_callbacks, settings
):
    from marketing.services import registrations

    from .factories import RegistrationFactory

    settings.CELERY_TASK_ALWAYS_EAGER = True
    event = EventFactory(status=Event.Status.PUBLISHED)
    seated = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status="waitlisted")
    RegistrationFactory(event=event, status="cancelled")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(marketer).post(reverse("marketing:event-status", args=[event.pk]), {"status": "cancelled"})
    assert sorted(m.to[0] for m in mail.outbox) == sorted([seated.email, waiting.email])
    assert mail.outbox[0].subject.startswith("Cancelled:")
    assert registrations.event_cancellation_send(event_id=event.pk) == 0


def test_a_wav_file_named_webp_is_not_taken_as_a_poster(client_for, marketer):
    # Both WAV and WebP are RIFF containers; the shared check looks past the first four bytes.
    campaign = CampaignFactory(owner=marketer)
    wav = SimpleUploadedFile("poster.webp", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32, content_type="image/webp")
    response = client_for(marketer).post(reverse("marketing:event-create"), {**_form(campaign), "poster": wav})
    assert "poster.webp" in str(response.context["form"].errors["poster"])
    assert not Event.objects.exists()


@pytest.mark.parametrize("status", ["bogus", ""])
def test_an_unknown_status_is_a_bad_request_with_a_message(client_for, marketer, status):
    event = EventFactory(campaign=CampaignFactory(owner=marketer), status=Event.Status.DRAFT)
    response = client_for(marketer).post(reverse("marketing:event-status", args=[event.pk]), {"status": status})
    assert response.status_code == 400
    body = response.content.decode()
    assert "is not a status an event can have" in body if status else "Choose the event" in body
    assert event.theme in body  # the event page itself, not a bare error
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT


def test_the_service_refuses_an_unknown_status(marketer):
    event = EventFactory(campaign=CampaignFactory(owner=marketer), status=Event.Status.DRAFT)
    with pytest.raises(ValidationError, match="not a status an event can have"):
        services.event_set_status(actor=marketer, event=event, status="bogus")


def test_an_event_that_has_not_started_offers_no_finish_and_cannot_finish(client_for, marketer):
    event = EventFactory(status=Event.Status.PUBLISHED)  # starts in a week
    html = client_for(marketer).get(event.get_absolute_url()).content.decode()
    assert 'id="status-finished"' not in html and 'id="status-ongoing"' in html
    with pytest.raises(ValidationError):
        services.event_set_status(actor=marketer, event=event, status=Event.Status.FINISHED)

    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    assert 'id="status-finished"' in client_for(marketer).get(event.get_absolute_url()).content.decode()
