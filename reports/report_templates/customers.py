"""The customer analysis report: the customers in scope by lifecycle and level, industry, source and
owner, with their data quality, churn risk and how recently they were contacted."""

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer

from .. import datasets
from ..dashboard_filters import DashboardFilters, narrow
from ..registry import ReportTemplate, register_template
from ..tables import Table


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
