"""Contracts (合同), their yearly numbering and their files."""

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.scope import ScopedQuerySet

from .base import SalesRecord, currency_field, money_field, user_field
from .opportunities import Opportunity
from .orders import Order


class Contract(SalesRecord):
    """A contract (合同) with a customer, numbered from ``settings.CONTRACT_NUMBER_PATTERN``."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    number = models.CharField(_("number"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contracts"
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
    )
    order = models.ForeignKey(
        Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.SET_NULL, related_name="contracts"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    amount = money_field(_("amount"), validators=[MinValueValidator(0)])
    currency = currency_field()
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="contract_dates"),
        ]
        indexes = [
            models.Index(fields=["status", "end_date"], name="contract_status_end"),
            models.Index(fields=["owner", "-start_date"], name="contract_owner_start"),
            models.Index(fields=["team", "-start_date"], name="contract_team_start"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("sales:contract-detail", args=[self.pk])


class ContractNumberCounter(models.Model):
    """The last sequence number handed out for one period of the contract-number pattern."""

    period = models.CharField(max_length=32, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("contract number counter")
        verbose_name_plural = _("contract number counters")

    def __str__(self):
        return f"{self.period}: {self.last}"


def contract_file_path(instance, filename):
    return f"contracts/{instance.contract_id}/{filename}"


class ContractFile(models.Model):
    """A scan or document attached to a contract; size and type are checked on upload."""

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=contract_file_path)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = user_field(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_parent = "contract"

    class Meta:
        verbose_name = _("contract file")
        verbose_name_plural = _("contract files")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.name
