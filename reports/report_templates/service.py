"""The service report: ``service.statistics`` over the period (volumes, response and resolution times,
SLA compliance, satisfaction and NPS)."""

from django.utils.translation import gettext_lazy as _

from service.statistics import service_statistics

from ..dashboard_filters import DashboardFilters
from ..registry import ReportTemplate, register_template
from ..tables import Table, blank_if_none


def service_report(user, filters: DashboardFilters) -> list[Table]:
    """service.statistics over the period: volumes, response and resolution times, SLA, CSAT and NPS."""
    days = (filters.end - filters.start).days + 1
    stats = service_statistics(user=user, days=days, now=filters.end_before())
    note = _("Team and owner filters do not apply: the figures cover every ticket in your scope.")
    return [
        Table(
            title=_("Summary"),
            headers=[_("Tickets"), _("Open"), _("Average first response (hours)"), _("Average resolution (hours)"),
                     _("First response in time (%)"), _("Resolved in time (%)"), _("Average satisfaction (1–5)"),
                     _("Satisfied (%)"), _("NPS")],
            rows=[[stats["total"], stats["open"], *(blank_if_none(stats[key]) for key in (
                "avg_response_hours", "avg_resolution_hours", "response_compliance", "resolution_compliance",
                "csat_avg", "csat_satisfied", "nps"))]],
            note=note if filters.owner or filters.team else "",
        ),  # fmt: skip
        Table(title=_("Tickets by type"), headers=[_("Type"), _("Tickets")],
              rows=[[str(label), n] for label, n in stats["by_type"]]),
        Table(title=_("Tickets by channel"), headers=[_("Channel"), _("Tickets")],
              rows=[[str(label), n] for label, n in stats["by_channel"]]),
        Table(title=_("Satisfaction by month"), headers=[_("Month"), _("Average satisfaction (1–5)"), _("Answers")],
              rows=[list(row) for row in stats["csat_trend"]]),
    ]  # fmt: skip


register_template(
    ReportTemplate(
        "service_report",
        _("Service report"),
        _("Ticket volumes, response and resolution times, SLA compliance, satisfaction and NPS."),
        ("reports.view_report_templates", "service.view_ticket"),
        service_report,
    )
)
