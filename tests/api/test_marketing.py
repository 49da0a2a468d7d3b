"""Campaigns, events (+ status, check-in by code) and registrations (+ check-in) over the API: scoped like
the pages (a rep sees their own campaigns, a manager their team's registrations), permissions from the
role, the page's validation, and ``registration.created`` only for owners who may see the registration."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from accounts import roles
from accounts.models import RoleScope
from crm.api import webhooks
from crm.api.models import WebhookDelivery
from crm.models import BehaviourLog
from crm.scope import Module, Scope
from marketing.models import Campaign, Event, Registration
from tests.factories import UserFactory
from tests.marketing.factories import CampaignFactory, EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def managers(team, other_team):
    """A sales manager in each team: they read their team's marketing records and check guests in."""
    east = UserFactory(username="mona", role=roles.SALES_MANAGER, team=team)
    west = UserFactory(username="wes", role=roles.SALES_MANAGER, team=other_team)
    return east, west


def test_a_rep_reaches_only_their_own_campaigns_and_events(api_for, rep_user, far_rep):
    mine, theirs = CampaignFactory(owner=rep_user), CampaignFactory(owner=far_rep, name="West launch")
    my_event, their_event = EventFactory(campaign=mine), EventFactory(campaign=theirs, theme="West fair")
    api = api_for(rep_user)
    assert ids(api.get(f"{V1}/campaigns/")) == [mine.pk]
    assert ids(api.get(f"{V1}/campaigns/", {"q": "West"})) == []
    assert ids(api.get(f"{V1}/events/")) == [my_event.pk]
    assert ids(api.get(f"{V1}/events/", {"q": "West fair"})) == []
    assert api.get(f"{V1}/campaigns/{theirs.pk}/").status_code == 404
    assert api.get(f"{V1}/events/{their_event.pk}/").status_code == 404
    # Reading is all a rep may do with marketing records.
    assert api.patch(f"{V1}/campaigns/{mine.pk}/", {"name": "x"}, format="json").status_code == 403
    assert api.post(f"{V1}/events/{my_event.pk}/status/", {"status": "ongoing"}, format="json").status_code == 403
    assert api.get(f"{V1}/registrations/").status_code == 403


def test_a_manager_reaches_only_the_registrations_of_their_teams_events(api_for, managers, rep_user, settings):
    east, west = managers
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    seen = webhooks.endpoint_create(actor=east, url="http://127.0.0.1:9/", events=["registration.created"])
    unseen = webhooks.endpoint_create(actor=west, url="http://127.0.0.1:9/", events=["registration.created"])
    event = EventFactory(campaign=CampaignFactory(owner=rep_user))
    marketer = UserFactory(username="mark", role=roles.MARKETING)
    created = api_for(marketer).post(
        f"{V1}/registrations/", {"event": event.pk, "name": "Li Na", "email": "li.na@example.com"}, format="json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "confirmed" and "code" not in created.json()
    assert WebhookDelivery.objects.get(endpoint=seen).payload["data"]["id"] == pk
    assert not WebhookDelivery.objects.filter(endpoint=unseen).exists()
    outsider = api_for(west)
    assert ids(outsider.get(f"{V1}/registrations/")) == []
    assert ids(outsider.get(f"{V1}/registrations/", {"event": event.pk})) == []
    assert outsider.get(f"{V1}/registrations/{pk}/").status_code == 404
    assert outsider.post(f"{V1}/registrations/{pk}/check-in/").status_code == 404
    code = Registration.objects.get(pk=pk).code
    assert outsider.post(f"{V1}/events/{event.pk}/check-in/", {"code": code}, format="json").status_code == 404
    assert Registration.objects.get(pk=pk).checked_in_at is None
    insider = api_for(east)
    assert ids(insider.get(f"{V1}/registrations/", {"event": event.pk, "checked_in": "false"})) == [pk]
    checked = insider.post(f"{V1}/registrations/{pk}/check-in/")
    assert checked.status_code == 200 and checked.json()["checked_in_by"] == east.pk
    assert ids(insider.get(f"{V1}/registrations/", {"checked_in": "true"})) == [pk]
    # The staff member who registered them is in the behaviour log.
    assert BehaviourLog.objects.get(object_type="marketing.registration", action="create").user == marketer


def test_check_in_at_the_door_by_code_and_a_waitlisted_guest_is_refused(api_for, managers, rep_user):
    east, _west = managers
    event = EventFactory(campaign=CampaignFactory(owner=rep_user))
    guest = RegistrationFactory(event=event, code="ABCDEFGH23")
    waiting = RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)
    api = api_for(east)
    door = api.post(f"{V1}/events/{event.pk}/check-in/", {"code": "abcd efgh23"}, format="json")
    assert door.status_code == 200 and door.json()["id"] == guest.pk and door.json()["checked_in_at"]
    unknown = api.post(f"{V1}/events/{event.pk}/check-in/", {"code": "NOPE"}, format="json")
    assert unknown.status_code == 400 and "code" in unknown.json()
    assert api.post(f"{V1}/registrations/{waiting.pk}/check-in/").status_code == 400
    # Registering people is the marketing team's work.
    new = {"event": event.pk, "name": "x", "email": "x@example.com"}
    assert api.post(f"{V1}/registrations/", new, format="json").status_code == 403


