"""Sales targets per user or team and period."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import money_field


class SalesTarget(models.Model):
    """How much a user or a team should win in a month, quarter or year (in the base currency)."""

    class Period(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sales_targets",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sales_targets",
    )
    period = models.CharField(_("period"), max_length=8, choices=Period.choices, default=Period.MONTH)
    period_start = models.DateField(_("period starts"))
    amount = money_field(_("target amount"), validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ["-period_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=True, team__isnull=False)
                | models.Q(user__isnull=False, team__isnull=True),
                name="salestarget_user_or_team",
            ),
            models.UniqueConstraint(
                fields=["user", "period", "period_start"],
                condition=models.Q(user__isnull=False),
                name="salestarget_unique_user",
            ),
            models.UniqueConstraint(
                fields=["team", "period", "period_start"],
                condition=models.Q(team__isnull=False),
                name="salestarget_unique_team",
            ),
        ]

    def __str__(self):
        return f"{self.user or self.team} {self.get_period_display()} {self.period_start}: {self.amount}"
