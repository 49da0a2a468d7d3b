"""The embeddable web-to-lead form: captcha, rate limit, duplicates, and the signal sales listens to."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from crm.models import Notification
from marketing import links
from marketing.models import Prospect
from marketing.signals import prospect_captured
from tests.factories import ContactFactory, CustomerFactory

from .factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def captured():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    prospect_captured.connect(receiver, dispatch_uid="test-web-form")
    yield received
    prospect_captured.disconnect(dispatch_uid="test-web-form")


def _post(client, campaign, **data):
    cache.clear()
    url = reverse("marketing:public-web-form", args=[links.make_token(links.WEB_FORM, campaign.pk)])
    return client.post(url, {"captcha_0": "x", "captcha_1": "PASSED", "privacy_consent": "on", **data})


def test_a_submission_becomes_a_lead_of_the_campaign_through_the_signal(client, captured):
    campaign = CampaignFactory()
    response = _post(
        client, campaign, name="Li Lei", company="Lei Tech", email="li@leitech.example", phone="", message="Price?"
    )
    assert response.status_code == 200 and response.context["done"]
    assert len(captured) == 1
    args = captured[0]
    assert args["campaign"] == campaign and args["source"] == "web_form" and args["actor"] is None
    assert (args["name"], args["company"], args["email"]) == ("Li Lei", "Lei Tech", "li@leitech.example")
    prospect = Prospect.objects.get()
    assert args["reference"] == prospect.reference and prospect.message == "Price?"


def test_the_same_person_twice_is_one_lead(client, captured):
    campaign = CampaignFactory()
    _post(client, campaign, name="Li Lei", email="li@leitech.example")
    _post(client, campaign, name="Lei Li", email="LI@leitech.example")
    assert len(captured) == 1
    assert Prospect.objects.get().submissions == 2


def test_an_existing_customer_is_no_new_lead_their_owner_is_told(client, captured):
    customer = CustomerFactory(email="buyer@known.example")
    _post(client, CampaignFactory(), name="Buyer", email="buyer@known.example")
    assert captured == [] and not Prospect.objects.exists()
    assert Notification.objects.get().user == customer.owner


def test_email_or_phone_is_required(client, captured):
    response = _post(client, CampaignFactory(), name="Anonymous")
    assert "email" in response.context["form"].errors
    assert captured == []


def test_a_wrong_captcha_is_refused(client, captured):
    response = _post(client, CampaignFactory(), name="Bot", email="bot@example.org", captcha_1="WRONG")
    assert "captcha" in response.context["form"].errors and captured == []


def test_rate_limit(client, settings, captured):
    settings.PUBLIC_FORM_RATE = "1/h"
    campaign = CampaignFactory()
    cache.clear()
    url = reverse("marketing:public-web-form", args=[links.make_token(links.WEB_FORM, campaign.pk)])
    data = {"name": "A", "email": "a@example.org", "captcha_0": "x", "captcha_1": "PASSED", "privacy_consent": "on"}
    assert client.post(url, data).status_code == 200
    assert client.post(url, {**data, "email": "b@example.org"}).status_code == 429
    assert len(captured) == 1


def test_the_form_may_be_embedded_in_other_sites(client):
    campaign = CampaignFactory()
    response = client.get(reverse("marketing:public-web-form", args=[links.make_token(links.WEB_FORM, campaign.pk)]))
    assert response.status_code == 200 and "X-Frame-Options" not in response


def test_a_tampered_form_link_is_rejected(client):
    token = links.make_token(links.WEB_FORM, CampaignFactory().pk)
    assert client.get(reverse("marketing:public-web-form", args=[token + "x"])).status_code == 404


def test_the_embedded_form_posts_without_a_csrf_cookie(captured):
    """A browser withholds cookies from a form framed by another site; the post must still go through."""
    from django.test import Client

    cache.clear()
    campaign = CampaignFactory()
    url = reverse("marketing:public-web-form", args=[links.make_token(links.WEB_FORM, campaign.pk)])
    response = Client(enforce_csrf_checks=True).post(
        url,
        {
            "name": "Han Meimei",
            "email": "han@example.org",
            "captcha_0": "x",
            "captcha_1": "PASSED",
            "privacy_consent": "on",
        },
    )
    assert response.status_code == 200 and len(captured) == 1


def test_a_known_contacts_mobile_written_differently_is_no_new_lead(client, captured):
    # Contacts' mobiles are stored encrypted: only their keyed hash can find them.
    customer = CustomerFactory(phone="")
    ContactFactory(customer=customer, mobile="13912345678")
    _post(client, CampaignFactory(), name="Li Lei", phone="+86 139-1234-5678")
    assert captured == [] and not Prospect.objects.exists()
    assert Notification.objects.get().user == customer.owner
