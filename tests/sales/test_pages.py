"""Products, and every sales page rendering for the roles that use it, with flat list query counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sales.models import Product, ProductCategory, SalesTarget
from tests.factories import CustomerFactory

from .factories import ContractFactory, LeadFactory, OpportunityFactory, OrderFactory, OrderLineFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_manager_creates_and_edits_a_product(client_for, manager):
    parent = ProductCategory.objects.create(name="硬件")
    child = ProductCategory.objects.create(name="服务器", parent=parent)
    client = client_for(manager)
    data = {"sku": "SRV-1", "name": "机架服务器", "category": child.pk, "unit": "台", "price": "19999.00",
            "currency": "CNY", "stock_on_hand": 3, "is_active": "on"}  # fmt: skip
    response = client.post(reverse("sales:product-create"), data)
    product = Product.objects.get()
    assert response.status_code == 302 and product.price == Decimal("19999.00")
    client.post(reverse("sales:product-update", args=[product.pk]), {**data, "stock_on_hand": 5})
    product.refresh_from_db()
    assert product.stock_on_hand == 5
    # the category filter includes the categories below it
    page = client.get(reverse("sales:product-list"), {"category": parent.pk}).context["page"]
    assert list(page) == [product]


def test_duplicate_sku_and_negative_stock_are_refused_by_field(client_for, manager):
    ProductFactory(sku="DUP")
    response = client_for(manager).post(
        reverse("sales:product-create"),
        {"sku": "DUP", "name": "x", "unit": "pcs", "price": "1", "currency": "CNY", "stock_on_hand": -1},
    )
    errors = response.context["form"].errors
    assert "sku" in errors and "stock_on_hand" in errors
    assert Product.objects.count() == 1


def test_reps_read_products_but_cannot_edit(client_for, rep_user):
    client = client_for(rep_user)
    assert client.get(reverse("sales:product-list")).status_code == 200
    assert client.get(reverse("sales:product-create")).status_code == 403


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_page_renders_for_a_manager(client_for, manager, rep_user, language):
    manager.language = language
    manager.save(update_fields=["language"])
    customer = CustomerFactory(owner=rep_user)
    opportunity = OpportunityFactory(customer=customer, owner=rep_user)
    order = OrderFactory(customer=customer, owner=rep_user)
    OrderLineFactory(order=order)
    contract = ContractFactory(customer=customer, owner=rep_user)
    lead = LeadFactory(owner=rep_user)
    product = ProductFactory()
    client = client_for(manager)
    urls = [
        reverse("sales:product-list"), reverse("sales:product-detail", args=[product.pk]),
        reverse("sales:product-create"), reverse("sales:category-create"),
        reverse("sales:lead-list"), reverse("sales:lead-create"), reverse("sales:lead-detail", args=[lead.pk]),
        reverse("sales:lead-update", args=[lead.pk]), reverse("sales:lead-convert", args=[lead.pk]),
        reverse("sales:lead-import"),
        reverse("sales:opportunity-list"), reverse("sales:opportunity-board"),
        reverse("sales:opportunity-create") + f"?customer={customer.pk}",
        reverse("sales:opportunity-detail", args=[opportunity.pk]),
        reverse("sales:opportunity-update", args=[opportunity.pk]),
        reverse("sales:order-list"), reverse("sales:order-create") + f"?opportunity={opportunity.pk}",
        reverse("sales:order-detail", args=[order.pk]), reverse("sales:order-update", args=[order.pk]),
        reverse("sales:contract-list"), reverse("sales:contract-expiring"),
        reverse("sales:contract-create") + f"?order={order.pk}",
        reverse("sales:contract-detail", args=[contract.pk]), reverse("sales:contract-update", args=[contract.pk]),
        reverse("sales:target-list"), reverse("sales:target-create"), reverse("sales:forecast"),
        reverse("sales:performance"), reverse("customers:customer-timeline", args=[customer.pk]),
        reverse("home"),
    ]  # fmt: skip
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert "<script>" not in content and " onclick=" not in content, url


def _won_deal(owner):
    from django.utils import timezone

    from sales.models import Opportunity

    deal = OpportunityFactory(customer=CustomerFactory(owner=owner), owner=owner)
    Opportunity.objects.filter(pk=deal.pk).update(status="won", closed_at=timezone.now())


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("sales:lead-list", lambda owner: LeadFactory(owner=owner)),
        ("sales:contract-list", lambda owner: ContractFactory(customer=CustomerFactory(owner=owner), owner=owner)),
        ("sales:product-list", lambda owner: ProductFactory()),
        ("sales:contract-expiring", lambda owner: ContractFactory(customer=CustomerFactory(owner=owner), owner=owner)),
        (
            "sales:target-list",
            lambda owner: SalesTarget.objects.create(
                user=owner,
                period="month",
                period_start=date(2020, 1, 1) + timedelta(days=31 * SalesTarget.objects.count()),
                amount=1,
            ),
        ),
        ("sales:performance", _won_deal),
    ],
)
def test_list_query_counts_stay_flat(client_for, manager, rep_user, url_name, make, settings):
    # Every request draws its filter form afresh: the counts compare the pages, not the cache.
    settings.LIST_FILTER_CACHE_SECONDS = 0
    client = client_for(manager)
    for _ in range(3):
        make(rep_user)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(url_name))
    for _ in range(40):
        make(rep_user)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert len(few) == len(many) <= 12


def test_target_form_sets_a_quarter_from_its_first_month(client_for, manager, rep_user):

    response = client_for(manager).post(
        reverse("sales:target-create"),
        {"user": rep_user.pk, "period": "quarter", "period_start": "2026-05-17", "amount": "90000"},
    )
    assert response.status_code == 302
    target = SalesTarget.objects.get()
    assert str(target.period_start) == "2026-04-01"
    response = client_for(manager).post(
        reverse("sales:target-create"),
        {"user": rep_user.pk, "team": manager.team_id, "period": "month", "period_start": "2026-05-01", "amount": "1"},
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()


def test_order_and_contract_lists_sort(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user)
    small, big = OrderFactory(customer=customer, total=10), OrderFactory(customer=customer, total=900)
    client = client_for(rep_user)
    assert list(client.get(reverse("sales:order-list"), {"sort": "-total"}).context["page"]) == [big, small]
    assert list(client.get(reverse("sales:order-list"), {"sort": "total"}).context["page"]) == [small, big]
    first = ContractFactory(customer=customer, amount=1)
    second = ContractFactory(customer=customer, amount=2)
    assert list(client.get(reverse("sales:contract-list"), {"sort": "-amount"}).context["page"]) == [second, first]
