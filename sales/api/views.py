"""Products, leads (+ convert), opportunities (+ move, win, lose), pipelines, orders (+ confirm) and
contracts over the API: the same forms, selectors and services as the pages (sales/views/)."""

from django import forms
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import action

from crm.api.viewsets import WRITE_RESPONSES, ResourceViewSet, resource

from .. import selectors
from ..filters import ContractFilter, LeadFilter, OpportunityFilter, OrderFilter, ProductFilter
from ..forms import (
    ContractForm,
    LeadConvertForm,
    LeadForm,
    OpportunityForm,
    OrderForm,
    OrderLineForm,
    ProductForm,
)
from ..models import Contract, Lead, Opportunity, Order, Pipeline, Product, Stage
from ..services import contracts, leads, opportunities, orders, products
from .serializers import (
    ContractSerializer,
    LeadSerializer,
    OpportunitySerializer,
    OrderSerializer,
    PipelineSerializer,
    ProductSerializer,
)


def external_id_field():
    return forms.CharField(max_length=100, required=False, empty_value=None)


class ProductViewSet(ResourceViewSet):
    """The catalogue: company-wide, read by everyone with the permission, written by those allowed."""

    serializer_class = ProductSerializer
    form_class = ProductForm
    filterset_class = ProductFilter
    orderings = ("id", "created_at", "updated_at", "name", "sku")
    default_ordering = "name"
    has_external_id = True
    operations = ("list", "retrieve", "create", "update", "bulk")

    def get_queryset(self):
        return Product.objects.all()

    def list_source(self, params):
        return selectors.product_list(data=params)

    def get_object(self):
        return selectors.product_get(pk=self.kwargs["pk"])

    def get_api_form_fields(self, instance=None):
        return {"external_id": external_id_field()}

    def create_from(self, cleaned):
        return products.product_create(actor=self.request.user, data=cleaned)

    def update_from(self, obj, cleaned, version):
        return products.product_update(actor=self.request.user, product=obj, data=cleaned)


convert_request = inline_serializer(
    "LeadConvert",
    {
        "name": serializers.CharField(help_text="The opportunity's name."),
        "amount": serializers.DecimalField(max_digits=14, decimal_places=2, required=False),
        "currency": serializers.CharField(required=False),
        "expected_close_date": serializers.DateField(required=False),
        "pipeline": serializers.IntegerField(),
        "customer": serializers.IntegerField(required=False, help_text="Attach to this existing customer."),
        "create_anyway": serializers.BooleanField(required=False),
    },
)


class LeadViewSet(ResourceViewSet):
    serializer_class = LeadSerializer
    form_class = LeadForm
    filterset_class = LeadFilter
    orderings = ("id", "created_at", "updated_at", "name")
    default_ordering = "-created_at"
    has_external_id = True
    operations = ("list", "retrieve", "create", "update", "bulk")
    action_permissions = {"convert": ("sales.change_lead", "sales.add_opportunity", "customers.add_customer")}

    def get_queryset(self):
        return Lead.objects.visible_to(self.request.user)

    def list_source(self, params):
        return selectors.lead_list(user=self.request.user, data=params)

    def get_object(self):
        return selectors.lead_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_api_form_fields(self, instance=None):
        return {"external_id": external_id_field()}

    def form_kwargs(self, data, instance=None):
        return {"user": self.request.user}

    def create_from(self, cleaned):
        return leads.lead_create(actor=self.request.user, data=cleaned)

    def update_from(self, obj, cleaned, version):
        return leads.lead_update(actor=self.request.user, lead=obj, data=cleaned)

    @extend_schema(tags=["leads"], request=convert_request, responses={200: LeadSerializer, **WRITE_RESPONSES})
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        """Customer, primary contact and opportunity from the lead, all or none (a likely duplicate
        customer stops it unless ``create_anyway``)."""
        lead = self.get_object()
        data = self.action_input(LeadConvertForm, user=request.user)
        opportunity = {k: data.get(k) for k in ("name", "amount", "currency", "expected_close_date", "pipeline")}
        return self.act(
            lead,
            lambda _version: leads.lead_convert(
                actor=request.user,
                lead=lead,
                opportunity=opportunity,
                customer=data.get("customer"),
                create_anyway=data.get("create_anyway", False),
            ),
        )


