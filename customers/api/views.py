"""Customers, contacts, communications, follow-up tasks, tags and groups over the API: the same forms,
selectors and services as the pages (customers/views/)."""

from django import forms
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import action

from crm.api.bulk import RecordChecker
from crm.api.exceptions import validation_error_detail
from crm.api.viewsets import WRITE_RESPONSES, ResourceViewSet, resource

from .. import selectors, services
from ..filters import CommunicationFilter, CustomerFilter
from ..forms import CommunicationForm, ContactForm, CustomerForm, FollowUpTaskForm, TaskRescheduleForm
from ..models import Communication, Contact, Customer, FollowUpTask
from ..services import bulk as bulk_services
from ..services import communications as communication_services
from ..services import follow_ups as task_services
from .serializers import (
    CommunicationSerializer,
    ContactSerializer,
    CustomerGroupSerializer,
    CustomerSerializer,
    FollowUpTaskSerializer,
    TagSerializer,
)


def external_id_field():
    return forms.CharField(max_length=100, required=False, empty_value=None)


def _not_found():
    return {"non_field_errors": [_("Not found.")]}


def _visible_customer(user, data):
    """The customer named in the input, if the user may see it (else a field error, never its data)."""
    try:
        return selectors.customer_get(user=user, pk=int(data.get("customer")))
    except (TypeError, ValueError, Http404) as error:
        raise exceptions.ValidationError({"customer": [_("Choose a customer you can see.")]}) from error


class CustomerViewSet(ResourceViewSet):
    serializer_class = CustomerSerializer
    form_class = CustomerForm
    filterset_class = CustomerFilter
    orderings = ("id", "created_at", "updated_at", "name")
    default_ordering = "-created_at"
    has_external_id = True

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user)

    def list_source(self, params):
        return selectors.customer_api_list(user=self.request.user, data=params)

    def get_object(self):
        return selectors.customer_detail(user=self.request.user, pk=self.kwargs["pk"])

    def get_api_form_fields(self, instance=None):
        return {"external_id": external_id_field()}

    def form_kwargs(self, data, instance=None):
        return {"user": self.request.user}

    def prepare_input(self, data, instance=None):
        if instance is None:
            data.setdefault("owner", str(self.request.user.pk))
        return data

    def _split(self, cleaned):
        data = dict(cleaned)
        return data, data.pop("owner"), data.pop("tags"), data.pop("groups")

    def create_from(self, cleaned):
        data, owner, tags, groups = self._split(cleaned)
        return services.customer_create(actor=self.request.user, data=data, owner=owner, tags=tags, groups=groups)

    def update_from(self, obj, cleaned, version):
        data, owner, tags, groups = self._split(cleaned)
        return services.customer_update(
            actor=self.request.user, customer=obj, data=data, owner=owner, tags=tags, groups=groups
        )

    def destroy_object(self, obj):
        services.customer_delete(actor=self.request.user, customer=obj)

    def bulk_write(self, records, *, atomic: bool) -> list[dict]:
        """Set-based: each record checked by the customer form (one form for the call) and the records it
        names looked up in two queries, within the caller's scope; then every valid record written together
        (customers/services/bulk.py). Outside the scope: 404 for that record, as for one record."""
        user = self.request.user
        results: list[dict | None] = [None] * len(records)
        ids, external_ids = set(), set()
        for record in records:
            if isinstance(record, dict) and record.get("id") is not None:
                ids.add(str(record["id"]))
            elif isinstance(record, dict) and record.get("external_id"):
                external_ids.add(str(record["external_id"]))
        ids = {int(pk) for pk in ids if pk.isdigit()}
        with transaction.atomic():
            visible, held = selectors.customers_by_keys(user=user, ids=ids, external_ids=external_ids, lock=True)
            checker = RecordChecker(
                CustomerForm, extra_fields={"external_id": external_id_field()}, prepare=self.prepare_input, user=user
            )
            writes, indexes = [], []
            for index, record in enumerate(records):
                try:
                    instance = self._bulk_target(record, visible, held)
                    cleaned = checker.check(record, instance)
                except Http404:
                    results[index] = {"index": index, "status": 404, "id": None, "errors": _not_found()}
                    continue
                except exceptions.ValidationError as error:
                    results[index] = {"index": index, "status": 400, "id": None, "errors": error.detail}
                    continue
                data, owner, tags, groups = self._split(cleaned)
                write = bulk_services.CustomerWrite(data=data, customer=instance, owner=owner, tags=tags, groups=groups)
                writes.append(write)
                indexes.append(index)
            failed = any(result is not None for result in results)
            check = bulk_services.customers_check_many if atomic and failed else bulk_services.customers_write_many
            check(actor=user, writes=writes, all_or_nothing=atomic)
        for index, write in zip(indexes, writes, strict=True):
            if write.error is not None:
                errors = validation_error_detail(write.error)
                results[index] = {"index": index, "status": 400, "id": None, "errors": errors}
            else:
                created = write.customer is None
                pk = write.result.pk if write.result is not None else getattr(write.customer, "pk", None)
                results[index] = {"index": index, "status": 201 if created else 200, "id": pk}
        return results

    @staticmethod
    def _bulk_target(record, visible, held):
        """The visible customer a bulk record changes (by id, else by external id), None for a new one;
        Http404 when it names one outside the scope (or none at all, by id)."""
        if not isinstance(record, dict):
            return None  # the checker refuses it
        if record.get("id") is not None:
            pk = str(record["id"])
            if not pk.isdigit() or int(pk) not in visible:
                raise Http404
            return visible[int(pk)]
        external_id = record.get("external_id")
        if external_id and str(external_id) in held:
            pk = held[str(external_id)]
            if pk not in visible:
                raise Http404
            return visible[pk]
        return None


