"""The one way a resource is served: reads through the app's selectors (record scope included), input
checked by the app's own form, writes through the app's services — the same code as the pages.

A resource subclasses :class:`ResourceViewSet` and fills in the hooks:

- ``list_source(params)``: the selector's filter set (or queryset) of visible rows for the list;
- ``get_object()``: one visible row or 404 (through the selector);
- ``form_class`` / ``form_kwargs()``: the form the page uses, which validates the input;
- ``create_from(cleaned)``, ``update_from(obj, cleaned, version)``, ``destroy_object(obj)``: the services.

It gets: keyset pagination with ``ordering``, ``updated_since``, sparse ``fields``, ETag / ``If-Match``
(412 when stale), ``Idempotency-Key`` on POST, upsert by ``external_id`` and a bulk endpoint.
"""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django_filters import FilterSet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .bulk import form_errors, form_value, initial_value
from .exceptions import PreconditionFailed, validation_error_detail
from .idempotency import Replay, idempotency_begin, idempotency_finish, request_fingerprint

RESERVED_PARAMS = {"cursor", "page_size", "ordering", "fields", "updated_since", "upsert", "atomic", "format", "sort"}


class ApiFilterBackend:
    """Documents the list's filters (the app's FilterSet) in the schema; the filtering itself is the
    selector's, in :meth:`ResourceViewSet.list`."""

    def filter_queryset(self, request, queryset, view):
        return queryset

    def get_schema_operation_parameters(self, view):
        params = []
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None:
            for name, field in filterset_class.base_filters.items():
                if name in RESERVED_PARAMS:
                    continue
                schema = {"type": "string"}
                choices = getattr(field, "extra", {}).get("choices")
                if isinstance(choices, list | tuple) and choices:
                    schema["enum"] = [str(value) for value, _label in choices]
                elif field.__class__.__name__.startswith("ModelChoice"):
                    schema = {"type": "integer"}
                elif field.__class__.__name__ == "DateFilter":
                    schema = {"type": "string", "format": "date"}
                params.append(
                    {"name": name, "in": "query", "required": False, "schema": schema, "description": str(field.label)}
                )
        orderings = [o for base in view.orderings for o in (base, f"-{base}")]
        params += [
            {
                "name": "ordering",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": orderings},
                "description": f"Sort order; the default is `{view.default_ordering}`.",
            },
            {
                "name": "updated_since",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "format": "date-time"},
                "description": "Only rows changed at or after this time (incremental sync).",
            },
            {
                "name": "fields",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "Comma-separated fields to return (`id` always comes).",
            },
        ]
        if not hasattr(view.get_queryset().model, "updated_at"):
            params = [p for p in params if p["name"] != "updated_since"]
        return params


def etag_of(obj) -> str:
    """The version column where the model has one, else the last-change time to the microsecond."""
    version = getattr(obj, "version", None)
    if version is not None:
        return f'"v{version}"'
    stamp = getattr(obj, "updated_at", None)
    return f'"t{int(stamp.timestamp() * 1_000_000)}"' if stamp else f'"id{obj.pk}"'


bulk_request = inline_serializer(
    "BulkRequest",
    {
        "records": serializers.ListField(child=serializers.DictField(), max_length=1000),
        "atomic": serializers.BooleanField(required=False, default=True),
    },
)
bulk_response = inline_serializer(
    "BulkResponse",
    {
        "atomic": serializers.BooleanField(),
        "applied": serializers.BooleanField(),
        "results": serializers.ListField(
            child=inline_serializer(
                "BulkResult",
                {
                    "index": serializers.IntegerField(),
                    "status": serializers.IntegerField(),
                    "id": serializers.IntegerField(allow_null=True),
                    "errors": serializers.DictField(required=False),
                },
            )
        ),
    },
)
ERROR_RESPONSES = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid input: `{field: [messages]}`."),
    401: OpenApiResponse(OpenApiTypes.OBJECT, description="No or bad credentials."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="The role or token may not do this."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such record in your scope."),
    429: OpenApiResponse(OpenApiTypes.OBJECT, description="Too many requests; see Retry-After."),
}
WRITE_RESPONSES = {
    **ERROR_RESPONSES,
    409: OpenApiResponse(OpenApiTypes.OBJECT, description="The same Idempotency-Key is in progress."),
    412: OpenApiResponse(OpenApiTypes.OBJECT, description="If-Match does not match the current ETag."),
    422: OpenApiResponse(OpenApiTypes.OBJECT, description="Idempotency-Key reused for another request."),
}
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Send the same key to repeat a POST safely: the first answer is returned again for 24 hours.",
)
IF_MATCH_HEADER = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, description="The ETag you read; a stale one answers 412."
)


