"""What every sales model is built from: the currencies, the money, currency and user fields, the
exchange rates an administrator keeps by date, and ``SalesRecord``, the owned, versioned deal document."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel
from crm.scope import Module, ScopedQuerySet


class Currency(models.TextChoices):
    CNY = "CNY", _("Chinese yuan (CNY)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")
    HKD = "HKD", _("Hong Kong dollar (HKD)")
    JPY = "JPY", _("Japanese yen (JPY)")
    GBP = "GBP", _("Pound sterling (GBP)")


def currency_field():
    return models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)


def user_field(verbose_name):
    """An optional pointer to a user (who created, assigned, uploaded…) that outlives the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


def money_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, default=0, **kwargs)


class ExchangeRate(models.Model):
    """How many units of the base currency one unit of ``currency`` was worth from ``date`` on."""

    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    date = models.DateField(_("valid from"))
    rate = models.DecimalField(
        _("rate to base currency"), max_digits=18, decimal_places=8, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="exchangerate_unique_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchangerate_positive"),
        ]

    def __str__(self):
        return f"{self.currency} {self.date}: {self.rate}"


class SalesRecord(TimeStampedModel):
    """A deal document owned by a rep in a team (sales record scope), edited with a version check."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Raised by every save in the services; a form posts the version it was built from (no lost updates).
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = user_field(_("created by"))

    objects = ScopedQuerySet.as_manager()

    scope_module = Module.SALES
    scope_owner_field = "owner"
    scope_team_field = "team"

    class Meta:
        abstract = True
