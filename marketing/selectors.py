"""Reads for a user: every one starts from ``visible_to(user)``, so out-of-scope records are 404."""

from django.db.models import Avg, Count, Q
from django.shortcuts import get_object_or_404

from .filters import AssetFilter, CampaignFilter, EventFilter, RegistrationFilter
from .models import Asset, Campaign, EmailCampaign, EmailRecipient, Event, Invitation, Prospect, Registration


def campaign_list(*, user, data=None):
    queryset = (
        Campaign.objects.visible_to(user)
        .select_related("owner")
        .annotate(event_count=Count("events"))
        .order_by("-start_date", "-id")
    )
    return CampaignFilter(data, queryset=queryset)


def campaign_get(*, user, pk) -> Campaign:
    return get_object_or_404(Campaign.objects.visible_to(user).select_related("owner", "team"), pk=pk)


def campaign_events(*, campaign):
    return campaign.events.order_by("-starts_at")


def event_list(*, user, data=None):
    queryset = Event.objects.visible_to(user).select_related("campaign")
    return EventFilter(data, queryset=queryset)


def event_get(*, user, pk) -> Event:
    return get_object_or_404(Event.objects.visible_to(user).select_related("campaign"), pk=pk)


def event_progress(*, event: Event) -> dict:
    """Invited, registered, confirmed, waitlisted, checked in and the attendance rate, in two queries."""
    invited = Invitation.objects.filter(event=event).aggregate(
        invited=Count("pk", filter=Q(status=Invitation.Status.SENT)),
        queued=Count("pk", filter=Q(status=Invitation.Status.QUEUED)),
        skipped=Count("pk", filter=Q(status=Invitation.Status.SKIPPED)),
        failed=Count("pk", filter=Q(status=Invitation.Status.FAILED)),
    )
    registered = Registration.objects.filter(event=event).aggregate(
        registered=Count("pk", filter=~Q(status=Registration.Status.CANCELLED)),
        confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
        cancelled=Count("pk", filter=Q(status=Registration.Status.CANCELLED)),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
    )
    confirmed = registered["confirmed"]
    rate = round(100 * registered["checked_in"] / confirmed) if confirmed else 0
    return {**invited, **registered, "attendance_rate": rate, "capacity": event.capacity}


def event_registrations(*, event: Event):
    return event.registrations.select_related("customer").order_by("registered_at", "pk")


def event_statistics(*, event: Event) -> dict:
    progress = event_progress(event=event)
    survey = Registration.objects.filter(event=event, survey_response__isnull=False)
    summary = survey.aggregate(average=Avg("survey_response__score"), answers=Count("pk"))
    counts = dict(survey.values_list("survey_response__score").annotate(n=Count("pk")).order_by())
    return {
        **progress,
        "answers": summary["answers"],
        "average": round(summary["average"], 2) if summary["average"] is not None else None,
        "distribution": {"labels": [str(s) for s in range(1, 6)], "values": [counts.get(s, 0) for s in range(1, 6)]},
        "new_leads": Prospect.objects.filter(event=event).count(),
    }


def registration_list(*, user, data=None):
    """Registrations of the events the user may see, filtered by event, status and whether checked in."""

    queryset = Registration.objects.visible_to(user).select_related("event")
    return RegistrationFilter(data, queryset=queryset)


def registration_get(*, user, pk) -> Registration:
    return get_object_or_404(Registration.objects.visible_to(user).select_related("event"), pk=pk)


def prospect_list(*, user, campaign=None):
    queryset = Prospect.objects.visible_to(user).select_related("campaign", "event")
    return queryset.filter(campaign=campaign) if campaign is not None else queryset


def asset_list(*, user, data=None):
    return AssetFilter(data, queryset=Asset.objects.visible_to(user).select_related("owner"))


def asset_get(*, user, pk) -> Asset:
    return get_object_or_404(Asset.objects.visible_to(user).select_related("owner"), pk=pk)


def asset_usage(*, user, asset: Asset) -> dict:
    """The campaigns and events using the asset, among those the user may see."""
    return {
        "campaigns": asset.campaigns.filter(pk__in=Campaign.objects.visible_to(user).values("pk")),
        "events": asset.events.filter(pk__in=Event.objects.visible_to(user).values("pk")).select_related("campaign"),
    }


def email_campaign_list(*, user):
    return EmailCampaign.objects.visible_to(user).select_related("campaign", "group")


def email_campaign_get(*, user, pk) -> EmailCampaign:
    return get_object_or_404(EmailCampaign.objects.visible_to(user).select_related("campaign", "group"), pk=pk)


def email_recipients(*, email_campaign: EmailCampaign, status: str = ""):
    queryset = email_campaign.recipients.select_related("customer").order_by("pk")
    if status in EmailRecipient.Status.values:
        queryset = queryset.filter(status=status)
    return queryset


def campaigns_for_effect(*, user, ids=None):
    queryset = Campaign.objects.visible_to(user).order_by("-start_date", "-id")
    if ids:
        queryset = queryset.filter(pk__in=ids)
    return queryset[:50]


def campaign_choices(*, user):
    return Campaign.objects.visible_to(user).order_by("name")


def event_choices(*, user):
    return Event.objects.visible_to(user).order_by("-starts_at")
