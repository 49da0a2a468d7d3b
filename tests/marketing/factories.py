from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from marketing.models import Campaign, EmailCampaign, Event, Registration
from tests.factories import UserFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    owner = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda c: c.owner.team)
    budget = Decimal("10000.00")
    actual_cost = Decimal("8000.00")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    campaign = factory.SubFactory(CampaignFactory)
    theme = factory.Sequence(lambda n: f"Product launch {n}")
    status = Event.Status.PUBLISHED
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + timedelta(hours=3))
    location = "Shanghai, Pudong Convention Center"
    capacity = 50
    registration_deadline = factory.LazyAttribute(lambda e: e.starts_at - timedelta(days=1))


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Guest {n}")
    email = factory.Sequence(lambda n: f"guest{n}@example.com")
    code = factory.Sequence(lambda n: f"CODE{n:06d}")
    status = Registration.Status.CONFIRMED


class EmailCampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailCampaign

    campaign = factory.SubFactory(CampaignFactory)
    created_by = factory.LazyAttribute(lambda e: e.campaign.owner)
    subject = "Spring offers"
    body = "Hello {{ name }}, see our spring offers."
    rate_per_minute = 60


def linked_pk(text: str, route: str, purpose: str) -> int:
    """The record a signed link in ``text`` (an e-mail body) points at, e.g. route "cancel"."""
    import re

    from marketing import links

    token = re.search(rf"/p/{route}/([^/\s]+)/", text).group(1)
    return links.read_token(purpose, token)
