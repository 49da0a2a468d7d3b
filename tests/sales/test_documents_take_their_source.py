"""An order line takes its product's price and a contract made from an order takes the order's amount,
unless the user enters another."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from sales.models import Contract, Order
from tests.factories import CustomerFactory

from .factories import OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_the_order_form_offers_each_products_price_to_fill_in(client_for, rep_user):
    ProductFactory(name="云服务器", price=Decimal("1234.50"))
    html = client_for(rep_user).get(reverse("sales:order-create")).content.decode()
    assert 'data-price="1234.50"' in html


def test_an_order_line_left_without_a_price_takes_the_products(client_for, rep_user):
    product = ProductFactory(price=Decimal("88.00"))
    data = {
        "customer": CustomerFactory(owner=rep_user).pk, "ordered_on": "2026-05-01", "currency": "CNY",
        "lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 0,
        "lines-0-product": product.pk, "lines-0-quantity": 2, "lines-0-unit_price": "",
    }  # fmt: skip
    assert client_for(rep_user).post(reverse("sales:order-create"), data).status_code == 302
    assert Order.objects.get().total == Decimal("176.00")


def test_a_contract_made_from_an_order_takes_its_amount(client_for, rep_user):
    order = OrderFactory(customer=CustomerFactory(owner=rep_user), total=Decimal("5000.00"), currency="USD")
    client = client_for(rep_user)
    detail = client.get(order.get_absolute_url()).content.decode()
    assert f"{reverse('sales:contract-create')}?order={order.pk}" in detail

    # the form comes with the order's amount, and one left empty is taken from the order too
    url = f"{reverse('sales:contract-create')}?order={order.pk}"
    assert client.get(url).context["form"].initial["amount"] == Decimal("5000.00")
    data = {
        "title": "年度服务合同", "customer": order.customer.pk, "order": order.pk, "start_date": date(2026, 1, 1),
        "end_date": date(2026, 12, 31), "amount": "", "currency": "CNY", "notes": "",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    contract = Contract.objects.get()
    assert (contract.order, contract.amount, contract.currency) == (order, Decimal("5000.00"), "USD")


LINE_FIELDS = ["product", "description", "quantity", "unit_price", "discount_percent"]


def test_the_order_lines_look_like_the_rest_of_the_form(client_for, rep_user):
    """Each line's product, quantity and price are Bootstrap fields like the order's own, not bare inputs."""
    html = client_for(rep_user).get(reverse("sales:order-create")).content.decode()
    tags = {name: html.split(f'id="id_lines-0-{name}"', 1)[0].rsplit("<", 1)[1] for name in LINE_FIELDS}
    assert 'class="form-select form-select-sm"' in tags["product"]
    for name in LINE_FIELDS[1:]:
        assert 'class="form-control form-control-sm"' in tags[name], tags[name]
