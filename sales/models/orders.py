"""Orders (销售订单) with their lines, discounts and totals."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.scope import ScopedQuerySet

from .base import SalesRecord, currency_field, money_field
from .opportunities import Opportunity
from .products import Product


class Order(SalesRecord):
    """A sales order (销售订单). Confirming it takes its products out of stock."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        SHIPPED = "shipped", _("Shipped")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=32, unique=True, null=True, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    ordered_on = models.DateField(_("order date"))
    currency = currency_field()
    subtotal = money_field(_("subtotal"))
    discount_total = money_field(_("discount"))
    total = money_field(_("total"))
    notes = models.TextField(_("notes"), blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-ordered_on", "-id"]
        permissions = [("confirm_order", _("Can confirm orders"))]
        indexes = [
            models.Index(fields=["owner", "-ordered_on"], name="order_owner_date"),
            models.Index(fields=["team", "-ordered_on"], name="order_team_date"),
            models.Index(fields=["customer", "status", "-ordered_on"], name="order_customer"),
            models.Index(fields=["status", "-ordered_on"], name="order_status_date"),
        ]

    def __str__(self):
        return self.number or _("Order %(pk)s") % {"pk": self.pk}

    def get_absolute_url(self):
        return reverse("sales:order-detail", args=[self.pk])


class OrderLine(models.Model):
    """One product on an order. ``line_total`` is computed by the service, never typed in."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = money_field(_("unit price"), validators=[MinValueValidator(0)])
    discount_percent = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    line_total = money_field(_("line total"))

    objects = ScopedQuerySet.as_manager()

    scope_parent = "order"

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="orderline_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0, discount_percent__lte=100), name="orderline_discount_range"
            ),
        ]

    def __str__(self):
        return f"{self.product} × {self.quantity}"
