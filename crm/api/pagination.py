"""Keyset ("cursor") pagination: each page starts after the last row of the previous one.

The cursor holds the ordering and the last row's (ordering value, id), so a page costs one index range
scan at any depth — the millionth row as cheap as the first — and rows inserted while a client pages
through never shift or repeat the rows it has not seen yet. No COUNT is run.
"""

import base64
import binascii
import json
from datetime import date

from django.conf import settings
from django.db.models import Q
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


class KeysetPagination(BasePagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "cursor"
    invalid_cursor_message = _("Invalid cursor.")

    def get_page_size(self, request, view):
        default = settings.REST_FRAMEWORK.get("PAGE_SIZE", 50)
        try:
            size = int(request.query_params.get(self.page_size_query_param, default))
        except (TypeError, ValueError):
            return default
        return max(1, min(size, self.max_page_size))

    def decode_cursor(self, request):
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4)))
            return data["o"], data["v"], int(data["i"])
        except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
            raise NotFound(self.invalid_cursor_message) from error

    @staticmethod
    def encode_cursor(ordering, value, pk):
        if isinstance(value, date):  # a datetime too
            value = value.isoformat()
        raw = json.dumps({"o": ordering, "v": value, "i": pk}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def after_condition(self, model, field, descending, value, pk):
        """The rows after the cursor's (``value``, ``pk``) in the order by ``field`` then id."""
        model_field = model._meta.get_field(field)
        after = "lt" if descending else "gt"
        if value is None:
            # A row without a value: PostgreSQL puts those last going up and first going down (NULLS LAST / FIRST).
            if not model_field.null:
                raise NotFound(self.invalid_cursor_message)
            condition = Q(**{f"{field}__isnull": True, f"pk__{after}": pk})
            return condition | Q(**{f"{field}__isnull": False}) if descending else condition
        parse = {"DateTimeField": parse_datetime, "DateField": parse_date}.get(model_field.get_internal_type())
        if parse is not None:
            value = parse(value) if isinstance(value, str) else None
            if value is None:
                raise NotFound(self.invalid_cursor_message)
        # The first condition is the index's range; the second only breaks ties on the value.
        condition = Q(**{f"{field}__{after}e": value}) & (
            Q(**{f"{field}__{after}": value}) | Q(**{field: value, f"pk__{after}": pk})
        )
        if model_field.null and not descending:
            condition |= Q(**{f"{field}__isnull": True})  # the rows without a value, after every dated one
        return condition

    def paginate_queryset(self, queryset, request, view=None):
        ordering = view.get_keyset_ordering(request) if view is not None else "-id"
        field = ordering.lstrip("-")
        descending = ordering.startswith("-")
        cursor = self.decode_cursor(request)
        if cursor is not None:
            cursor_ordering, value, pk = cursor
            if cursor_ordering != ordering:
                raise NotFound(self.invalid_cursor_message)
            if field != "id":
                queryset = queryset.filter(self.after_condition(queryset.model, field, descending, value, pk))
            else:
                queryset = queryset.filter(**{f"pk__{'lt' if descending else 'gt'}": pk})
        order = [ordering] if field == "id" else [ordering, "-id" if descending else "id"]
        self.page_size = self.get_page_size(request, view)
        rows = list(queryset.order_by(*order)[: self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        rows = rows[: self.page_size]
        self.request = request
        self.next_cursor = None
        if self.has_next and rows:
            last = rows[-1]
            self.next_cursor = self.encode_cursor(ordering, getattr(last, field) if field != "id" else None, last.pk)
        return rows

    def get_next_link(self):
        if not self.next_cursor:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, self.next_cursor)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "next_cursor": self.next_cursor, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "next_cursor": {"type": "string", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The `next_cursor` of the previous page.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (at most {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
