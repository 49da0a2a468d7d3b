"""The customer 360 timeline's sources: one registry every app adds its records to.

Each source reduces its rows about one customer to four common columns — ``kind``, ``item_id``,
``at``, ``title`` — so :func:`customers.selectors.timeline.customer_timeline` can merge all of them
with one SQL ``UNION ALL``, order by time and cut one page with LIMIT/OFFSET, then load the page's
rows of each kind with one query per kind.

Apps to the right (sales orders and opportunities, service tickets, marketing registrations) add
their records from their ``AppConfig.ready()``; most sources are one model's records of the customer::

    from customers.timeline import register_model_source

    register_model_source(
        Order, kind="order", label=_("Order"), icon="bi-receipt", at="ordered_at", title="number",
        related=("owner",), template="sales/partials/timeline_order.html",
    )

which stands for this ``TimelineSource``, the shape any other source is registered in::

    from customers.timeline import TimelineSource, register_timeline_source

    register_timeline_source(TimelineSource(
        kind="order", label=_("Order"), icon="bi-receipt",
        rows=lambda customer, user: Order.objects.visible_to(user).filter(customer=customer),
        at="ordered_at", title="number",
        load=lambda ids: Order.objects.filter(pk__in=ids).select_related("owner"),
        template="sales/partials/timeline_order.html",
    ))

``rows(customer, user)`` returns the source's queryset for the customer, already scoped to the
user; ``at`` and ``title`` name (or are) expressions over it; ``load(ids)`` returns the queryset
that fetches the page's rows with whatever they need to display (select_related), and
``template`` renders one item, getting ``item`` (the row) and ``entry`` (kind, at, title, source).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast


@dataclass(frozen=True)
class TimelineSource:
    kind: str
    label: object
    icon: str
    rows: Callable  # (customer, user) -> QuerySet
    at: str | models.Expression
    title: str | models.Expression
    load: Callable  # (ids) -> QuerySet
    template: str
    id_field: str = "pk"


TIMELINE_SOURCES: dict[str, TimelineSource] = {}


def register_timeline_source(source: TimelineSource) -> None:
    """Add a source, or replace the one of the same kind (so a reloaded app does not add it twice)."""
    TIMELINE_SOURCES[source.kind] = source


def register_model_source(model, *, kind, label, icon, at, title, template, related=(), scoped=True):
    """Register the usual source: ``model``'s records whose ``customer`` is the customer, within the user's
    record scope when the model is ``scoped`` (has ``visible_to``), a page loaded with ``related``."""

    def rows(customer, user):
        records = model.objects.visible_to(user) if scoped else model.objects.all()
        return records.filter(customer=customer)

    def load(ids):
        records = model.objects.filter(pk__in=ids)
        # select_related() with no fields would follow every foreign key.
        return records.select_related(*related) if related else records

    register_timeline_source(
        TimelineSource(kind=kind, label=label, icon=icon, rows=rows, at=at, title=title, load=load, template=template)
    )


def _expr(value):
    return F(value) if isinstance(value, str) else value


def source_values(source: TimelineSource, customer, user):
    """The source's rows for the customer reduced to the common columns."""
    return (
        source.rows(customer, user)
        .order_by()
        .annotate(
            tl_kind=Value(source.kind, output_field=CharField()),
            tl_id=Cast(_expr(source.id_field), output_field=models.BigIntegerField()),
            tl_at=_expr(source.at),
            tl_title=Cast(_expr(source.title), output_field=models.TextField()),
        )
        .values_list("tl_kind", "tl_id", "tl_at", "tl_title")
    )