class ResourceViewSet(viewsets.GenericViewSet):
    serializer_class = None
    form_class = None
    # Fields the API takes besides the page's form (name → form field), such as external_id.
    api_form_fields: dict = {}
    filterset_class: type[FilterSet] | None = None
    filter_backends = [ApiFilterBackend]
    orderings = ("id", "created_at", "updated_at")
    default_ordering = "-id"
    lookup_value_regex = r"[0-9]+"
    # Models with an ``external_id`` get upsert by it (PUT by-external-id/<id>/, POST ?upsert=external_id).
    has_external_id = False
    # Which of list/retrieve/create/update/destroy/bulk the resource offers (what its pages allow).
    operations = ("list", "retrieve", "create", "update", "destroy", "bulk")

    # ---- hooks a resource fills in

    def list_source(self, params):
        raise NotImplementedError

    def get_queryset(self):
        raise NotImplementedError

    def get_object(self):
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except (self.get_queryset().model.DoesNotExist, ValueError) as error:
            raise Http404 from error

    def form_kwargs(self, data: dict, instance=None) -> dict:
        """Keyword arguments of the form (the user, the parent record named in ``data``)."""
        return {}

    def get_api_form_fields(self, instance=None) -> dict:
        return dict(self.api_form_fields)

    def prepare_input(self, data: dict, instance=None) -> dict:
        """Defaults for a new record (for example the owner: the caller)."""
        return data

    def create_from(self, cleaned: dict):
        raise exceptions.MethodNotAllowed(self.request.method)

    def update_from(self, obj, cleaned: dict, version):
        raise exceptions.MethodNotAllowed(self.request.method)

    def destroy_object(self, obj):
        raise exceptions.MethodNotAllowed(self.request.method)

    def locked(self, obj):
        """The row, locked for the rest of the transaction, to check ``If-Match`` against."""
        return type(obj).objects.select_for_update().get(pk=obj.pk)

    # ---- request life: idempotency

    def initial(self, request, *args, **kwargs):
        self._idempotency = None
        super().initial(request, *args, **kwargs)
        key = request.headers.get("Idempotency-Key")
        if request.method == "POST" and key:
            self._idempotency = idempotency_begin(user=request.user, key=key, fingerprint=request_fingerprint(request))

    def handle_exception(self, exc):
        if isinstance(exc, Replay):
            response = Response(exc.record.body, status=exc.record.status_code, headers=exc.record.headers)
            response["Idempotent-Replayed"] = "true"
            return response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        record = getattr(self, "_idempotency", None)
        if record is not None:
            self._idempotency = None
            idempotency_finish(record=record, response=response)
        return super().finalize_response(request, response, *args, **kwargs)

    # ---- helpers

    def get_keyset_ordering(self, request) -> str:
        ordering = request.query_params.get("ordering") or self.default_ordering
        if ordering.lstrip("-") not in self.orderings:
            raise exceptions.ValidationError(
                {"ordering": [_("Sort by one of: %(fields)s.") % {"fields": ", ".join(self.orderings)}]}
            )
        return ordering

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "user": self.request.user}

    def serialize(self, obj, status_code=status.HTTP_200_OK):
        response = Response(self.get_serializer(obj).data, status=status_code)
        response["ETag"] = etag_of(obj)
        return response

    def check_if_match(self, current):
        header = self.request.headers.get("If-Match")
        if not header or header.strip() == "*":
            return
        wanted = {tag.strip().removeprefix("W/") for tag in header.split(",")}
        if etag_of(current) not in wanted:
            raise PreconditionFailed()

    def validate_input(self, data, instance=None) -> dict:
        """The page's form on the JSON (merged over the record's current values for an update)."""
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        # The record being written, for services that need its parent (bulk writes several in turn).
        self.current_input = data
        form_class = self.form_class
        extra_fields = self.get_api_form_fields(instance)
        if extra_fields:
            form_class = type(f"Api{form_class.__name__}", (form_class,), extra_fields)
        kwargs = self.form_kwargs(data, instance)
        # What the page's form would show before the user types: the record's values, or the defaults.
        merged = {}
        probe = form_class(instance=instance, **kwargs)
        for name, field in probe.fields.items():
            value = probe.initial.get(name, field.initial)
            if callable(value):
                value = value()
            if value is None and name in extra_fields and instance is not None:
                value = getattr(instance, name, None)
            if value is not None:
                merged[name] = initial_value(value)
        errors = {}
        for name, value in data.items():
            try:
                merged[name] = form_value(value)
            except TypeError:
                errors[name] = [_("Enter a single value or a list of values.")]
        if errors:
            raise exceptions.ValidationError(errors)
        merged = self.prepare_input(merged, instance)
        # Booleans the JSON left out stay as they are (a form reads a missing checkbox as "off").
        form = form_class(data=merged, instance=instance, **kwargs)
        if not form.is_valid():
            raise exceptions.ValidationError(form_errors(form))
        # The form itself, for services that take what it worked out (an event's audience).
        self.current_form = form
        return dict(form.cleaned_data)

    def write(self, fn, *args, **kwargs):
        try:
            with transaction.atomic():
                return fn(*args, **kwargs)
        except DjangoValidationError as error:
            raise exceptions.ValidationError(validation_error_detail(error)) from error

    def _create(self, data):
        cleaned = self.validate_input(data)
        return self.write(self.create_from, cleaned)

    def _update(self, obj, data):
        def run():
            current = self.locked(obj)
            self.check_if_match(current)
            cleaned = self.validate_input(data, instance=obj)
            return self.update_from(obj, cleaned, getattr(current, "version", None))

        return self.write(run)

    def act(self, obj, fn):
        """An extra action (confirm, win…) on ``obj``: locked, ``If-Match`` checked, ``fn(version)`` run in one
        transaction; the response is the record afterwards."""

        def run():
            current = self.locked(obj)
            self.check_if_match(current)
            return fn(getattr(current, "version", None))

        return self.serialize(self.write(run))

    def action_input(self, form_class, **kwargs) -> dict:
        """An extra action's body, checked by the page's form for that action."""
        data = self.request.data if isinstance(self.request.data, dict) else {}
        probe = form_class(**kwargs)
        merged = {}
        for name, field in probe.fields.items():
            value = probe.initial.get(name, field.initial)
            if value is not None:
                merged[name] = initial_value(value() if callable(value) else value)
        try:
            form = form_class(data={**merged, **{k: form_value(v) for k, v in data.items()}}, **kwargs)
        except TypeError as error:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Enter a single value or a list of values.")]}
            ) from error
        if not form.is_valid():
            raise exceptions.ValidationError(form_errors(form))
        return form.cleaned_data

    # ---- the operations

    def op_list(self, request, *args, **kwargs):
        params = request.query_params.copy()
        for name in RESERVED_PARAMS:
            params.pop(name, None)
        source = self.list_source(params)
        if isinstance(source, FilterSet):
            if source.is_bound and not source.is_valid():
                raise exceptions.ValidationError(source.errors)
            queryset = source.qs
        else:
            queryset = source
        since = request.query_params.get("updated_since")
        if since and not hasattr(queryset.model, "updated_at"):
            raise exceptions.ValidationError({"updated_since": [_("These records have no time of last change.")]})
        if since:
            moment = parse_datetime(since) or (parse_date(since) and parse_datetime(f"{since}T00:00:00"))
            if moment is None:
                raise exceptions.ValidationError({"updated_since": [_("Enter a date and time (ISO 8601).")]})
            queryset = queryset.filter(updated_at__gte=moment)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def op_retrieve(self, request, *args, **kwargs):
        return self.serialize(self.get_object())

    def op_create(self, request, *args, **kwargs):
        if request.query_params.get("upsert") == "external_id" and self.has_external_id:
            external_id = request.data.get("external_id") if isinstance(request.data, dict) else None
            if not external_id:
                raise exceptions.ValidationError({"external_id": [_("Upsert needs an external_id.")]})
            return self._upsert(str(external_id), request.data)
        return self.serialize(self._create(request.data), status.HTTP_201_CREATED)

    def op_update(self, request, *args, **kwargs):
        return self.serialize(self._update(self.get_object(), request.data))

    def op_partial_update(self, request, *args, **kwargs):
        return self.op_update(request, *args, **kwargs)

    def op_destroy(self, request, *args, **kwargs):
        obj = self.get_object()

        def run():
            self.check_if_match(self.locked(obj))
            self.destroy_object(obj)

        self.write(run)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # ---- upsert and bulk

    def find_by_external_id(self, external_id):
        """The record with this external_id: visible → it; someone else's → 404 (nothing about it is told)."""
        model = self.get_queryset().model
        existing = model.objects.filter(external_id=external_id).only("pk").first()
        if existing is None:
            return None
        try:
            return self.get_queryset().get(pk=existing.pk)
        except model.DoesNotExist as error:
            raise Http404 from error

    def _upsert(self, external_id, data):
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        data = {**data, "external_id": external_id}
        existing = self.find_by_external_id(external_id)
        if existing is None:
            return self.serialize(self._create(data), status.HTTP_201_CREATED)
        return self.serialize(self._update(existing, data))

    def op_upsert(self, request, external_id=None, *args, **kwargs):
        return self._upsert(external_id, request.data)

    def op_bulk(self, request, *args, **kwargs):
        body = request.data if isinstance(request.data, dict) else {}
        records = body.get("records")
        limit = settings.API_BULK_MAX_RECORDS
        if not isinstance(records, list) or not records:
            raise exceptions.ValidationError({"records": [_("Send a non-empty list of records.")]})
        if len(records) > limit:
            raise exceptions.ValidationError({"records": [_("At most %(limit)d records per call.") % {"limit": limit}]})
        atomic_param = request.query_params.get("atomic", body.get("atomic", True))
        atomic = str(atomic_param).lower() not in ("false", "0", "no")
        results = self.bulk_write(records, atomic=atomic)
        failed = any(result["status"] >= 400 for result in results)
        applied = not (atomic and failed)
        code = status.HTTP_400_BAD_REQUEST if atomic and failed else status.HTTP_200_OK
        return Response({"atomic": atomic, "applied": applied, "results": results}, status=code)

    def bulk_write(self, records, *, atomic: bool) -> list[dict]:
        """Each record created, changed (it has an ``id``) or upserted (an ``external_id``) in a savepoint
        of its own; with ``atomic`` one failure undoes them all."""
        results = []
        with transaction.atomic():
            for index, record in enumerate(records):
                results.append({"index": index, **self._bulk_one(record)})
            if atomic and any(result["status"] >= 400 for result in results):
                transaction.set_rollback(True)
        return results

    def _bulk_one(self, record):
        try:
            with transaction.atomic():
                if not isinstance(record, dict):
                    raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
                if record.get("id") is not None:
                    self.kwargs["pk"] = record["id"]
                    obj = self._update(self.get_object(), record)
                    return {"status": 200, "id": obj.pk}
                if self.has_external_id and record.get("external_id"):
                    existing = self.find_by_external_id(str(record["external_id"]))
                    if existing is not None:
                        return {"status": 200, "id": self._update(existing, record).pk}
                return {"status": 201, "id": self._create(record).pk}
        except Http404:
            return {"status": 404, "id": None, "errors": {"non_field_errors": [_("Not found.")]}}
        except exceptions.APIException as error:
            detail = error.detail if isinstance(error.detail, dict) else {"non_field_errors": [str(error.detail)]}
            return {"status": error.status_code, "id": None, "errors": detail}


