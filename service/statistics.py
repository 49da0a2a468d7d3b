"""Service statistics for a user's tickets: every figure is one aggregate query in PostgreSQL."""

from datetime import timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import SatisfactionSurvey, Ticket


def _hours(value) -> float | None:
    return round(value.total_seconds() / 3600, 1) if value is not None else None


def _percent(part, whole) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def service_statistics(*, user, days: int = 90, now=None) -> dict:
    now = now or timezone.now()
    since = now - timedelta(days=days)
    tickets = Ticket.objects.visible_to(user).filter(created_at__gte=since)

    response_time = ExpressionWrapper(F("first_responded_at") - F("created_at"), output_field=DurationField())
    resolution_time = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    # Every ticket figure in one pass over the rows: volumes per type and channel are filtered counts.
    per_type = {f"type_{value}": Count("pk", filter=Q(type=value)) for value in Ticket.Type.values}
    per_channel = {f"channel_{value}": Count("pk", filter=Q(channel=value)) for value in Ticket.Channel.values}
    totals = tickets.aggregate(
        **per_type,
        **per_channel,
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=Ticket.OPEN_STATUSES)),
        responded=Count("pk", filter=Q(first_responded_at__isnull=False, response_due_at__isnull=False)),
        responded_in_time=Count("pk", filter=Q(first_responded_at__lte=F("response_due_at"))),
        resolved=Count("pk", filter=Q(resolved_at__isnull=False, resolution_due_at__isnull=False)),
        resolved_in_time=Count("pk", filter=Q(resolved_at__lte=F("resolution_due_at"))),
        avg_response=Avg(response_time, filter=Q(first_responded_at__isnull=False)),
        avg_resolution=Avg(resolution_time, filter=Q(resolved_at__isnull=False)),
    )

    surveys = SatisfactionSurvey.objects.visible_to(user).filter(answered_at__gte=since)
    trend = list(
        surveys.annotate(month=TruncMonth("answered_at"))
        .order_by("month")
        .values("month")
        .annotate(avg=Avg("score"), answers=Count("pk"))
    )
    nps = surveys.filter(nps__isnull=False).aggregate(
        answers=Count("pk"), promoters=Count("pk", filter=Q(nps__gte=9)), detractors=Count("pk", filter=Q(nps__lte=6))
    )
    csat = surveys.aggregate(avg=Avg("score"), answers=Count("pk"), satisfied=Count("pk", filter=Q(score__gte=4)))

    return {
        "days": days,
        "total": totals["total"],
        "open": totals["open"],
        "by_type": [(label, totals[f"type_{value}"]) for value, label in Ticket.Type.choices],
        "by_channel": [(label, totals[f"channel_{value}"]) for value, label in Ticket.Channel.choices],
        "avg_response_hours": _hours(totals["avg_response"]),
        "avg_resolution_hours": _hours(totals["avg_resolution"]),
        "response_compliance": _percent(totals["responded_in_time"], totals["responded"]),
        "resolution_compliance": _percent(totals["resolved_in_time"], totals["resolved"]),
        "csat_avg": round(csat["avg"], 2) if csat["avg"] is not None else None,
        "csat_answers": csat["answers"],
        "csat_satisfied": _percent(csat["satisfied"], csat["answers"]),
        "nps": round(_percent(nps["promoters"] - nps["detractors"], nps["answers"])) if nps["answers"] else None,
        "csat_trend": [(row["month"].date().isoformat()[:7], round(row["avg"], 2), row["answers"]) for row in trend],
    }
