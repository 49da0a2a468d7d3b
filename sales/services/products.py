"""Writes to the product catalogue."""

from django.db import transaction

from crm.audit import log_action
from crm.models import BehaviourLog

from ..models import Product, ProductCategory
from .common import copy_fields

PRODUCT_FIELDS = [
    "sku", "name", "category", "unit", "price", "currency", "stock_on_hand", "is_active", "description", "external_id",
]  # fmt: skip


@transaction.atomic
def product_create(*, actor, data: dict) -> Product:
    product = Product()
    copy_fields(product, data, PRODUCT_FIELDS)
    product.full_clean()
    product.save()
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=product)
    return product


@transaction.atomic
def product_update(*, actor, product: Product, data: dict) -> Product:
    product = Product.objects.select_for_update().get(pk=product.pk)
    changed = copy_fields(product, data, PRODUCT_FIELDS)
    product.full_clean()
    product.save()
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=product, detail={"fields": changed})
    return product


@transaction.atomic
def category_create(*, actor, name: str, parent: ProductCategory | None = None) -> ProductCategory:
    category = ProductCategory(name=name, parent=parent)
    category.full_clean()
    category.save()
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=category)
    return category
