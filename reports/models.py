"""Saved custom reports, their e-mail schedules and each scheduled run."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel


class SavedReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reports the user owns or that were shared with them or one of their roles.

        A saved report holds only a definition; its numbers are always computed with the viewer's own
        record scope, so sharing a report never shares rows the viewer could not see anyway.
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(
            Q(owner=user)
            | Q(pk__in=SavedReport.shared_with_users.through.objects.filter(user=user).values("savedreport"))
            | Q(pk__in=SavedReport.shared_with_roles.through.objects.filter(group__user=user).values("savedreport"))
        )


class SavedReport(TimeStampedModel):
    """A custom report (自定义报表): a data set, columns, filters, grouping, aggregates and a chart.

    ``definition`` is checked against the data-set registry (reports/datasets.py) every time it is
    saved or run, so a field later removed from a whitelist can never be queried.
    """

    class Chart(models.TextChoices):
        TABLE = "table", _("Table only")
        BAR = "bar", _("Bar chart")
        LINE = "line", _("Line chart")
        PIE = "pie", _("Pie chart")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    dataset = models.CharField(_("data set"), max_length=64)
    definition = models.JSONField(_("definition"), default=dict)
    chart = models.CharField(_("chart"), max_length=8, choices=Chart.choices, default=Chart.TABLE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="saved_reports"
    )
    shared_with_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("shared with users"), blank=True, related_name="+"
    )
    shared_with_roles = models.ManyToManyField(Group, verbose_name=_("shared with roles"), blank=True, related_name="+")

    objects = SavedReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("saved report")
        verbose_name_plural = _("saved reports")
        ordering = ["name", "id"]
        permissions = [
            ("view_dashboard", _("Can view dashboards")),
            ("view_report_templates", _("Can view report templates")),
            ("view_usage_report", _("Can view the system usage report")),
            ("view_statistics", _("Can use statistics")),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reports:saved-report-detail", args=[self.pk])


class ReportSchedule(TimeStampedModel):
    """A saved report e-mailed every day, week or month to a list of recipients."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel (XLSX)"

    report = models.ForeignKey(
        SavedReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="schedules"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="report_schedules"
    )
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY)
    send_hour = models.PositiveSmallIntegerField(
        _("send at hour"),
        default=8,
        help_text=_("The owner's local time, 0–23: sent at the first check after this hour each day, week or month."),
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.PDF)
    recipients = models.TextField(_("recipients"), help_text=_("E-mail addresses, one per line or comma-separated."))
    is_active = models.BooleanField(_("active"), default=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        ordering = ["report__name", "id"]
        indexes = [models.Index(fields=["is_active"], name="reportschedule_active")]

    def __str__(self):
        return f"{self.report} · {self.get_frequency_display()}"

    def recipient_list(self) -> list[str]:
        return [part.strip() for part in self.recipients.replace(",", "\n").splitlines() if part.strip()]


class ReportRun(models.Model):
    """One sending of a scheduled report; at most one per schedule and period."""

    schedule = models.ForeignKey(
        ReportSchedule, verbose_name=_("schedule"), on_delete=models.CASCADE, related_name="runs"
    )
    period = models.CharField(_("period"), max_length=16, help_text=_("2026-11-24, 2026-W48 or 2026-11."))
    ran_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    recipients = models.JSONField(_("recipients"), default=list)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-ran_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["schedule", "period"], name="reportrun_once_per_period")]

    def __str__(self):
        return f"{self.schedule} · {self.period}"


# ------------------------------------------------------------------------------------------ summaries
# Rebuilt wholesale by reports.summaries (Celery beat); the dashboard reads them instead of scanning
# millions of opportunities. Plain id columns, not foreign keys: a rebuild must never be blocked by, or
# cascade from, a change to the live rows it summarises.


class SummaryRefresh(models.Model):
    """When each summary was last rebuilt; a summary that was never rebuilt is not read."""

    name = models.CharField(_("summary"), max_length=40, unique=True)
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("summary refresh")
        verbose_name_plural = _("summary refreshes")

    def __str__(self):
        return self.name


class SalesPipelineSummary(models.Model):
    """Open opportunities per stage, owner and team; amounts converted per row at the refresh's rates."""

    stage_id = models.BigIntegerField()
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    deals = models.PositiveIntegerField(default=0)
    amount_base = models.DecimalField(max_digits=20, decimal_places=2, null=True)
    unconverted = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("sales pipeline summary")
        verbose_name_plural = _("sales pipeline summaries")

    def __str__(self):
        return f"stage {self.stage_id} · owner {self.owner_id} · team {self.team_id}"


class DailySummary(models.Model):
    """A summary's rows per local day (the site's time zone) and the owner and team columns the record scope reads
    (crm.scope.narrow): plain ids, so a summary is narrowed as its live table is, without a join."""

    day = models.DateField()
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)

    class Meta:
        abstract = True


class SalesDailySummary(DailySummary):
    """Per local day (the site's time zone), owner, team and currency: opportunities created, and those
    closed won or lost with the won amount in the deal's own currency."""

    currency = models.CharField(max_length=3)
    created = models.PositiveIntegerField(default=0)
    won = models.PositiveIntegerField(default=0)
    decided = models.PositiveIntegerField(default=0)
    won_amount = models.DecimalField(max_digits=20, decimal_places=2, null=True)

    class Meta:
        verbose_name = _("sales daily summary")
        verbose_name_plural = _("sales daily summaries")
        indexes = [models.Index(fields=["day"], name="salesdaily_day")]

    def __str__(self):
        return f"{self.day} · owner {self.owner_id} · team {self.team_id} · {self.currency}"


