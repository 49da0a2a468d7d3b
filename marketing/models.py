"""Marketing campaigns and what hangs off them (events, sends, assets)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel
from crm.scope import Module, ScopedQuerySet


class Campaign(TimeStampedModel):
    """A marketing campaign (市场营销活动): an effort with a budget that should bring leads and revenue.

    Sales leads point at the campaign that produced them (``sales.Lead.campaign``); the campaign's
    effect (leads, conversions, won revenue, ROI) is gathered through ``marketing.effect``.
    """

    class Kind(models.TextChoices):
        EVENT = "event", _("Event")
        EMAIL = "email", _("E-mail")
        EXHIBITION = "exhibition", _("Exhibition")
        WEBINAR = "webinar", _("Webinar")
        ADVERTISING = "advertising", _("Advertising")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.EVENT)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="campaigns"
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, default=0)
    actual_cost = models.DecimalField(_("actual cost"), max_digits=14, decimal_places=2, default=0)
    expected_revenue = models.DecimalField(_("expected revenue"), max_digits=14, decimal_places=2, default=0)
    target_groups = models.ManyToManyField(
        "customers.CustomerGroup", verbose_name=_("target customer groups"), blank=True, related_name="campaigns"
    )
    description = models.TextField(_("description"), blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_module = Module.MARKETING
    scope_owner_field = "owner"
    scope_team_field = "team"

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="campaign_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["owner", "-start_date"], name="campaign_owner_start")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("marketing:campaign-detail", args=[self.pk])
