"""Tickets and their comments as the API shows them."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.api.serializers import ResourceSerializer

from ..models import Ticket, TicketAttachment, TicketComment


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


class TicketAttachmentSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = TicketAttachment
        fields = ["id", "name", "size", "content_type", "created_at", "download"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download(self, attachment) -> str:
        """The file through the API (the same token), not the page's link that needs a session."""
        url = reverse("api:ticket-attachment", kwargs={"pk": attachment.ticket_id, "attachment_pk": attachment.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class TicketCommentSerializer(serializers.ModelSerializer):
    attachments = TicketAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = TicketComment
        fields = ["id", "ticket", "author", "customer_name", "body", "is_public", "created_at", "attachments"]
        read_only_fields = ["ticket", "author", "customer_name", "created_at"]