def _copy(fn, name):
    """A function of its own per resource, so one resource's documentation never lands on another's."""

    def operation(self, request, *args, **kwargs):
        return fn(self, request, *args, **kwargs)

    operation.__name__ = operation.__qualname__ = name
    operation.__doc__ = fn.__doc__
    return operation


def resource(viewset_class, *, tag: str):
    """The viewset with its operations (those in ``operations``), upsert and bulk routes, documented."""
    serializer = viewset_class.serializer_class
    ops = viewset_class.operations
    upsert_param = OpenApiParameter(
        "upsert", str, enum=["external_id"], description="Update the record with the body's external_id if any."
    )
    documented = {
        "list": ("list", extend_schema(tags=[tag], responses={200: serializer(many=True), **ERROR_RESPONSES})),
        "retrieve": ("retrieve", extend_schema(tags=[tag], responses={200: serializer, **ERROR_RESPONSES})),
        "create": (
            "create",
            extend_schema(
                tags=[tag],
                request=serializer,
                responses={200: serializer, 201: serializer, **WRITE_RESPONSES},
                parameters=[IDEMPOTENCY_HEADER] + ([upsert_param] if viewset_class.has_external_id else []),
            ),
        ),
        "update": (
            "update",
            extend_schema(
                tags=[tag],
                request=serializer,
                responses={200: serializer, **WRITE_RESPONSES},
                parameters=[IF_MATCH_HEADER],
            ),
        ),
        "partial_update": (
            "update",
            extend_schema(
                tags=[tag],
                request=serializer,
                responses={200: serializer, **WRITE_RESPONSES},
                parameters=[IF_MATCH_HEADER],
            ),
        ),
        "destroy": (
            "destroy",
            extend_schema(tags=[tag], responses={204: None, **WRITE_RESPONSES}, parameters=[IF_MATCH_HEADER]),
        ),
    }
    attrs = {}
    for name, (operation, decorator) in documented.items():
        if operation in ops:
            attrs[name] = decorator(_copy(getattr(viewset_class, f"op_{name}"), name))
    # extend_schema goes on top of action (drf-spectacular reads it from the action's method).
    if viewset_class.has_external_id and "update" in ops and "create" in ops:
        upsert = action(
            detail=False, methods=["put"], url_path=r"by-external-id/(?P<external_id>[^/]+)", url_name="upsert"
        )(_copy(viewset_class.op_upsert, "upsert"))
        attrs["upsert"] = extend_schema(
            tags=[tag], request=serializer, responses={200: serializer, 201: serializer, **WRITE_RESPONSES}
        )(upsert)
    if "bulk" in ops:
        bulk = action(detail=False, methods=["post"], url_path="bulk", url_name="bulk")(
            _copy(viewset_class.op_bulk, "bulk")
        )
        attrs["bulk"] = extend_schema(
            tags=[tag],
            request=bulk_request,
            # 400: the per-record results of an atomic call that failed, or what is wrong with the call itself.
            responses={200: bulk_response, **WRITE_RESPONSES},
            parameters=[
                IDEMPOTENCY_HEADER,
                OpenApiParameter("atomic", bool, description="true: all or nothing (the default); false: per record."),
            ],
        )(bulk)
    return type(viewset_class.__name__, (viewset_class,), {**attrs, "__module__": viewset_class.__module__})
