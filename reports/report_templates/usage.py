"""The system usage report (系统使用报告): active users, sign-ins and actions per day and module, from
the behaviour log."""

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import BehaviourLog

from ..dashboard_filters import DashboardFilters
from ..registry import ReportTemplate, register_template
from ..tables import Table


def system_usage(user, filters: DashboardFilters) -> list[Table]:
    """From the behaviour log (用户行为日志): active users and sign-ins per day, actions per module."""
    entries = BehaviourLog.objects.filter(at__gte=filters.start_at(), at__lt=filters.end_before()).order_by()
    if filters.owner:
        entries = entries.filter(user_id=filters.owner)
    if filters.team:
        entries = entries.filter(user__team_id=filters.team)
    totals = entries.aggregate(
        active=Count("user", distinct=True),
        logins=Count("pk", filter=Q(action=BehaviourLog.Action.LOGIN)),
        failed=Count("pk", filter=Q(action=BehaviourLog.Action.LOGIN_FAILED)),
        actions=Count("pk"),
    )
    daily = (
        entries.annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(
            active=Count("user", distinct=True),
            logins=Count("pk", filter=Q(action=BehaviourLog.Action.LOGIN)),
            actions=Count("pk"),
        )
        .order_by("day")
    )
    modules = entries.values("module").annotate(n=Count("pk")).order_by("-n", "module")
    actions = dict(BehaviourLog.Action.choices)
    by_action = entries.values("action").annotate(n=Count("pk")).order_by("-n", "action")
    return [
        Table(
            title=_("Summary"),
            headers=[_("Active users"), _("Sign-ins"), _("Failed sign-ins"), _("Actions")],
            rows=[[totals["active"], totals["logins"], totals["failed"], totals["actions"]]],
        ),
        Table(
            title=_("Per day"),
            headers=[_("Day"), _("Active users"), _("Sign-ins"), _("Actions")],
            rows=[[row["day"], row["active"], row["logins"], row["actions"]] for row in daily],
        ),
        Table(
            title=_("Actions per module"),
            headers=[_("Module"), _("Actions")],
            rows=[[row["module"] or "—", row["n"]] for row in modules],
        ),
        Table(
            title=_("Actions by kind"),
            headers=[_("Action"), _("Count")],
            rows=[[str(actions.get(row["action"], row["action"])), row["n"]] for row in by_action],
        ),
    ]


register_template(
    ReportTemplate(
        "system_usage",
        _("System usage"),
        _("Active users, sign-ins and actions per module and day, from the behaviour log."),
        ("reports.view_usage_report",),
        system_usage,
    )
)
