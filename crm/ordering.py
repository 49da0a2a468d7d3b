"""A list's order made total: the primary key last, in the direction of the list's main key.

A page is ``ORDER BY … LIMIT n OFFSET m``, and SQL leaves rows that tie on every key of the ORDER BY in any order
it likes — a different one for each page, since each asks for a different number of rows (PostgreSQL sorts the
first ``n + m`` rows of a heap, not stably). Rows with the same name, the same moment or the same stage then showed
twice across pages while others never showed. The primary key breaks every tie. It takes the main key's direction
so that the index the list walks — ``(name, id)``, or an index on the main key alone with its rows in key order
— still serves the whole order forwards or backwards (on ``(owner, name)`` PostgreSQL sorts each name's few
rows by id as it walks: an incremental sort).
"""

from django.db.models import F
from django.db.models.expressions import Col, OrderBy


def _is_pk(item, pk_names) -> bool:
    if isinstance(item, str):
        return item.lstrip("-") in pk_names
    expression = item.expression if isinstance(item, OrderBy) else item
    if isinstance(expression, F):
        return expression.name in pk_names
    if isinstance(expression, Col):
        return expression.target.primary_key
    return False


def _descending(item) -> bool:
    if isinstance(item, str):
        return item.startswith("-")
    return bool(getattr(item, "descending", False))


def _ordering(queryset) -> list:
    query = queryset.query
    return [*(query.order_by or (queryset.model._meta.ordering if query.default_ordering else ()))]


def unique_ordering(queryset) -> list | None:
    """``queryset``'s ordering with the primary key appended when it is not already part of it, or ``None`` when
    the queryset cannot take it (a union, random order, raw ``extra`` ordering): those keep their own."""
    query = queryset.query
    ordering = _ordering(queryset)
    if query.combinator or query.extra_order_by or "?" in ordering:
        return None
    pk = queryset.model._meta.pk
    if any(_is_pk(item, {"pk", pk.name, pk.attname}) for item in ordering):
        return ordering
    return [*ordering, "-pk" if ordering and _descending(ordering[0]) else "pk"]


def unique_order(queryset):
    """``queryset`` ordered by :func:`unique_ordering` (anything that is not a queryset is returned as it is)."""
    if not hasattr(queryset, "query"):
        return queryset
    ordering = unique_ordering(queryset)
    if ordering is None or ordering == _ordering(queryset):
        return queryset
    return queryset.order_by(*ordering)