def test_registration_follows_the_events_capacity_and_refuses_bad_input(api_for):
    marketer = UserFactory(username="mark", role=roles.MARKETING)
    event = EventFactory(capacity=1)
    api = api_for(marketer)
    first = api.post(f"{V1}/registrations/", {"event": event.pk, "name": "A", "email": "a@example.com"}, format="json")
    second = api.post(f"{V1}/registrations/", {"event": event.pk, "name": "B", "email": "b@example.com"}, format="json")
    assert first.json()["status"] == "confirmed" and second.json()["status"] == "waitlisted"
    again = api.post(f"{V1}/registrations/", {"event": event.pk, "name": "A", "email": "A@example.com"}, format="json")
    assert again.status_code == 400 and "email" in again.json()
    bad = api.post(f"{V1}/registrations/", {"event": event.pk, "email": "not-an-address"}, format="json")
    assert bad.status_code == 400 and {"name", "email"} <= set(bad.json())
    closed = EventFactory(status=Event.Status.DRAFT)
    refused = api.post(
        f"{V1}/registrations/", {"event": closed.pk, "name": "C", "email": "c@example.com"}, format="json"
    )
    assert refused.status_code == 400 and "non_field_errors" in refused.json()
    assert Registration.objects.count() == 2


def test_a_marketer_creates_a_campaign_and_an_event_and_publishes_it(api_for):
    marketer = UserFactory(username="mark", role=roles.MARKETING)
    api = api_for(marketer)
    bad = api.post(
        f"{V1}/campaigns/",
        {"name": "Spring", "start_date": "2026-05-01", "end_date": "2026-04-01"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert bad.status_code == 400 and "end_date" in bad.json()
    assert bad.json()["end_date"][0] != "The campaign cannot end before it starts."
    campaign = api.post(f"{V1}/campaigns/", {"name": "Spring", "kind": "event", "budget": "5000"}, format="json")
    assert campaign.status_code == 201, campaign.content
    assert Campaign.objects.get(pk=campaign.json()["id"]).owner == marketer
    starts = timezone.now() + timedelta(days=10)
    event = {"campaign": campaign.json()["id"], "theme": "Launch", "kind": "seminar", "capacity": 20,
             "starts_at": starts.strftime("%Y-%m-%d %H:%M"), "ends_at": starts.strftime("%Y-%m-%d 23:59")}  # fmt: skip
    nowhere = api.post(f"{V1}/events/", event, format="json")
    assert nowhere.status_code == 400 and "location" in nowhere.json()
    created = api.post(f"{V1}/events/", {**event, "location": "Hangzhou"}, format="json")
    assert created.status_code == 201, created.content
    pk, etag = created.json()["id"], created["ETag"]
    renamed = api.patch(f"{V1}/events/{pk}/", {"theme": "Big launch"}, format="json", HTTP_IF_MATCH=etag)
    assert renamed.status_code == 200 and renamed.json()["theme"] == "Big launch"
    assert (
        api.post(f"{V1}/events/{pk}/status/", {"status": "published"}, format="json", HTTP_IF_MATCH=etag).status_code
        == 412
    )
    published = api.post(f"{V1}/events/{pk}/status/", {"status": "published"}, format="json")
    assert published.status_code == 200 and published.json()["status"] == "published"
    finished = api.post(f"{V1}/events/{pk}/status/", {"status": "draft"}, format="json")
    assert finished.status_code == 400


def test_publishing_needs_the_permission_to_publish(api_for):
    group = Group.objects.create(name="Marketing (no publishing)")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="marketing").exclude(codename="publish_event")
    )
    RoleScope.objects.create(group=group, module=Module.MARKETING, scope=Scope.ALL)
    editor = UserFactory(username="ed", role=group.name)
    event = EventFactory(status=Event.Status.DRAFT)
    api = api_for(editor)
    assert api.post(f"{V1}/events/{event.pk}/status/", {"status": "published"}, format="json").status_code == 403
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT
    assert api.post(f"{V1}/events/{event.pk}/status/", {"status": "cancelled"}, format="json").status_code == 200


