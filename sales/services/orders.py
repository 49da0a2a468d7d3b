"""Writes to orders: lines with server-side totals, the status workflow, stock on confirmation."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit import log_action
from crm.models import BehaviourLog
from customers.services.care import care_after_purchase

from ..models import Order, OrderLine, Product
from ..money import line_amounts, order_amounts
from .common import copy_fields, lock_current
from .opportunities import check_owner

ORDER_FIELDS = ["customer", "opportunity", "ordered_on", "currency", "notes", "external_id"]
LINE_KEYS = ("product", "description", "quantity", "unit_price", "discount_percent")

# Which status may follow which; confirming and cancelling have their own services (stock moves).
NEXT_STATUS = {
    Order.Status.CONFIRMED: {Order.Status.SHIPPED},
    Order.Status.SHIPPED: {Order.Status.COMPLETED},
}


def _write_lines(order: Order, lines: list[dict]) -> None:
    if not lines:
        raise ValidationError(_("An order needs at least one line."))
    order.lines.all().delete()
    rows = []
    for number, line in enumerate(lines, start=1):
        line = {key: line[key] for key in LINE_KEYS if key in line}
        line.setdefault("discount_percent", 0)
        if line.get("unit_price") is None:
            line["unit_price"] = line["product"].price
        row = OrderLine(order=order, **line)
        row.line_total = line_amounts(
            quantity=row.quantity, unit_price=row.unit_price, discount_percent=row.discount_percent
        ).total
        try:
            row.full_clean(exclude=["order"])
        except ValidationError as error:
            raise ValidationError(
                _("Line %(number)s: %(errors)s") % {"number": number, "errors": " ".join(error.messages)}
            ) from error
        rows.append(row)
    OrderLine.objects.bulk_create(rows)
    amounts = order_amounts(
        {"quantity": r.quantity, "unit_price": r.unit_price, "discount_percent": r.discount_percent} for r in rows
    )
    order.subtotal, order.discount_total, order.total = amounts.gross, amounts.discount, amounts.total


@transaction.atomic
def order_create(*, actor, data: dict, lines: list[dict], owner=None) -> Order:
    owner = owner or actor
    check_owner(actor=actor, owner=owner)
    order = Order(owner=owner, team_id=owner.team_id, created_by=actor)
    copy_fields(order, data, ORDER_FIELDS)
    order.full_clean(exclude=["number"])
    order.save()
    _write_lines(order, lines)
    order.number = f"SO{order.ordered_on:%Y%m%d}{order.pk:06d}"
    order.save()
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=order, detail={"total": str(order.total)})
    return order


@transaction.atomic
def order_update(*, actor, order: Order, data: dict, lines: list[dict] | None, version) -> Order:
    current = lock_current(Order, order, version=version)
    if current.status != Order.Status.DRAFT:
        raise ValidationError(_("Only a draft order can be changed."))
    changed = copy_fields(current, data, ORDER_FIELDS)
    if lines is not None:
        _write_lines(current, lines)
        changed.append("lines")
    current.full_clean()
    current.version += 1
    current.save()
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=current, detail={"fields": changed})
    return current


@transaction.atomic
def order_confirm(*, actor, order: Order, version=None) -> Order:
    """Confirm a draft and take its products out of stock — all lines or, if one is short, none.

    Each decrement is a conditional UPDATE: of two users confirming the last unit at once, the second
    waits for the first's row lock, then finds too little stock and gets a message naming the product.
    """
    current = lock_current(Order, order, version=version)
    if current.status != Order.Status.DRAFT:
        raise ValidationError(_("This order is already %(status)s.") % {"status": current.get_status_display()})
    needed: dict[int, int] = {}
    for product_id, quantity in current.lines.values_list("product_id", "quantity"):
        needed[product_id] = needed.get(product_id, 0) + quantity
    # Always in product order, so two orders sharing products cannot deadlock.
    for product_id in sorted(needed):
        taken = Product.objects.filter(pk=product_id, stock_on_hand__gte=needed[product_id]).update(
            stock_on_hand=F("stock_on_hand") - needed[product_id]
        )
        if not taken:
            product = Product.objects.get(pk=product_id)
            raise ValidationError(
                _("Not enough stock of %(product)s: %(available)s left, this order needs %(needed)s.")
                % {"product": product, "available": product.stock_on_hand, "needed": needed[product_id]}
            )
    current.status, current.confirmed_at = Order.Status.CONFIRMED, timezone.now()
    current.version += 1
    current.save(update_fields=["status", "confirmed_at", "version", "updated_at"])
    care_after_purchase(customer=current.customer, purchased_on=current.ordered_on)
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=current, detail={"status": current.status})
    return current


@transaction.atomic
def order_cancel(*, actor, order: Order, version=None) -> Order:
    """Cancel a draft or confirmed order; a confirmed one puts its products back in stock."""
    current = lock_current(Order, order, version=version)
    if current.status not in (Order.Status.DRAFT, Order.Status.CONFIRMED):
        raise ValidationError(_("A shipped or completed order cannot be cancelled."))
    if current.status == Order.Status.CONFIRMED:
        for product_id, quantity in sorted(current.lines.values_list("product_id", "quantity")):
            Product.objects.filter(pk=product_id).update(stock_on_hand=F("stock_on_hand") + quantity)
    current.status = Order.Status.CANCELLED
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=current, detail={"status": current.status})
    return current


@transaction.atomic
def order_advance(*, actor, order: Order, status: str, version=None) -> Order:
    """Move a confirmed order on: shipped, then completed."""
    current = lock_current(Order, order, version=version)
    if status not in Order.Status.values:
        # A forged or empty form value: refuse it as bad input instead of failing on the label below.
        raise ValidationError(_("Choose a valid order status."))
    if status not in NEXT_STATUS.get(current.status, set()):
        raise ValidationError(
            _("An order that is %(status)s cannot become %(next)s.")
            % {"status": current.get_status_display(), "next": Order.Status(status).label}
        )
    current.status = status
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=current, detail={"status": status})
    return current
