"""Demo saved reports of the manager's (customers, communications, open opportunities by stage), shared
with the executives; the customer ones e-mailed weekly."""

from django.contrib.auth.models import Group

from accounts.models import User

from . import services
from .models import ReportSchedule, SavedReport

DEMO_REPORTS = [
    (
        "客户按生命周期与等级",
        "customers",
        {
            "group_by": [{"field": "lifecycle_stage"}, {"field": "level"}],
            "aggregates": [{"func": "count"}, {"func": "avg", "field": "quality_score"}],
            "chart": "bar",
        },
    ),
    (
        "每月新增客户",
        "customers",
        {"group_by": [{"field": "created_at", "trunc": "month"}], "aggregates": [{"func": "count"}], "chart": "line"},
    ),
    (
        "Communications by channel",
        "communications",
        {"group_by": [{"field": "channel"}], "aggregates": [{"func": "count"}], "chart": "pie"},
    ),
    (
        "销售机会按阶段（本位币）",
        "opportunities",
        {
            "filters": [{"field": "status", "op": "eq", "value": "open"}],
            "group_by": [{"field": "stage"}],
            "aggregates": [{"func": "count"}, {"func": "sum", "field": "amount_base"}],
            "chart": "bar",
        },
    ),
]


def seed(context):
    manager = User.objects.filter(username="manager").first()
    if manager is None:
        return
    executives = list(Group.objects.filter(name="Executive"))
    for name, dataset, definition in DEMO_REPORTS:
        if SavedReport.objects.filter(owner=manager, name=name).exists():
            continue
        report = services.saved_report_create(
            actor=manager, name=name, dataset=dataset, definition=definition, roles=executives
        )
        if dataset == "customers" and not ReportSchedule.objects.filter(report=report).exists():
            services.schedule_create(
                actor=manager,
                report=report,
                frequency=ReportSchedule.Frequency.WEEKLY,
                send_hour=8,
                fmt="pdf",
                recipients=manager.email or "manager@example.com",
            )
