"""Report templates: fixed reports a role opens with one click, each a list of tables.

Today: the customer analysis and the system usage report. The sales, campaign and service reports
are added with ``register_template`` when those apps land.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import BehaviourLog
from customers.models import Customer

from . import datasets
from .dashboard_filters import DashboardFilters, narrow
from .tables import Table


@dataclass(frozen=True)
class ReportTemplate:
    key: str
    title: Any
    description: Any
    permissions: tuple
    build: Any  # (user, DashboardFilters) -> list[Table]
    # The customer analysis describes the customer base as it is now: its page offers no period.
    uses_period: bool = True


_TEMPLATES: dict[str, ReportTemplate] = {}


def register_template(template: ReportTemplate) -> ReportTemplate:
    _TEMPLATES[template.key] = template
    return template


def template_get(key):
    return _TEMPLATES.get(key)


def templates_for(user) -> list[ReportTemplate]:
    return [t for t in _TEMPLATES.values() if user.has_perms(t.permissions)]


def _avg(value):
    return round(value, 1) if value is not None else ""


def customer_analysis(user, filters: DashboardFilters) -> list[Table]:
    """Customers in scope by lifecycle × level, by industry, by source, by owner, and contact recency."""
    dataset = datasets.CUSTOMERS
    qs = narrow(dataset, dataset.queryset(user), filters, period=False).order_by()
    tables = []

    levels = Customer.Level.choices
    crosstab = {
        row["lifecycle_stage"]: row
        for row in qs.values("lifecycle_stage").annotate(
            total=Count("pk"), **{f"l_{value}": Count("pk", filter=Q(level=value)) for value, _l in levels}
        )
    }
    tables.append(
        Table(
            title=_("Customers by lifecycle stage and level"),
            headers=[_("Lifecycle stage"), *[label for _v, label in levels], _("Total")],
            rows=[
                [
                    label,
                    *[crosstab.get(stage, {}).get(f"l_{v}", 0) for v, _l in levels],
                    crosstab.get(stage, {}).get("total", 0),
                ]
                for stage, label in Customer.Lifecycle.choices
            ],
        )
    )

    def by(field, choices, title):
        rows = {
            row[field]: row
            for row in qs.values(field).annotate(n=Count("pk"), quality=Avg("quality_score"), churn=Avg("churn_score"))
        }
        return Table(
            title=title,
            headers=["", _("Customers"), _("Average data quality"), _("Average churn risk")],
            rows=[
                [label, rows[value]["n"], _avg(rows[value]["quality"]), _avg(rows[value]["churn"])]
                for value, label in [*choices, ("", _("Unknown"))]
                if value in rows
            ],
        )

    tables.append(by("industry", Customer.Industry.choices, _("Customers by industry")))
    tables.append(by("source", Customer.Source.choices, _("Customers by source")))

    owners = (
        qs.values("owner")
        .annotate(
            n=Count("pk"),
            vip=Count("pk", filter=Q(lifecycle_stage=Customer.Lifecycle.VIP)),
            churned=Count("pk", filter=Q(lifecycle_stage=Customer.Lifecycle.CHURNED)),
            quality=Avg("quality_score"),
        )
        .order_by("-n")[:50]
    )
    owners = list(owners)
    names = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=[row["owner"] for row in owners])}
    tables.append(
        Table(
            title=_("Customers by owner (top 50)"),
            headers=[_("Owner"), _("Customers"), _("VIP"), _("Churned"), _("Average data quality")],
            rows=[[names.get(r["owner"], ""), r["n"], r["vip"], r["churned"], _avg(r["quality"])] for r in owners],
        )
    )

    now = timezone.now()
    day = timezone.timedelta(days=1)
    recency = qs.aggregate(
        d30=Count("pk", filter=Q(last_contacted_at__gte=now - 30 * day)),
        d90=Count("pk", filter=Q(last_contacted_at__lt=now - 30 * day, last_contacted_at__gte=now - 90 * day)),
        d180=Count("pk", filter=Q(last_contacted_at__lt=now - 90 * day, last_contacted_at__gte=now - 180 * day)),
        older=Count("pk", filter=Q(last_contacted_at__lt=now - 180 * day)),
        never=Count("pk", filter=Q(last_contacted_at__isnull=True)),
    )
    tables.append(
        Table(
            title=_("Customers by last contact"),
            headers=[_("Last contacted"), _("Customers")],
            rows=[
                [_("Within 30 days"), recency["d30"]],
                [_("31–90 days ago"), recency["d90"]],
                [_("91–180 days ago"), recency["d180"]],
                [_("More than 180 days ago"), recency["older"]],
                [_("Never"), recency["never"]],
            ],
        )
    )
    return tables


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
        "customer_analysis",
        _("Customer analysis"),
        _("Customers by lifecycle, level, industry, source and owner, with data quality and contact recency."),
        ("reports.view_report_templates", "customers.view_customer"),
        customer_analysis,
        uses_period=False,
    )
)
register_template(
    ReportTemplate(
        "system_usage",
        _("System usage"),
        _("Active users, sign-ins and actions per module and day, from the behaviour log."),
        ("reports.view_usage_report",),
        system_usage,
    )
)
