"""Demo saved reports: two of the manager's, shared with the executives, one e-mailed weekly."""

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
