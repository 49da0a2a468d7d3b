"""Campaigns, events and event registrations as the API shows them."""

from rest_framework import serializers

from crm.api.serializers import ResourceSerializer
from customers.models import CustomerGroup

from ..models import Campaign, Event, Registration


class CampaignSerializer(ResourceSerializer):
    target_groups = serializers.PrimaryKeyRelatedField(
        many=True, read_only=False, queryset=CustomerGroup.objects.all(), required=False
    )

    class Meta:
        model = Campaign
        fields = [
            "id", "name", "kind", "status", "start_date", "end_date", "budget", "actual_cost", "expected_revenue",
            "target_groups", "description", "owner", "team", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["owner", "team", "created_at", "updated_at"]


class EventSerializer(ResourceSerializer):
    invite_groups = serializers.PrimaryKeyRelatedField(
        many=True, read_only=False, queryset=CustomerGroup.objects.all(), required=False
    )
    invite_emails = serializers.CharField(
        write_only=True, required=False, help_text="E-mail addresses of customers or contacts to invite, one per line."
    )

    class Meta:
        model = Event
        fields = [
            "id", "campaign", "theme", "kind", "status", "starts_at", "ends_at", "location", "online_url", "agenda",
            "capacity", "registration_deadline", "invite_groups", "invite_emails", "published_at", "survey_sent_at",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["status", "published_at", "survey_sent_at", "created_at", "updated_at"]


class RegistrationSerializer(ResourceSerializer):
    class Meta:
        model = Registration
        fields = [
            "id", "event", "customer", "name", "company", "email", "phone", "status", "registered_at", "cancelled_at",
            "checked_in_at", "checked_in_by", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "customer", "status", "registered_at", "cancelled_at", "checked_in_at", "checked_in_by", "updated_at",
        ]  # fmt: skip
