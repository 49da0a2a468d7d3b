"""Reads for customer exports: the current list filter, within the user's record scope."""

from django.http import QueryDict

from . import customer_filter

# Query parameters of the list that are not filters.
NOT_FILTERS = {"page", "fields", "format", "csrfmiddlewaretoken"}


def export_filter(data) -> QueryDict:
    """The list filter part of a query (search, filters, sort), as a query string the job can keep."""
    query = QueryDict(mutable=True)
    for key in data:
        if key not in NOT_FILTERS:
            query.setlist(key, [v for v in data.getlist(key) if v != ""])
    return query


def customer_export_queryset(*, user, data):
    """The customers the list shows for ``data`` (scope, search, filters and sort).

    Tag names are read per chunk by the export field, not per row in SQL."""
    return customer_filter(user=user, data=data).qs
