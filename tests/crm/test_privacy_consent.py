"""The privacy notice on the three public forms and the consent recorded with what each created."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from crm.models import Consent, PrivacyNotice
from marketing import links
from marketing.models import Prospect, Registration
from service.models import Ticket
from tests.factories import CustomerFactory, UserFactory
from tests.marketing.factories import CampaignFactory, EventFactory
from tests.service.factories import QueueFactory

pytestmark = pytest.mark.django_db

CAPTCHA = {"captcha_0": "x", "captcha_1": "PASSED"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def _registration(client, **extra):
    event = EventFactory()
    url = reverse("marketing:public-event", args=[links.make_token(links.EVENT, event.pk)])
    data = {"name": "Guest", "email": "guest@example.org", **CAPTCHA, **extra}
    return client.post(url, data, REMOTE_ADDR="198.51.100.7"), Registration.objects.first


def _web_lead(client, **extra):
    campaign = CampaignFactory()
    url = reverse("marketing:public-web-form", args=[links.make_token(links.WEB_FORM, campaign.pk)])
    data = {"name": "Li Lei", "email": "li@leitech.example", **CAPTCHA, **extra}
    return client.post(url, data, REMOTE_ADDR="198.51.100.7"), Prospect.objects.first


def _ticket(client, **extra):
    QueueFactory(manager=UserFactory(), accepts_web=True)
    data = {"name": "Wang Fang", "email": "wang@example.org", "type": "fault", "subject": "Offline"}
    data |= {"description": "The scanner is offline.", **CAPTCHA, **extra}
    return client.post(reverse("service:public-ticket-submit"), data, REMOTE_ADDR="198.51.100.7"), Ticket.objects.first


FORMS = [
    pytest.param(_registration, Consent.Form.EVENT_REGISTRATION, id="event-registration"),
    pytest.param(_web_lead, Consent.Form.WEB_LEAD, id="web-to-lead"),
    pytest.param(_ticket, Consent.Form.PUBLIC_TICKET, id="public-ticket"),
]


@pytest.mark.parametrize(("submit", "form"), FORMS)
def test_without_consent_the_form_answers_on_the_field_and_saves_nothing(client, submit, form):
    response, created = submit(client)
    assert response.status_code == 200
    assert "privacy_consent" in response.context["form"].errors
    assert created() is None and not Consent.objects.exists()


@pytest.mark.parametrize(("submit", "form"), FORMS)
def test_with_consent_the_record_and_its_consent_are_saved_together(client, settings, submit, form):
    settings.PRIVACY_NOTICE_VERSION = "2026-05"
    before = timezone.now()
    _response, created = submit(client, privacy_consent="on")
    consent = Consent.objects.get()
    assert created() is not None and consent.record == created()
    assert (consent.form, consent.notice_version, consent.ip) == (form, "2026-05", "198.51.100.7")
    assert before <= consent.given_at <= timezone.now()


def test_a_form_not_listed_in_the_setting_shows_the_notice_without_the_box(client, settings):
    settings.PRIVACY_CONSENT_REQUIRED_FORMS = ["event_registration"]
    response, created = _web_lead(client)
    assert response.context["done"] and created() is not None
    assert "privacy_consent" not in response.context["form"].fields
    assert b'id="privacy-notice"' in response.content
    assert not Consent.objects.exists()


def test_a_web_lead_from_a_known_customer_keeps_the_consent_with_that_customer(client):
    customer = CustomerFactory(email="buyer@known.example")
    _web_lead(client, email="buyer@known.example", privacy_consent="on")
    assert not Prospect.objects.exists()
    assert Consent.objects.get().record == customer


def test_the_page_shows_the_default_notice_in_the_visitors_language(client):
    campaign = CampaignFactory()
    url = reverse("marketing:public-web-form", args=[links.make_token(links.WEB_FORM, campaign.pk)])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "We use the details you give here only to handle this request" in english
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(url).content.decode()
    assert "隐私声明" in chinese
    assert "We use the details" not in chinese


def test_the_newest_published_notice_is_shown_and_its_version_recorded(client):
    PrivacyNotice.objects.create(version="v1", text_en="Old text.", text_zh_hans="旧文本。")
    PrivacyNotice.objects.create(version="v2", text_en="New text.", text_zh_hans="新文本。")
    PrivacyNotice.objects.create(
        version="v3", text_en="Not yet.", text_zh_hans="未生效。", published_at=timezone.now() + timedelta(days=1)
    )
    response, _created = _registration(client, privacy_consent="on")
    assert Consent.objects.get().notice_version == "v2"
    campaign = CampaignFactory()
    url = reverse("marketing:public-web-form", args=[links.make_token(links.WEB_FORM, campaign.pk)])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "New text." in page and "Old text." not in page and "Not yet." not in page


def test_a_customers_data_export_and_erasure_cover_the_consents_they_gave(client):
    from customers.services.privacy import customer_erase, customer_personal_data

    customer = CustomerFactory(email="wang@example.org")
    _ticket(client, privacy_consent="on")  # the public ticket form joins the customer by e-mail
    event = EventFactory()
    url = reverse("marketing:public-event", args=[links.make_token(links.EVENT, event.pk)])
    client.post(url, {"name": "Wang", "email": "wang@example.org", "privacy_consent": "on", **CAPTCHA})
    assert Consent.objects.count() == 2 and set(Consent.objects.values_list("ip", flat=True)) == {
        "198.51.100.7",
        "127.0.0.1",
    }

    exported = customer_personal_data(customer=customer)
    forms = {row["form"] for section in ("ticket_consents", "marketing_consents") for row in exported[section]}
    assert forms == {Consent.Form.PUBLIC_TICKET, Consent.Form.EVENT_REGISTRATION}

    customer_erase(actor=UserFactory(is_superuser=True), customer=customer)
    assert list(Consent.objects.values_list("ip", flat=True)) == [None, None]
    assert set(Consent.objects.values_list("notice_version", flat=True)) == {settings.PRIVACY_NOTICE_VERSION}
