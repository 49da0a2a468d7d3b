"""Products and their categories (a tree): price, unit and stock on hand."""

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel

from .base import currency_field, money_field


class ProductCategory(models.Model):
    """A node of the product tree (a category may sit under another)."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="productcategory_unique_name")]

    def __str__(self):
        return self.name


class Product(TimeStampedModel):
    """Something the company sells, with its list price and the stock on hand."""

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    # The record's id in another system, for upserts through the API; unique when set.
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
    )
    unit = models.CharField(_("unit"), max_length=20, default="pcs")
    price = money_field(_("price"), validators=[MinValueValidator(0)])
    currency = currency_field()
    stock_on_hand = models.IntegerField(_("stock on hand"), default=0, validators=[MinValueValidator(0)])
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "id"]
        constraints = [
            # The last line of defence for the stock race: confirming an order never takes it below zero.
            models.CheckConstraint(condition=models.Q(stock_on_hand__gte=0), name="product_stock_not_negative"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="product_price_not_negative"),
        ]
        indexes = [models.Index(fields=["is_active", "name"], name="product_active_name")]

    def __str__(self):
        return f"{self.name} ({self.sku})"

    def get_absolute_url(self):
        return reverse("sales:product-detail", args=[self.pk])
