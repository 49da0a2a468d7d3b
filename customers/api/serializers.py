"""Customers, contacts, communications, follow-up tasks, tags and groups as the API shows them."""

from crm.api.serializers import RelatedIdsField, ResourceSerializer

from ..models import Communication, Contact, Customer, CustomerGroup, FollowUpTask, Tag

SENSITIVE = "customers.view_sensitive_customer"


class CustomerSerializer(ResourceSerializer):
    # The list reads the ids in its own query (customers.selectors.customer_api_list).
    tags = RelatedIdsField(ids_attr="tag_ids", queryset=Tag.objects.all(), required=False)
    groups = RelatedIdsField(ids_attr="group_ids", queryset=CustomerGroup.objects.all(), required=False)

    class Meta:
        model = Customer
        fields = [
            "id", "external_id", "name", "kind", "industry", "level", "source", "lifecycle_stage", "owner", "team",
            "phone", "email", "website", "address", "id_number", "notes", "tags", "groups", "consent",
            "consent_at", "consent_method", "quality_score", "churn_score", "rfm_segment", "last_contacted_at",
            "created_by", "updated_by", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "team", "consent_at", "quality_score", "churn_score", "rfm_segment", "last_contacted_at", "created_by",
            "updated_by", "created_at", "updated_at",
        ]  # fmt: skip
        extra_kwargs = {"owner": {"required": False}}
        masked_fields = {"id_number": SENSITIVE}


class ContactSerializer(ResourceSerializer):
    class Meta:
        model = Contact
        fields = [
            "id", "external_id", "customer", "name", "title", "mobile", "phone", "email", "birthday", "is_primary",
            "notes", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]
        masked_fields = {"mobile": SENSITIVE}


class CommunicationSerializer(ResourceSerializer):
    class Meta:
        model = Communication
        fields = [
            "id", "customer", "contact", "occurred_at", "channel", "subject", "content", "result", "next_step",
            "next_follow_up", "owner", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["owner", "created_at", "updated_at"]


class FollowUpTaskSerializer(ResourceSerializer):
    class Meta:
        model = FollowUpTask
        fields = [
            "id", "customer", "contact", "communication", "title", "notes", "due_at", "assignee", "status",
            "completed_at", "created_by", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["communication", "status", "completed_at", "created_by", "created_at", "updated_at"]


class TagSerializer(ResourceSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "colour"]


class CustomerGroupSerializer(ResourceSerializer):
    class Meta:
        model = CustomerGroup
        fields = ["id", "name", "kind", "description", "filter_query"]
