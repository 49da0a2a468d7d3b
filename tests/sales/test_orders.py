"""Orders: server-side totals, the status workflow, stock on confirmation (with the race), the PDF."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sales.models import Order, Product
from sales.services import orders as services
from sales.services.common import StaleEdit
from tests.factories import CustomerFactory

from .factories import OpportunityFactory, OrderFactory, OrderLineFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _order(actor, lines, customer=None):
    customer = customer or CustomerFactory(owner=actor)
    return services.order_create(
        actor=actor, data={"customer": customer, "ordered_on": "2026-05-01", "currency": "CNY"}, lines=lines
    )


def test_totals_are_computed_on_the_server(client_for, rep_user):
    widget = ProductFactory(price=Decimal("33.33"))
    gadget = ProductFactory(price=Decimal("10"))
    customer = CustomerFactory(owner=rep_user)
    data = {
        "customer": customer.pk, "ordered_on": "2026-05-01", "currency": "CNY",
        "lines-TOTAL_FORMS": 3, "lines-INITIAL_FORMS": 0,
        "lines-0-product": widget.pk, "lines-0-quantity": 3, "lines-0-discount_percent": "12.5",
        "lines-1-product": gadget.pk, "lines-1-quantity": 2, "lines-1-unit_price": "9.99",
    }  # fmt: skip
    response = client_for(rep_user).post(reverse("sales:order-create"), data)
    assert response.status_code == 302, (response.context["form"].errors, response.context["formset"].errors)
    order = Order.objects.get()
    lines = list(order.lines.order_by("pk"))
    assert lines[0].unit_price == Decimal("33.33") and lines[0].line_total == Decimal("87.49")
    assert lines[1].unit_price == Decimal("9.99") and lines[1].line_total == Decimal("19.98")
    assert order.subtotal == Decimal("119.97") and order.discount_total == Decimal("12.50")
    assert order.total == sum(line.line_total for line in lines)
    assert order.number.startswith("SO20260501")


def test_an_order_without_lines_is_refused_and_nothing_saved(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user)
    data = {"customer": customer.pk, "ordered_on": "2026-05-01", "currency": "CNY",
            "lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 0}  # fmt: skip
    response = client_for(rep_user).post(reverse("sales:order-create"), data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not Order.objects.exists()


def test_confirming_takes_stock_and_cancelling_puts_it_back(rep_user):
    product = ProductFactory(stock_on_hand=5)
    order = _order(rep_user, [{"product": product, "quantity": 2}, {"product": product, "quantity": 1}])
    services.order_confirm(actor=rep_user, order=order)
    product.refresh_from_db()
    assert product.stock_on_hand == 2
    services.order_cancel(actor=rep_user, order=order)
    product.refresh_from_db()
    assert product.stock_on_hand == 5


def test_short_stock_names_the_product_and_takes_nothing(rep_user):
    plenty, scarce = ProductFactory(stock_on_hand=10), ProductFactory(name="稀缺零件", stock_on_hand=1)
    order = _order(rep_user, [{"product": plenty, "quantity": 3}, {"product": scarce, "quantity": 2}])
    with pytest.raises(ValidationError) as caught:
        services.order_confirm(actor=rep_user, order=order)
    assert "稀缺零件" in caught.value.messages[0]
    plenty.refresh_from_db()
    order.refresh_from_db()
    assert plenty.stock_on_hand == 10 and order.status == Order.Status.DRAFT


def test_workflow_only_moves_forward(rep_user):
    order = _order(rep_user, [{"product": ProductFactory(), "quantity": 1}])
    with pytest.raises(ValidationError):
        services.order_advance(actor=rep_user, order=order, status=Order.Status.SHIPPED)
    services.order_confirm(actor=rep_user, order=order)
    services.order_advance(actor=rep_user, order=order, status=Order.Status.SHIPPED)
    services.order_advance(actor=rep_user, order=order, status=Order.Status.COMPLETED)
    with pytest.raises(ValidationError):
        services.order_cancel(actor=rep_user, order=order)


@pytest.mark.parametrize("forged", ["", "teleported"])
def test_an_unknown_order_status_is_refused_as_bad_input_not_a_crash(client_for, rep_user, forged):
    order = _order(rep_user, [{"product": ProductFactory(), "quantity": 1}])
    services.order_confirm(actor=rep_user, order=order)
    response = client_for(rep_user).post(
        reverse("sales:order-advance", args=[order.pk]), {"status": forged}, follow=True
    )
    assert response.status_code == 200
    assert "Choose a valid order status." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED


def test_editing_a_changed_order_is_refused(rep_user):
    order = _order(rep_user, [{"product": ProductFactory(), "quantity": 1}])
    services.order_update(actor=rep_user, order=order, data={"notes": "first"}, lines=None, version=1)
    with pytest.raises(StaleEdit):
        services.order_update(actor=rep_user, order=order, data={"notes": "second"}, lines=None, version=1)
    order.refresh_from_db()
    assert order.notes == "first"


def test_confirm_page_shows_the_stock_message(client_for, rep_user):
    order = _order(rep_user, [{"product": ProductFactory(stock_on_hand=0, name="Sold out"), "quantity": 1}])
    response = client_for(rep_user).post(reverse("sales:order-confirm", args=[order.pk]), follow=True)
    assert "Sold out" in response.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_users_confirming_the_last_unit_one_wins_one_is_told(rep_user, other_rep):
    """Two threads, two database connections, one unit: exactly one confirmation succeeds."""
    product = ProductFactory(stock_on_hand=1, name="最后一台")
    first = _order(rep_user, [{"product": product, "quantity": 1}])
    second = _order(other_rep, [{"product": product, "quantity": 1}])
    barrier = threading.Barrier(2)
    outcomes = {}

    def confirm(order, actor):
        try:
            barrier.wait(timeout=10)
            services.order_confirm(actor=actor, order=order)
            outcomes[order.pk] = "ok"
        except ValidationError as error:
            outcomes[order.pk] = error.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=args) for args in ((first, rep_user), (second, other_rep))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(v == "ok" for v in outcomes.values()) == [False, True]
    refused = next(v for v in outcomes.values() if v != "ok")
    assert "最后一台" in refused
    product.refresh_from_db()
    assert product.stock_on_hand == 0
    assert Order.objects.filter(status=Order.Status.CONFIRMED).count() == 1


def test_pdf_embeds_the_chinese_cid_font(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user, name="上海华信科技有限公司")
    order = _order(rep_user, [{"product": ProductFactory(name="工业泵"), "quantity": 1}], customer=customer)
    response = client_for(rep_user).get(reverse("sales:order-pdf", args=[order.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF") and b"STSong-Light" in body


def test_order_list_queries_are_flat(client_for, manager, rep_user):
    client = client_for(manager)
    for _ in range(3):
        OrderLineFactory(order=OrderFactory(customer=CustomerFactory(owner=rep_user)))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("sales:order-list"))
    for _ in range(40):
        OrderFactory(customer=CustomerFactory(owner=rep_user))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("sales:order-list"), {"status": "draft"})
    assert response.status_code == 200
    assert len(few) == len(many) <= 12


def test_product_stock_never_negative_at_the_database():
    from django.db import IntegrityError, transaction

    product = ProductFactory(stock_on_hand=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(stock_on_hand=-1)


def test_an_order_started_from_an_opportunity_offers_its_customer_once(client_for, rep_user, monkeypatch):
    """The customer select lists only the most recently changed customers; an order made from an
    opportunity of an older one still offers (and preselects) that customer, exactly once."""
    monkeypatch.setattr("sales.forms.CUSTOMER_CHOICES", 1)
    older = CustomerFactory(owner=rep_user, name="Older Ltd")
    CustomerFactory(owner=rep_user, name="Newer Ltd")
    opportunity = OpportunityFactory(owner=rep_user, customer=older)
    response = client_for(rep_user).get(reverse("sales:order-create") + f"?opportunity={opportunity.pk}")
    choices = [value for value, _label in response.context["form"].fields["customer"].widget.choices]
    assert choices.count(older.pk) == 1
    assert response.context["form"]["customer"].value() == older.pk