class LeadDailySummary(DailySummary):
    """Per local day (the site's time zone), owner, team and source: leads created, and of them those
    qualified or converted (the funnel's second bar); owner and team are the columns the sales scope reads."""

    source = models.CharField(max_length=32)
    leads = models.PositiveIntegerField(default=0)
    qualified = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("lead daily summary")
        verbose_name_plural = _("lead daily summaries")
        indexes = [models.Index(fields=["day"], name="leaddaily_day")]

    def __str__(self):
        return f"{self.day} · owner {self.owner_id} · team {self.team_id} · {self.source}"


class TicketDailySummary(DailySummary):
    """Per local day of creation (the site's time zone), assignee, queue, the queue's team and ticket type:
    tickets, and the SLA counts the service panels show (as service.statistics counts them); assignee, team
    and queue are what the service scope reads (queue members see the queue's tickets)."""

    queue_id = models.BigIntegerField()
    type = models.CharField(max_length=16)
    tickets = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    responded_in_time = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    resolved_in_time = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket daily summary")
        verbose_name_plural = _("ticket daily summaries")
        indexes = [models.Index(fields=["day"], name="ticketdaily_day")]

    def __str__(self):
        return f"{self.day} · owner {self.owner_id} · queue {self.queue_id} · {self.type}"


class CommunicationDailySummary(DailySummary):
    """Per local day (the site's time zone), customer owner and team (the columns the customer scope reads),
    the user who recorded it and channel: communications. Records visible only through a shared customer are
    not keyed here: the panels add them live."""

    recorded_by_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=16)
    communications = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("communication daily summary")
        verbose_name_plural = _("communication daily summaries")
        indexes = [models.Index(fields=["day"], name="communicationdaily_day")]

    def __str__(self):
        return f"{self.day} · owner {self.owner_id} · team {self.team_id} · {self.channel}"


class CustomerSummary(models.Model):
    """Customers counted three ways, each a ``facet``: created per local day × lifecycle stage (growth),
    created per local day × source (sources), and all of them per lifecycle stage × data-quality bucket
    (headline numbers and quality); always per owner and team, the columns the record scope reads."""

    class Facet(models.TextChoices):
        GROWTH = "growth", _("growth")
        SOURCE = "source", _("source")
        QUALITY = "quality", _("quality")

    facet = models.CharField(max_length=8, choices=Facet.choices)
    day = models.DateField(null=True)
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    lifecycle_stage = models.CharField(max_length=32, null=True)
    source = models.CharField(max_length=32, null=True)
    quality_low = models.PositiveSmallIntegerField(null=True)
    customers = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("customer summary")
        verbose_name_plural = _("customer summaries")
        indexes = [models.Index(fields=["facet", "day"], name="customersummary_facet_day")]

    def __str__(self):
        return f"{self.facet} · {self.day} · owner {self.owner_id}"


# ------------------------------------------------------------------------------------------ rollups
# Kept exact by PostgreSQL triggers on the live tables (reports/rollups.py explains them); the custom report
# builder answers a grouped report from them when it can. Plain id columns, as the summaries above.


class RollupState(models.Model):
    """Per rollup: the time zone its months are local months of. Written when it is rebuilt; the triggers
    read it, and a rollup without a row here is neither maintained nor read."""

    name = models.CharField(_("rollup"), max_length=40, unique=True)
    zone = models.CharField(_("time zone"), max_length=64)
    rebuilt_at = models.DateTimeField(_("rebuilt at"))

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup states")

    def __str__(self):
        return f"{self.name} ({self.zone})"


class CustomerRollup(models.Model):
    """Customers per local month of creation, owner, team, lifecycle stage, source and level, with the sums
    of their data-quality and churn-risk scores (averages divide them by the count)."""

    month = models.DateField()
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    lifecycle_stage = models.CharField(max_length=32)
    source = models.CharField(max_length=32)
    level = models.CharField(max_length=1)
    customers = models.BigIntegerField(default=0)
    quality_sum = models.BigIntegerField(default=0)
    churn_sum = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("customer rollup")
        verbose_name_plural = _("customer rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "owner_id", "team_id", "lifecycle_stage", "source", "level"],
                name="customerrollup_key",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"{self.month} · owner {self.owner_id} · {self.lifecycle_stage} · {self.source}"


class OpportunityRollup(models.Model):
    """Opportunities per local month of creation and of closing, status, pipeline, stage, owner, team and
    currency, with the sum of their amounts in that currency (converted per currency when read)."""

    created_month = models.DateField()
    closed_month = models.DateField(null=True)
    status = models.CharField(max_length=8)
    pipeline_id = models.BigIntegerField()
    stage_id = models.BigIntegerField()
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    currency = models.CharField(max_length=3)
    deals = models.BigIntegerField(default=0)
    amount_sum = models.DecimalField(max_digits=24, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("opportunity rollup")
        verbose_name_plural = _("opportunity rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["created_month", "closed_month", "status", "pipeline_id", "stage_id", "owner_id", "team_id",
                        "currency"],
                name="opportunityrollup_key",
                nulls_distinct=False,
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.created_month} · stage {self.stage_id} · owner {self.owner_id} · {self.currency}"
