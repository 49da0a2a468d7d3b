"""Every marketing page answers 404 for a record outside the user's scope, and works inside it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import CustomerGroup
from marketing.models import Asset, Invitation, Registration, SurveyResponse

from .factories import CampaignFactory, EmailCampaignFactory, EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(own_marketer, far_rep):
    """One of each record owned by the own-scope marketer, and one of each owned by someone else."""

    def build(owner):
        campaign = CampaignFactory(owner=owner)
        event = EventFactory(campaign=campaign)
        RegistrationFactory(event=event, code=f"SCOPE{owner.pk:05d}")
        group, _ = CustomerGroup.objects.get_or_create(name="Everyone")
        email = EmailCampaignFactory(campaign=campaign, group=group)
        asset = Asset.objects.create(name="a", file="x.png", owner=owner, content_type="image/png")
        return {"campaign": campaign.pk, "event": event.pk, "email": email.pk, "asset": asset.pk}

    return {"mine": build(own_marketer), "theirs": build(far_rep)}


VIEWS = [
    ("get", "marketing:campaign-detail", "campaign", {}),
    ("get", "marketing:campaign-update", "campaign", {}),
    ("get", "marketing:email-create", "campaign", {}),
    ("get", "marketing:event-detail", "event", {}),
    ("get", "marketing:event-update", "event", {}),
    ("post", "marketing:event-status", "event", {"status": "ongoing"}),
    ("get", "marketing:event-progress", "event", {}),
    ("get", "marketing:event-check-in", "event", {}),
    ("post", "marketing:event-check-in", "event", {"code": "whatever"}),
    ("get", "marketing:event-statistics", "event", {}),
    ("get", "marketing:event-export", "event", {}),
    ("get", "marketing:email-detail", "email", {}),
    ("get", "marketing:email-update", "email", {}),
    ("post", "marketing:email-start", "email", {}),
    ("post", "marketing:email-resend", "email", {}),
    ("get", "marketing:asset-detail", "asset", {}),
    ("get", "marketing:asset-update", "asset", {}),
    ("get", "marketing:asset-file", "asset", {}),
]


@pytest.mark.parametrize("method,name,kind,data", VIEWS)
def test_out_of_scope_is_404_and_own_works(client_for, own_marketer, records, method, name, kind, data):
    client = client_for(own_marketer)
    theirs = getattr(client, method)(reverse(name, args=[records["theirs"][kind]]), data)
    assert theirs.status_code == 404
    if name != "marketing:asset-file":  # the fixture's asset has no file on disk
        mine = getattr(client, method)(reverse(name, args=[records["mine"][kind]]), data)
        assert mine.status_code in (200, 302)


def test_lists_show_only_records_in_scope(client_for, own_marketer, records):
    client = client_for(own_marketer)
    for name, key in [
        ("marketing:campaign-list", "campaign"), ("marketing:event-list", "event"),
        ("marketing:email-list", "email"), ("marketing:asset-list", "asset"),
    ]:  # fmt: skip
        ids = {obj.pk for obj in client.get(reverse(name)).context["page"]}
        assert ids == {records["mine"][key]}, name
    effect = client.get(reverse("marketing:effect-comparison"), {"campaign": [records["theirs"]["campaign"]]})
    assert effect.context["rows"] == []


def test_check_in_cannot_reach_another_events_registration(client_for, own_marketer, records):
    theirs = Registration.objects.get(event_id=records["theirs"]["event"])
    client_for(own_marketer).post(
        reverse("marketing:event-check-in", args=[records["mine"]["event"]]), {"code": theirs.code}
    )
    theirs.refresh_from_db()
    assert theirs.checked_in_at is None


def test_customer_timeline_shows_event_records_in_scope(client_for, marketer):
    from tests.factories import CustomerFactory

    customer = CustomerFactory()
    registration = RegistrationFactory(customer=customer, checked_in_at=timezone.now())
    SurveyResponse.objects.create(registration=registration, score=4, comment="Useful demos")
    Invitation.objects.create(event=EventFactory(theme="Invited only"), customer=customer, name="x", status="sent")
    response = client_for(marketer).get(reverse("customers:customer-timeline", args=[customer.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert registration.event.theme in html and "Rated" in html and "Useful demos" in html
    assert "Invited only" in html


def test_customer_timeline_leaves_out_events_outside_the_viewers_scope(client_for, rep_user, far_rep):
    from tests.factories import CustomerFactory

    customer = CustomerFactory(owner=rep_user)
    RegistrationFactory(
        customer=customer, event=EventFactory(theme="Far away expo", campaign=CampaignFactory(owner=far_rep))
    )
    response = client_for(rep_user).get(reverse("customers:customer-timeline", args=[customer.pk]))
    assert response.status_code == 200 and "Far away expo" not in response.content.decode()