move_request = inline_serializer(
    "OpportunityMove", {"stage": serializers.IntegerField(), "reason": serializers.CharField(required=False)}
)
close_request = inline_serializer("OpportunityClose", {"reason": serializers.CharField(required=False)})


class StageMoveForm(forms.Form):
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, pipeline, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.filter(pipeline=pipeline)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class OpportunityViewSet(ResourceViewSet):
    serializer_class = OpportunitySerializer
    form_class = OpportunityForm
    filterset_class = OpportunityFilter
    orderings = ("id", "created_at", "updated_at", "name", "expected_close_date")
    default_ordering = "-created_at"
    operations = ("list", "retrieve", "create", "update", "bulk")
    action_permissions = {name: "sales.change_opportunity" for name in ("move", "win", "lose")}

    def get_queryset(self):
        return Opportunity.objects.visible_to(self.request.user)

    def list_source(self, params):
        return selectors.opportunity_list(user=self.request.user, data=params)

    def get_object(self):
        return selectors.opportunity_get(user=self.request.user, pk=self.kwargs["pk"])

    def form_kwargs(self, data, instance=None):
        return {"user": self.request.user}

    def create_from(self, cleaned):
        data = dict(cleaned)
        owner, pipeline = data.pop("owner"), data.pop("pipeline")
        data.pop("version", None)
        return opportunities.opportunity_create(actor=self.request.user, data=data, owner=owner, pipeline=pipeline)

    def update_from(self, obj, cleaned, version):
        data = dict(cleaned)
        owner, stage = data.pop("owner"), data.pop("stage", None)
        data.pop("version", None)
        data.pop("pipeline", None)
        return opportunities.opportunity_update(
            actor=self.request.user, opportunity=obj, data=data, version=version, owner=owner, stage=stage
        )

    @extend_schema(
        tags=["opportunities"], request=move_request, responses={200: OpportunitySerializer, **WRITE_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Into another stage of its pipeline (a lost stage needs the reason)."""
        opportunity = self.get_object()
        data = self.action_input(StageMoveForm, pipeline=opportunity.pipeline_id)
        return self.act(
            opportunity,
            lambda version: opportunities.opportunity_move(
                actor=request.user, opportunity=opportunity, stage=data["stage"], version=version, reason=data["reason"]
            ),
        )

    @extend_schema(
        tags=["opportunities"], request=close_request, responses={200: OpportunitySerializer, **WRITE_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def win(self, request, pk=None):
        return self._close(won=True)

    @extend_schema(
        tags=["opportunities"], request=close_request, responses={200: OpportunitySerializer, **WRITE_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def lose(self, request, pk=None):
        """Lost, with the reason (required)."""
        return self._close(won=False)

    def _close(self, *, won):
        opportunity = self.get_object()
        reason = self.action_input(ReasonForm)["reason"]
        return self.act(
            opportunity,
            lambda version: opportunities.opportunity_close(
                actor=self.request.user, opportunity=opportunity, won=won, reason=reason, version=version
            ),
        )


class PipelineViewSet(ResourceViewSet):
    """Pipelines with their stages (read only; administrators edit them)."""

    serializer_class = PipelineSerializer
    permission_model = Opportunity
    orderings = ("id", "name")
    default_ordering = "id"
    operations = ("list", "retrieve")

    def get_queryset(self):
        return Pipeline.objects.prefetch_related("stages")

    def list_source(self, params):
        return self.get_queryset()


class OrderViewSet(ResourceViewSet):
    """Orders with their lines; a draft is changed whole (lines replaced when given), then confirmed."""

    serializer_class = OrderSerializer
    form_class = OrderForm
    filterset_class = OrderFilter
    orderings = ("id", "created_at", "updated_at", "ordered_on")
    default_ordering = "-created_at"
    has_external_id = True
    operations = ("list", "retrieve", "create", "update", "bulk")
    action_permissions = {"confirm": "sales.change_order"}

    def get_queryset(self):
        return Order.objects.visible_to(self.request.user)

    def list_source(self, params):
        filterset = selectors.order_list(user=self.request.user, data=params)
        filterset.queryset = filterset.queryset.prefetch_related("lines")
        return filterset

    def get_object(self):
        return selectors.order_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_api_form_fields(self, instance=None):
        return {"external_id": external_id_field()}

    def form_kwargs(self, data, instance=None):
        return {"user": self.request.user}

    def validate_input(self, data, instance=None):
        if not isinstance(data, dict):
            return super().validate_input(data, instance)
        data = dict(data)
        raw_lines = data.pop("lines", None)
        lines = None
        if raw_lines is not None or instance is None:
            lines = self._lines(raw_lines)
        cleaned = super().validate_input(data, instance)
        cleaned["lines"] = lines
        return cleaned

    def _lines(self, raw):
        if not isinstance(raw, list) or not raw or not all(isinstance(line, dict) for line in raw):
            raise exceptions.ValidationError({"lines": [_("An order needs at least one line.")]})
        lines, errors = [], {}
        for number, line in enumerate(raw):
            form = OrderLineForm(
                data={k: "" if v is None else str(v) for k, v in line.items() if not isinstance(v, dict | list)}
            )
            if form.is_valid():
                lines.append(form.cleaned_data)
            else:
                errors[str(number)] = {k: [str(m) for m in v] for k, v in form.errors.items()}
        if errors:
            raise exceptions.ValidationError({"lines": errors})
        return lines

    def create_from(self, cleaned):
        data = dict(cleaned)
        lines = data.pop("lines")
        data.pop("version", None)
        return orders.order_create(actor=self.request.user, data=data, lines=lines)

    def update_from(self, obj, cleaned, version):
        data = dict(cleaned)
        lines = data.pop("lines")
        data.pop("version", None)
        return orders.order_update(actor=self.request.user, order=obj, data=data, lines=lines, version=version)

    @extend_schema(tags=["orders"], request=None, responses={200: OrderSerializer, **WRITE_RESPONSES})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm a draft: its products leave stock, all lines or none."""
        order = self.get_object()
        return self.act(order, lambda version: orders.order_confirm(actor=request.user, order=order, version=version))


class ContractViewSet(ResourceViewSet):
    serializer_class = ContractSerializer
    form_class = ContractForm
    filterset_class = ContractFilter
    orderings = ("id", "created_at", "updated_at", "end_date")
    default_ordering = "-created_at"
    operations = ("list", "retrieve", "create", "update", "bulk")

    def get_queryset(self):
        return Contract.objects.visible_to(self.request.user)

    def list_source(self, params):
        return selectors.contract_list(user=self.request.user, data=params)

    def get_object(self):
        return selectors.contract_get(user=self.request.user, pk=self.kwargs["pk"])

    def form_kwargs(self, data, instance=None):
        return {"user": self.request.user}

    def create_from(self, cleaned):
        data = dict(cleaned)
        data.pop("version", None)
        data.pop("status", None)
        return contracts.contract_create(actor=self.request.user, data=data)

    def update_from(self, obj, cleaned, version):
        data = dict(cleaned)
        data.pop("version", None)
        status = data.pop("status", None)
        return contracts.contract_update(
            actor=self.request.user, contract=obj, data=data, version=version, status=status
        )


ProductViewSet = resource(ProductViewSet, tag="products")
LeadViewSet = resource(LeadViewSet, tag="leads")
OpportunityViewSet = resource(OpportunityViewSet, tag="opportunities")
PipelineViewSet = resource(PipelineViewSet, tag="pipelines")
OrderViewSet = resource(OrderViewSet, tag="orders")
ContractViewSet = resource(ContractViewSet, tag="contracts")