class ContactViewSet(ResourceViewSet):
    serializer_class = ContactSerializer
    form_class = ContactForm
    orderings = ("id", "created_at", "updated_at", "name")
    default_ordering = "id"
    has_external_id = True

    def get_queryset(self):
        return Contact.objects.visible_to(self.request.user)

    def list_source(self, params):
        queryset = selectors.contact_list(user=self.request.user, text=params.get("q", ""))
        if params.get("customer"):
            try:
                queryset = queryset.filter(customer_id=int(params["customer"]))
            except ValueError as error:
                raise exceptions.ValidationError({"customer": [_("Enter a whole number.")]}) from error
        return queryset

    def get_object(self):
        return selectors.contact_by_id(user=self.request.user, pk=self.kwargs["pk"])

    def get_api_form_fields(self, instance=None):
        return {"external_id": external_id_field()}

    def create_from(self, cleaned):
        customer = _visible_customer(self.request.user, self.current_input)
        return services.contact_create(actor=self.request.user, customer=customer, data=cleaned)

    def update_from(self, obj, cleaned, version):
        return services.contact_update(actor=self.request.user, contact=obj, data=cleaned)

    def destroy_object(self, obj):
        services.contact_delete(actor=self.request.user, contact=obj)


class CommunicationViewSet(ResourceViewSet):
    serializer_class = CommunicationSerializer
    form_class = CommunicationForm
    filterset_class = CommunicationFilter
    orderings = ("id", "created_at", "updated_at", "occurred_at")
    default_ordering = "-occurred_at"

    def get_queryset(self):
        return Communication.objects.visible_to(self.request.user)

    def list_source(self, params):
        return selectors.communication_list(user=self.request.user, data=params)

    def get_object(self):
        return selectors.communication_get(user=self.request.user, pk=self.kwargs["pk"])

    def form_kwargs(self, data, instance=None):
        customer = instance.customer if instance is not None else _visible_customer(self.request.user, data)
        return {"customer": customer}

    def create_from(self, cleaned):
        customer = _visible_customer(self.request.user, self.current_input)
        return communication_services.communication_create(actor=self.request.user, customer=customer, data=cleaned)

    def update_from(self, obj, cleaned, version):
        return communication_services.communication_update(actor=self.request.user, communication=obj, data=cleaned)

    def destroy_object(self, obj):
        communication_services.communication_delete(actor=self.request.user, communication=obj)


reschedule_request = inline_serializer("TaskReschedule", {"due_at": serializers.DateTimeField()})


class FollowUpTaskViewSet(ResourceViewSet):
    """Follow-up tasks: created for a customer, then completed or moved (as on the pages)."""

    serializer_class = FollowUpTaskSerializer
    form_class = FollowUpTaskForm
    orderings = ("id", "created_at", "updated_at", "due_at")
    default_ordering = "due_at"
    operations = ("list", "retrieve", "create")
    action_permissions = {
        "complete": "customers.change_followuptask",
        "reschedule": "customers.change_followuptask",
    }

    def get_queryset(self):
        return FollowUpTask.objects.visible_to(self.request.user)

    def list_source(self, params):
        queryset = self.get_queryset().select_related("customer", "assignee")
        for name in ("status", "customer", "assignee"):
            value = params.get(name)
            if value:
                queryset = queryset.filter(**{name: value})
        return queryset

    def get_object(self):
        return selectors.task_get(user=self.request.user, pk=self.kwargs["pk"])

    def form_kwargs(self, data, instance=None):
        return {"user": self.request.user}

    def create_from(self, cleaned):
        customer = _visible_customer(self.request.user, self.current_input)
        return task_services.task_create(actor=self.request.user, customer=customer, data=cleaned)

    @extend_schema(tags=["follow-up tasks"], request=None, responses={200: FollowUpTaskSerializer, **WRITE_RESPONSES})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        task = self.get_object()
        return self.serialize(self.write(task_services.task_complete, actor=request.user, task=task))

    @extend_schema(
        tags=["follow-up tasks"], request=reschedule_request, responses={200: FollowUpTaskSerializer, **WRITE_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        task = self.get_object()
        form = TaskRescheduleForm(data=request.data if isinstance(request.data, dict) else {})
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors)
        due_at = form.cleaned_data["due_at"]
        return self.serialize(self.write(task_services.task_reschedule, actor=request.user, task=task, due_at=due_at))


class TagViewSet(ResourceViewSet):
    """Read only; anyone who may see customers may see the tags and groups they carry."""

    serializer_class = TagSerializer
    permission_model = Customer
    orderings = ("id", "name")
    default_ordering = "name"
    operations = ("list", "retrieve")

    def get_queryset(self):
        return selectors.tag_choices()

    def list_source(self, params):
        return self.get_queryset()


class CustomerGroupViewSet(ResourceViewSet):
    serializer_class = CustomerGroupSerializer
    permission_model = Customer
    orderings = ("id", "name")
    default_ordering = "name"
    operations = ("list", "retrieve")

    def get_queryset(self):
        return selectors.group_choices()

    def list_source(self, params):
        return self.get_queryset()


CustomerViewSet = resource(CustomerViewSet, tag="customers")
ContactViewSet = resource(ContactViewSet, tag="contacts")
CommunicationViewSet = resource(CommunicationViewSet, tag="communications")
FollowUpTaskViewSet = resource(FollowUpTaskViewSet, tag="follow-up tasks")
TagViewSet = resource(TagViewSet, tag="tags")
CustomerGroupViewSet = resource(CustomerGroupViewSet, tag="groups")
