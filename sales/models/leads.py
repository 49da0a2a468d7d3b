"""Leads (销售线索), their assignments and the round-robin cursor that hands new leads out in turn."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel
from crm.scope import Module, ScopedQuerySet
from customers.search import SearchableModel, search_indexes
from customers.search_text import phone_digits
from customers.validators import validate_phone

from .base import user_field


class Lead(SearchableModel, TimeStampedModel):
    """A sales lead (销售线索): someone who may buy, not yet a customer.

    Converting a qualified lead creates the customer, its contact and an opportunity in one go.
    """

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        QUALIFIED = "qualified", _("Qualified")
        DISQUALIFIED = "disqualified", _("Disqualified")
        CONVERTED = "converted", _("Converted")

    name = models.CharField(_("contact name"), max_length=100)
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True, unique=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    source = models.CharField(_("source"), max_length=32, blank=True)
    campaign = models.ForeignKey(
        "marketing.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)
    disqualified_reason = models.CharField(_("reason for disqualifying"), max_length=200, blank=True)
    # When someone last worked the lead (status change, edit, assignment); "untouched for N days" reads it.
    touched_at = models.DateTimeField(_("last worked on"), null=True, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    opportunity = models.ForeignKey(
        "Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("possible duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set for leads captured by marketing (prospect_captured): the same capture never makes two leads.
    reference = models.CharField(_("capture reference"), max_length=100, null=True, blank=True, unique=True)
    created_by = user_field(_("created by"))

    objects = ScopedQuerySet.as_manager()

    scope_module = Module.SALES
    scope_owner_field = "owner"
    scope_team_field = "team"

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("assign_lead", _("Can assign leads")),
            ("import_lead", _("Can import leads")),
            ("convert_lead", _("Can convert leads")),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="lead_owner_created"),
            models.Index(fields=["team", "-created_at"], name="lead_team_created"),
            models.Index(fields=["status", "touched_at"], name="lead_status_touched"),
            models.Index(fields=["campaign", "status"], name="lead_campaign_status"),
            *search_indexes("lead"),
        ]

    def search_parts(self):
        return [self.name, self.company, self.phone, phone_digits(self.phone), self.email]

    def __str__(self):
        return f"{self.name} · {self.company}" if self.company else self.name

    def get_absolute_url(self):
        return reverse("sales:lead-detail", args=[self.pk])


class LeadAssignment(models.Model):
    """One change of a lead's owner: who had it, who has it now, who decided and how."""

    class Method(models.TextChoices):
        MANUAL = "manual", _("Manual")
        ROUND_ROBIN = "round_robin", _("Round-robin")

    lead = models.ForeignKey(Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="assignments")
    from_owner = user_field(_("previous owner"))
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("new owner"), on_delete=models.CASCADE, related_name="+"
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    assigned_by = user_field(_("assigned by"))
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_parent = "lead"

    class Meta:
        verbose_name = _("lead assignment")
        verbose_name_plural = _("lead assignments")
        ordering = ["-assigned_at", "-id"]

    def __str__(self):
        return f"{self.lead} → {self.to_owner}"


class RoundRobinCursor(models.Model):
    """Who in a team got the last round-robin lead, so the next goes to the member after them."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="+")
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("round-robin position")
        verbose_name_plural = _("round-robin positions")

    def __str__(self):
        return f"{self.team}: {self.last_user}"
