"""Segmentation: churn-risk warning (流失预警) and value segments from RFM (recency, frequency, monetary).

Churn risk is the sum of the points of every warning signal that fires for a customer, capped at
100, with the signal codes kept in ``Customer.churn_reasons`` so the page can say why. Signals come
from a registry of *providers*: this app provides the contact-recency signal; the sales and service
apps, which sit to the right of customers and may not be imported from here, register theirs
(no recent purchase, falling order value, open complaints) from their ``AppConfig.ready()``::

    from customers.services.segments import register_churn_signal

    register_churn_signal("sales.no_recent_purchase", no_recent_purchase_provider, labels={
        "no_purchase_180d": _("No purchase for 180 days"),
    })

A provider is ``provider(customer_ids, today) -> {customer_id: [(reason_code, points), ...]}`` and
runs one query per batch of customers.

RFM needs orders, which sales owns: :func:`rfm_segments` scores rows of
``(customer_id, last_order_date, order_count, monetary)`` that sales computes with one aggregate
query, and :func:`customers_rfm_update` stores the segments in batches.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import Customer

# A customer whose churn score reaches this is "high risk" (the list filter and the detail badge).
CHURN_HIGH = 60

# ---------------------------------------------------------------------------- churn-risk signals


@dataclass(frozen=True)
class ChurnSignal:
    name: str
    provider: Callable[[list[int], date], dict[int, list[tuple[str, int]]]]


CHURN_SIGNALS: dict[str, ChurnSignal] = {}
CHURN_REASON_LABELS: dict[str, object] = {}


def register_churn_signal(name: str, provider, *, labels: dict | None = None) -> None:
    """Add (or replace, so a reloaded app does not count twice) a churn-signal provider."""
    CHURN_SIGNALS[name] = ChurnSignal(name=name, provider=provider)
    CHURN_REASON_LABELS.update(labels or {})


def churn_reason_label(code: str):
    return CHURN_REASON_LABELS.get(code, code)


def contact_recency_signal(customer_ids: list[int], today: date) -> dict[int, list[tuple[str, int]]]:
    """No contact for long: counted from the last contact, or from creation for a never-contacted
    customer, so a prospect added yesterday is not at risk yet."""
    now = timezone.make_aware(datetime.combine(today, time.min))
    rows = (
        Customer.objects.filter(pk__in=customer_ids)
        .annotate(last_touch=Coalesce("last_contacted_at", "created_at"))
        .values_list("pk", "last_touch")
    )
    found = {}
    for pk, last_touch in rows:
        if last_touch < now - timedelta(days=180):
            found[pk] = [("no_contact_180d", 60)]
        elif last_touch < now - timedelta(days=90):
            found[pk] = [("no_contact_90d", 35)]
    return found


def churn_scores(customer_ids: list[int], *, today: date | None = None) -> dict[int, tuple[int, list[str]]]:
    """Score and reason codes for each id, asking every registered provider once."""
    today = today or timezone.localdate()
    points: dict[int, int] = dict.fromkeys(customer_ids, 0)
    reasons: dict[int, list[str]] = {pk: [] for pk in customer_ids}
    for signal in CHURN_SIGNALS.values():
        for pk, fired in signal.provider(customer_ids, today).items():
            if pk not in points:
                continue
            for code, value in fired:
                points[pk] += value
                reasons[pk].append(code)
    return {pk: (min(points[pk], 100), reasons[pk]) for pk in customer_ids}


def customers_churn_recompute(*, batch_size: int = 2000, today: date | None = None) -> int:
    """Recompute churn risk for every customer in batches by primary key; returns how many changed."""
    today = today or timezone.localdate()
    changed, last_pk = 0, 0
    while True:
        rows = list(
            Customer.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "churn_score", "churn_reasons")[:batch_size]
        )
        if not rows:
            return changed
        last_pk = rows[-1][0]
        scores = churn_scores([row[0] for row in rows], today=today)
        updates = [
            Customer(pk=pk, churn_score=scores[pk][0], churn_reasons=scores[pk][1])
            for pk, old_score, old_reasons in rows
            if (old_score, old_reasons) != scores[pk]
        ]
        if updates:
            with transaction.atomic():
                Customer.objects.bulk_update(updates, ["churn_score", "churn_reasons"])
            changed += len(updates)


# ---------------------------------------------------------------------------- RFM value segments

RFM_SEGMENTS = {
    "champion": _("Champion"),
    "loyal": _("Loyal"),
    "promising": _("Promising"),
    "new": pgettext_lazy("value segment", "New customer"),
    "need_attention": _("Needs attention"),
    "at_risk": _("At risk"),
    "cant_lose": _("Cannot lose"),
    "hibernating": _("Hibernating"),
}

# Recency in days and order counts that earn scores 5, 4, 3, 2 (else 1).
RECENCY_DAYS = (30, 90, 180, 365)
FREQUENCY_ORDERS = (10, 5, 3, 2)


def rfm_segment_label(code: str):
    return RFM_SEGMENTS.get(code, code)


def _recency_score(days: int) -> int:
    for score, limit in zip((5, 4, 3, 2), RECENCY_DAYS, strict=True):
        if days <= limit:
            return score
    return 1


def _frequency_score(count: int) -> int:
    for score, limit in zip((5, 4, 3, 2), FREQUENCY_ORDERS, strict=True):
        if count >= limit:
            return score
    return 1


def monetary_breaks(values: Iterable) -> list[Decimal]:
    """The 20th, 40th, 60th and 80th percentile of the monetary values (quintile borders)."""
    ordered = sorted(Decimal(v) for v in values)
    if not ordered:
        return []
    return [ordered[min(len(ordered) - 1, (len(ordered) * q) // 5)] for q in (1, 2, 3, 4)]


def _monetary_score(value: Decimal, breaks: list[Decimal]) -> int:
    return 1 + sum(1 for border in breaks if value >= border)


def _segment(r: int, f: int, m: int) -> str:
    if r >= 4 and f >= 4 and m >= 4:
        return "champion"
    if r <= 2 and f >= 4 and m >= 4:
        return "cant_lose"
    if r <= 2 and f >= 3:
        return "at_risk"
    if r <= 2:
        return "hibernating"
    if f >= 4:
        return "loyal"
    if r >= 4 and f == 1:
        return "new"
    if r >= 4:
        return "promising"
    return "need_attention"


def rfm_segments(rows, *, today: date | None = None, breaks: list[Decimal] | None = None) -> dict[int, str]:
    """Segment codes for rows of ``(customer_id, last_order_date, order_count, monetary)``.

    Recency and frequency score on fixed steps (``RECENCY_DAYS``, ``FREQUENCY_ORDERS``); monetary
    on quintiles, taken from ``breaks`` when the caller computed them over the whole population
    (sales does it in SQL with ``percentile_cont``), else from the rows themselves.
    """
    today = today or timezone.localdate()
    rows = list(rows)
    if breaks is None:
        breaks = monetary_breaks(row[3] or 0 for row in rows)
    segments = {}
    for customer_id, last_order, count, monetary in rows:
        if not count or last_order is None:
            continue
        r = _recency_score((today - last_order).days)
        f = _frequency_score(count)
        m = _monetary_score(Decimal(monetary or 0), breaks)
        segments[customer_id] = _segment(r, f, m)
    return segments


def customers_rfm_update(*, rows, today: date | None = None, breaks=None, batch_size: int = 5000) -> int:
    """Store the RFM segment of every customer in ``rows`` (see :func:`rfm_segments`), one
    ``UPDATE … FROM (VALUES …)`` per batch; customers not in ``rows`` keep theirs. Returns how many
    rows were written."""
    rows = list(rows)
    if breaks is None:
        breaks = monetary_breaks(row[3] or 0 for row in rows)
    segments = list(rfm_segments(rows, today=today, breaks=breaks).items())
    table = Customer._meta.db_table
    written = 0
    for start in range(0, len(segments), batch_size):
        batch = segments[start : start + batch_size]
        values = ", ".join(["(%s, %s)"] * len(batch))
        params = [value for pair in batch for value in pair]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS c SET rfm_segment = v.segment "  # noqa: S608 - table name is ours
                f"FROM (VALUES {values}) AS v(id, segment) "
                "WHERE c.id = v.id AND c.rfm_segment IS DISTINCT FROM v.segment",
                params,
            )
            written += cursor.rowcount
    return written
