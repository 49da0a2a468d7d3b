"""Opportunities (销售机会) on a pipeline of stages, with their product lines and stage changes."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.scope import ScopedQuerySet

from .base import SalesRecord, currency_field, money_field, user_field
from .products import Product


class Pipeline(models.Model):
    """A sales process (per team or product line) with its own stages."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="pipeline_one_default"
            )
        ]

    def __str__(self):
        return self.name


class Stage(models.Model):
    """A step of a pipeline with the chance that a deal in it is won; won and lost stages close a deal."""

    pipeline = models.ForeignKey(Pipeline, verbose_name=_("pipeline"), on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    is_won = models.BooleanField(_("won stage"), default=False)
    is_lost = models.BooleanField(_("lost stage"), default=False)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_unique_name"),
            models.CheckConstraint(condition=~models.Q(is_won=True, is_lost=True), name="stage_not_won_and_lost"),
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="stage_probability_percent"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_closed(self):
        return self.is_won or self.is_lost


class Opportunity(SalesRecord):
    """A sales opportunity (销售机会): a deal with a customer moving through a pipeline's stages."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="opportunities"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    pipeline = models.ForeignKey(Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="+")
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="opportunities")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    amount = money_field(_("amount"), validators=[MinValueValidator(0)])
    currency = currency_field()
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    campaign = models.ForeignKey(
        "marketing.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_date = models.DateField(_("next step due"), null=True, blank=True)
    close_reason = models.CharField(_("won/lost reason"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    stage_entered_at = models.DateTimeField(_("in this stage since"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-id"]
        permissions = [("export_opportunity", _("Can export opportunities"))]
        indexes = [
            # The board's totals read only this index (amount and scope columns included).
            models.Index(
                fields=["pipeline", "status", "stage", "currency"],
                include=["amount", "owner", "team"],
                name="opportunity_board",
            ),
            # Each board column's first cards: soonest to close first, straight from the index.
            models.Index(
                fields=["pipeline", "stage", "status", "expected_close_date", "-id"], name="opportunity_board_cards"
            ),
            models.Index(fields=["stage", "-amount"], name="opportunity_stage_amount"),
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="opportunity_name_trgm"),
            models.Index(fields=["owner", "status", "-created_at"], name="opportunity_owner_status"),
            models.Index(fields=["team", "status", "-created_at"], name="opportunity_team_status"),
            models.Index(fields=["status", "expected_close_date"], name="opportunity_close_date"),
            models.Index(fields=["status", "closed_at"], name="opportunity_closed"),
            models.Index(fields=["campaign", "status"], name="opportunity_campaign"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("sales:opportunity-detail", args=[self.pk])

    @property
    def weighted_amount(self):
        return self.amount * self.stage.probability / 100


class OpportunityLine(models.Model):
    """A product the opportunity is about, with quantity and expected price."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    unit_price = money_field(_("unit price"), validators=[MinValueValidator(0)])

    objects = ScopedQuerySet.as_manager()

    scope_parent = "opportunity"

    class Meta:
        verbose_name = _("opportunity product")
        verbose_name_plural = _("opportunity products")
        ordering = ["id"]

    def __str__(self):
        return f"{self.product} × {self.quantity}"


class StageChange(models.Model):
    """An opportunity entered a stage; it left when the next change of the same opportunity began."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage, verbose_name=_("from stage"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, verbose_name=_("to stage"), on_delete=models.CASCADE, related_name="+")
    entered_at = models.DateTimeField(_("entered at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    changed_by = user_field(_("changed by"))

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["opportunity", "entered_at", "id"]

    def __str__(self):
        return f"{self.opportunity}: {self.to_stage}"
