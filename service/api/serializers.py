"""Tickets and their comments as the API shows them."""

from rest_framework import serializers

from crm.api.serializers import ResourceSerializer

from ..models import Ticket, TicketComment


class TicketSerializer(ResourceSerializer):
    number = serializers.CharField(read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "id", "number", "subject", "description", "type", "channel", "priority", "status", "customer", "contact",
            "product", "order", "queue", "assignee", "requester_name", "requester_email", "requester_phone",
            "response_due_at", "resolution_due_at", "sla_paused_at", "first_responded_at", "resolved_at",
            "closed_at", "response_breached", "resolution_breached", "needs_follow_up", "created_by", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "status", "response_due_at", "resolution_due_at", "sla_paused_at", "first_responded_at", "resolved_at",
            "closed_at", "response_breached", "resolution_breached", "needs_follow_up", "created_by", "created_at",
            "updated_at",
        ]  # fmt: skip
        extra_kwargs = {"assignee": {"required": False}}


class TicketCommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketComment
        fields = ["id", "ticket", "author", "customer_name", "body", "is_public", "created_at"]
        read_only_fields = ["ticket", "author", "customer_name", "created_at"]
