"""Campaigns: create and edit through the pages, the list's query count, the sidebar, role permissions."""

from decimal import Decimal

import pytest
from django.urls import reverse

from crm.models import BehaviourLog
from marketing.models import Campaign

from .factories import CampaignFactory

pytestmark = pytest.mark.django_db


def _data(**extra):
    return {
        "name": "Spring expo 2027", "kind": "exhibition", "status": "planned", "start_date": "2027-03-01",
        "end_date": "2027-03-03", "budget": "50000.00", "actual_cost": "0", "expected_revenue": "200000", **extra,
    }  # fmt: skip


def test_marketer_creates_and_edits_a_campaign(client_for, marketer):
    client = client_for(marketer)
    response = client.post(reverse("marketing:campaign-create"), _data())
    campaign = Campaign.objects.get()
    assert response.url == campaign.get_absolute_url()
    assert (campaign.owner, campaign.budget) == (marketer, Decimal("50000.00"))
    assert BehaviourLog.objects.filter(object_type="marketing.campaign", action="create").exists()

    client.post(reverse("marketing:campaign-update", args=[campaign.pk]), _data(actual_cost="42000.50"))
    campaign.refresh_from_db()
    assert campaign.actual_cost == Decimal("42000.50")
    assert client.get(campaign.get_absolute_url()).status_code == 200


def test_end_before_start_and_negative_amounts_are_refused_by_field(client_for, marketer):
    response = client_for(marketer).post(
        reverse("marketing:campaign-create"), _data(end_date="2027-02-01", budget="-1")
    )
    errors = response.context["form"].errors
    assert "end_date" in errors and "budget" in errors
    assert not Campaign.objects.exists()


def test_reps_see_campaigns_but_cannot_create_them(client_for, rep_user):
    client = client_for(rep_user)
    assert client.get(reverse("marketing:campaign-list")).status_code == 200
    assert client.get(reverse("marketing:campaign-create")).status_code == 403


def test_service_agents_have_no_marketing_module(client_for, db):
    from accounts import roles
    from tests.factories import UserFactory

    agent = UserFactory(role=roles.SERVICE_AGENT)
    assert client_for(agent).get(reverse("marketing:campaign-list")).status_code == 403


def test_sidebar_shows_marketing_entries_to_marketers(client_for, marketer):
    html = client_for(marketer).get(reverse("marketing:campaign-list")).content.decode()
    for name in ("marketing:event-list", "marketing:asset-list", "marketing:email-list", "marketing:effect-comparison"):
        assert f'href="{reverse(name)}"' in html


def test_campaign_list_query_count_stays_flat(client_for, marketer, django_assert_max_num_queries):
    client = client_for(marketer)
    CampaignFactory.create_batch(2)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("marketing:campaign-list"))
    CampaignFactory.create_batch(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("marketing:campaign-list"))
    assert len(response.context["page"]) == 22


def test_campaign_list_sorts_by_name(client_for, marketer):
    CampaignFactory(name="Beta")
    CampaignFactory(name="Alpha")
    page = client_for(marketer).get(reverse("marketing:campaign-list"), {"sort": "name"}).context["page"]
    assert [c.name for c in page] == ["Alpha", "Beta"]
