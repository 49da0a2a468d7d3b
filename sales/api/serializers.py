"""Products, leads, opportunities, pipelines, orders with their lines and contracts as the API shows them."""

from rest_framework import serializers

from crm.api.serializers import ResourceSerializer

from ..models import Contract, Lead, Opportunity, Order, OrderLine, Pipeline, Product, Stage


class ProductSerializer(ResourceSerializer):
    class Meta:
        model = Product
        fields = [
            "id", "external_id", "sku", "name", "category", "unit", "price", "currency", "stock_on_hand", "is_active",
            "description", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]


class LeadSerializer(ResourceSerializer):
    class Meta:
        model = Lead
        fields = [
            "id", "external_id", "name", "company", "title", "phone", "email", "source", "campaign", "notes", "status",
            "owner", "team", "customer", "opportunity", "converted_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "status", "owner", "team", "customer", "opportunity", "converted_at", "created_at", "updated_at",
        ]  # fmt: skip


class StageSerializer(ResourceSerializer):
    class Meta:
        model = Stage
        fields = ["id", "pipeline", "name", "order", "probability", "is_won", "is_lost"]


class PipelineSerializer(ResourceSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Pipeline
        fields = ["id", "name", "is_default", "is_active", "stages"]


class OpportunitySerializer(ResourceSerializer):
    class Meta:
        model = Opportunity
        fields = [
            "id", "name", "customer", "contact", "pipeline", "stage", "status", "amount", "currency",
            "expected_close_date", "owner", "team", "next_step", "next_step_date", "campaign", "description",
            "close_reason", "closed_at", "version", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["status", "team", "close_reason", "closed_at", "version", "created_at", "updated_at"]


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = ["product", "description", "quantity", "unit_price", "discount_percent", "line_total"]
        read_only_fields = ["line_total"]
        extra_kwargs = {"unit_price": {"required": False}, "discount_percent": {"required": False}}


class OrderSerializer(ResourceSerializer):
    lines = OrderLineSerializer(many=True)

    class Meta:
        model = Order
        fields = [
            "id", "external_id", "number", "customer", "opportunity", "status", "ordered_on", "currency", "subtotal",
            "discount_total", "total", "notes", "lines", "owner", "team", "confirmed_at", "version", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "number", "status", "subtotal", "discount_total", "total", "owner", "team", "confirmed_at", "version",
            "created_at", "updated_at",
        ]  # fmt: skip


class ContractSerializer(ResourceSerializer):
    class Meta:
        model = Contract
        fields = [
            "id", "number", "title", "customer", "opportunity", "order", "start_date", "end_date", "amount",
            "currency", "status", "notes", "owner", "team", "version", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["number", "owner", "team", "version", "created_at", "updated_at"]
