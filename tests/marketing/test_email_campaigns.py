"""E-mail campaigns: throttled batches, per-recipient results, resend to the failed, unsubscribe."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer, CustomerGroup
from marketing import links
from marketing.models import EmailCampaign, EmailRecipient
from marketing.services import emails as services
from tests.factories import CustomerFactory

from .factories import CampaignFactory, EmailCampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    group = CustomerGroup.objects.create(name="Newsletter")
    for n in range(5):
        group.customers.add(CustomerFactory(name=f"Reader {n}", consent=Customer.Consent.GIVEN))
    group.customers.add(CustomerFactory(name="Gone", consent=Customer.Consent.WITHDRAWN))
    group.customers.add(CustomerFactory(name="No mail", email=""))
    return group


class Flaky:
    """An e-mail backend that refuses one address, like a mailbox that does not exist."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        for message in messages:
            if message.to[0].startswith(Flaky.bad):
                raise ConnectionError("550 mailbox unavailable")
            mail.outbox.append(message)
        return len(messages)


def test_start_decides_skips_and_sends_in_batches_of_the_rate(marketer, group, settings):
    email = EmailCampaignFactory(group=group, rate_per_minute=2)
    counts = services.email_campaign_start(actor=marketer, email_campaign=email)
    assert counts == {"queued": 5, "sent": 0, "failed": 0, "skipped": 2, "total": 7}
    reasons = dict(email.recipients.filter(status="skipped").values_list("customer__name", "reason"))
    assert "consent" in reasons["Gone"] and "address" in reasons["No mail"]

    now = timezone.now()
    first = services.email_campaign_send_batch(email_campaign_id=email.pk, now=now)
    email.refresh_from_db()
    assert first == {"sent": 2, "more": True}
    assert len(mail.outbox) == 2
    assert email.next_batch_at == now + timedelta(minutes=1)

    services.email_campaign_send_batch(email_campaign_id=email.pk)
    services.email_campaign_send_batch(email_campaign_id=email.pk)
    email.refresh_from_db()
    assert email.status == EmailCampaign.Status.DONE and email.next_batch_at is None
    assert len(mail.outbox) == 5
    message = mail.outbox[0]
    assert message.body.startswith("Hello Reader")
    customer = email.recipients.get(email=message.to[0]).customer
    assert links.unsubscribe_url(customer) in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{links.unsubscribe_url(customer)}>"


def test_the_site_wide_rate_caps_the_campaigns_rate(settings):
    settings.MARKETING_EMAIL_RATE_PER_MINUTE = 10
    assert services.rate_in_force(EmailCampaign(rate_per_minute=500)) == 10
    assert services.rate_in_force(EmailCampaign(rate_per_minute=3)) == 3


def test_failures_keep_their_reason_and_resend_retries_only_them(marketer, group, settings):
    settings.EMAIL_BACKEND = "tests.marketing.test_email_campaigns.Flaky"
    Flaky.bad = "customer"  # every factory address
    email = EmailCampaignFactory(group=group, rate_per_minute=100)
    services.email_campaign_start(actor=marketer, email_campaign=email)
    services.email_campaign_send_batch(email_campaign_id=email.pk)
    failed = email.recipients.filter(status="failed")
    assert failed.count() == 5 and "550 mailbox unavailable" in failed.first().reason

    Flaky.bad = "nobody"
    assert services.email_campaign_resend_failed(actor=marketer, email_campaign=email) == 5
    services.email_campaign_send_batch(email_campaign_id=email.pk)
    assert services.recipient_counts(email)["sent"] == 5
    assert len(mail.outbox) == 5
    # a second resend finds nobody failed and sends nothing
    assert services.email_campaign_resend_failed(actor=marketer, email_campaign=email) == 0


def test_a_retried_batch_sends_nobody_twice(marketer, group):
    email = EmailCampaignFactory(group=group, rate_per_minute=100)
    services.email_campaign_start(actor=marketer, email_campaign=email)
    services.email_campaign_send_batch(email_campaign_id=email.pk)
    EmailRecipient.objects.filter(email_campaign=email, status="sent").update(status="queued")
    EmailCampaign.objects.filter(pk=email.pk).update(status="sending")
    services.email_campaign_send_batch(email_campaign_id=email.pk)
    assert len(mail.outbox) == 5


def test_consent_withdrawn_during_the_send_is_respected(marketer, group):
    email = EmailCampaignFactory(group=group, rate_per_minute=100)
    services.email_campaign_start(actor=marketer, email_campaign=email)
    Customer.objects.filter(name="Reader 0").update(consent=Customer.Consent.WITHDRAWN)
    services.email_campaign_send_batch(email_campaign_id=email.pk)
    assert len(mail.outbox) == 4
    assert email.recipients.get(customer__name="Reader 0").status == "skipped"


def test_the_group_is_read_within_the_senders_scope(own_marketer, group):
    mine = CustomerFactory(owner=own_marketer, consent=Customer.Consent.GIVEN)
    group.customers.add(mine)
    email = EmailCampaignFactory(group=group, campaign=CampaignFactory(owner=own_marketer))
    services.email_campaign_start(actor=own_marketer, email_campaign=email)
    assert list(email.recipients.values_list("customer", flat=True)) == [mine.pk]


def test_unsubscribe_link_withdraws_consent(client):
    customer = CustomerFactory(consent=Customer.Consent.GIVEN)
    url = reverse("marketing:public-unsubscribe", args=[links.make_token(links.UNSUBSCRIBE, customer.pk)])
    assert client.get(url).status_code == 200
    customer.refresh_from_db()
    assert customer.consent == Customer.Consent.GIVEN  # opening the page alone changes nothing
    response = client.post(url)
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.consent == Customer.Consent.WITHDRAWN and customer.consent_method
    assert customer.history.first().consent == Customer.Consent.WITHDRAWN


def test_compose_start_and_watch_through_the_pages(
    client_for, marketer, group, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client = client_for(marketer)
    campaign = CampaignFactory(owner=marketer)
    response = client.post(
        reverse("marketing:email-create", args=[campaign.pk]),
        {"group": group.pk, "subject": "News", "body": "Dear {{ name }}", "rate_per_minute": 100},
    )
    email = EmailCampaign.objects.get()
    assert response.url == email.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("marketing:email-start", args=[email.pk]))
    page = client.get(email.get_absolute_url())
    assert page.context["counts"]["sent"] == 5 and page.context["counts"]["skipped"] == 2
    assert "at most 60 e-mails a minute" in page.content.decode()


def test_a_broken_template_is_refused_naming_the_body(client_for, marketer, group):
    campaign = CampaignFactory(owner=marketer)
    response = client_for(marketer).post(
        reverse("marketing:email-create", args=[campaign.pk]),
        {"group": group.pk, "subject": "News", "body": "Dear {% if %}", "rate_per_minute": 10},
    )
    assert "body" in response.context["form"].errors
    assert not EmailCampaign.objects.exists()


def test_recipient_page_query_count_stays_flat(client_for, marketer, group, django_assert_max_num_queries):
    client = client_for(marketer)
    email = EmailCampaignFactory(group=group)
    services.email_campaign_start(actor=marketer, email_campaign=email)
    with django_assert_max_num_queries(20) as few:
        client.get(email.get_absolute_url())
    group.customers.add(*CustomerFactory.create_batch(20, consent=Customer.Consent.GIVEN))
    EmailRecipient.objects.bulk_create(
        [EmailRecipient(email_campaign=email, customer=c, email=c.email) for c in group.customers.all()],
        ignore_conflicts=True,
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(email.get_absolute_url())