@pytest.mark.parametrize("resource", ["campaigns", "events", "registrations", "tickets"])
def test_the_new_lists_run_a_bounded_number_of_queries(api_for, resource, django_assert_max_num_queries):
    from customers.models import CustomerGroup
    from tests.service.factories import TicketFactory

    admin = UserFactory(username="root", role=roles.ADMINISTRATOR)
    group = CustomerGroup.objects.create(name="Newsletter")

    def rows(count):
        for _ in range(count):
            campaign = CampaignFactory(owner=admin)
            campaign.target_groups.add(group)
            event = EventFactory(campaign=campaign)
            event.invite_groups.add(group)
            RegistrationFactory(event=event)
            TicketFactory(assignee=admin)

    api = api_for(admin)
    rows(3)
    api.get(f"{V1}/{resource}/")  # token use logged, caches warm
    with django_assert_max_num_queries(12) as small:
        assert api.get(f"{V1}/{resource}/").status_code == 200
    rows(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(api.get(f"{V1}/{resource}/").json()["results"]) == 23


def test_a_registration_is_cancelled_over_the_api_the_waitlist_moves_up_and_a_stale_etag_answers_412(
    api_for, managers, rep_user
):
    east, west = managers
    marketer = UserFactory(username="mark", role=roles.MARKETING)
    event = EventFactory(campaign=CampaignFactory(owner=rep_user), capacity=1)
    api = api_for(marketer)
    seated = api.post(f"{V1}/registrations/", {"event": event.pk, "name": "A", "email": "a@example.com"}, format="json")
    waiting = api.post(
        f"{V1}/registrations/", {"event": event.pk, "name": "B", "email": "b@example.com"}, format="json"
    )
    pk, etag = seated.json()["id"], seated["ETag"]
    # The ETag follows the registration's last change (a check-in, a cancellation), not its id.
    since = seated.json()["updated_at"]
    assert api_for(east).post(f"{V1}/registrations/{pk}/check-in/")["ETag"] != etag
    assert api.post(f"{V1}/registrations/{pk}/cancel/", HTTP_IF_MATCH=etag).status_code == 412
    checked_in = api.post(f"{V1}/registrations/{pk}/cancel/")
    assert checked_in.status_code == 400  # checked in: not cancelled
    Registration.objects.filter(pk=pk).update(checked_in_at=None, checked_in_by=None)
    current = api.get(f"{V1}/registrations/{pk}/")["ETag"]
    cancelled = api.post(f"{V1}/registrations/{pk}/cancel/", HTTP_IF_MATCH=current)
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancelled_at"]
    assert api.get(f"{V1}/registrations/{waiting.json()['id']}/").json()["status"] == "confirmed"
    # Incremental sync sees both changes.
    assert set(ids(api.get(f"{V1}/registrations/", {"updated_since": since}))) == {pk, waiting.json()["id"]}
    assert api.post(f"{V1}/registrations/{pk}/cancel/").json()["status"] == "cancelled"  # again: no change
    # A sales manager may check guests in but not cancel them (the marketing team's work).
    assert api_for(east).post(f"{V1}/registrations/{pk}/cancel/").status_code == 403
    # With the permission, another team's manager still does not find it: the scope answers.
    west.user_permissions.add(Permission.objects.get(codename="change_registration"))
    assert api_for(west).post(f"{V1}/registrations/{waiting.json()['id']}/cancel/").status_code == 404
    assert Registration.objects.get(pk=waiting.json()["id"]).status == "confirmed"
