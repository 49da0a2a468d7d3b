"""The service dashboard panels: tickets by month and type, SLA compliance and customer satisfaction."""

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from service.models import SatisfactionSurvey, Ticket

from .. import datasets, summaries
from ..dashboard_filters import DashboardFilters, narrow
from ..registry import Panel, register_panel
from ..tables import Chart, Series
from .base import in_period, list_link, month_of, monthly, monthly_stacked, percent, summary_month_counts, titled


def ticket_volume(user, filters: DashboardFilters) -> Chart:
    """Tickets created per month, stacked by type; a bar opens the ticket list of that type."""

    def link(kind, first, last):
        return list_link("service:ticket-list", type=kind)

    counts = None
    refreshed = _tickets_refreshed_at(user)
    if refreshed:
        counts = summary_month_counts(summaries.tickets(user, filters), "type", "tickets")
    return monthly_stacked(
        user, filters, dataset=datasets.TICKETS, split_field="type", choices=Ticket.Type.choices,
        title=titled(_("Tickets by month and type"), refreshed), link=link, counts=counts,
    )  # fmt: skip


def _tickets_refreshed_at(user):
    return summaries.refreshed_at(user, summaries.TICKETS)


SLA_COUNTS = ("responded", "responded_in_time", "resolved", "resolved_in_time")


def sla_compliance(user, filters: DashboardFilters) -> Chart:
    """Per month of creation: the share of tickets answered and resolved within their SLA (as
    service.statistics counts it: only tickets with a due time and an answer or resolution)."""
    refreshed = _tickets_refreshed_at(user)
    if refreshed:
        rows = (
            summaries.tickets(user, filters)
            .order_by()
            .annotate(month=TruncMonth("day"))
            .values("month")
            .annotate(**{key: Sum(key) for key in SLA_COUNTS})
        )
        by_month = {month_of(row["month"]): row for row in rows}
    else:
        dataset = datasets.TICKETS
        tickets = narrow(dataset, dataset.queryset(user), filters)
        by_month = monthly(
            tickets,
            "created_at",
            responded=Count("pk", filter=Q(first_responded_at__isnull=False, response_due_at__isnull=False)),
            responded_in_time=Count("pk", filter=Q(first_responded_at__lte=F("response_due_at"))),
            resolved=Count("pk", filter=Q(resolved_at__isnull=False, resolution_due_at__isnull=False)),
            resolved_in_time=Count("pk", filter=Q(resolved_at__lte=F("resolution_due_at"))),
        )
    months = filters.months()

    def share(part, whole):
        return [percent(by_month.get(m, {}).get(part, 0), by_month.get(m, {}).get(whole, 0)) for m in months]

    return Chart(
        title=titled(_("SLA compliance by month (%)"), refreshed),
        kind="line",
        labels=[m.strftime("%Y-%m") for m in months],
        series=[
            Series(label=_("First response in time (%)"), values=share("responded_in_time", "responded")),
            Series(label=_("Resolved in time (%)"), values=share("resolved_in_time", "resolved")),
        ],
    )


def csat_trend(user, filters: DashboardFilters) -> Chart:
    """Average satisfaction score (1–5) of the surveys answered each month, on tickets in scope."""
    surveys = SatisfactionSurvey.objects.visible_to(user).filter(in_period("answered_at", filters))
    if filters.owner:
        surveys = surveys.filter(ticket__assignee_id=filters.owner)
    if filters.team:
        surveys = surveys.filter(ticket__queue__team_id=filters.team)
    by_month = monthly(surveys, "answered_at", total=Sum("score"), answers=Count("pk"))
    months = filters.months()

    def average(m):
        row = by_month.get(m)
        return round(row["total"] / row["answers"], 2) if row and row["answers"] else None

    return Chart(
        title=_("Customer satisfaction by month"),
        kind="line",
        labels=[m.strftime("%Y-%m") for m in months],
        series=[
            Series(label=_("Average score (1–5)"), values=[average(m) for m in months], kind="line"),
            # A count beside a score: its own axis, as bars behind the score's line.
            Series(
                label=_("Answers"),
                values=[by_month.get(m, {}).get("answers", 0) for m in months],
                axis="y1",
                kind="bar",
            ),
        ],
        axes={"y": _("Average score (1–5)"), "y1": _("Answers")},
    )


for _panel in (
    Panel("ticket_volume", _("Tickets by month and type"), "service", "service.view_ticket", ticket_volume,
          order=310),
    Panel("sla_compliance", _("SLA compliance by month (%)"), "service", "service.view_ticket", sla_compliance,
          chart="line", order=320),
    Panel("csat_trend", _("Customer satisfaction by month"), "service", "service.view_satisfactionsurvey",
          csat_trend, chart="line", order=330),
):  # fmt: skip
    register_panel(_panel)
