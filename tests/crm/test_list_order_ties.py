"""Every paginated list shows each of its rows exactly once as its pages are walked, for every sort it offers,
when many rows tie on the sort's keys (same name, same moment, same amount …): the list's order ends with the
primary key, in the direction of its main key (crm.ordering)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from crm.ordering import unique_order, unique_ordering
from crm.pagination import CappedPaginator
from customers.models import Communication, Contact, Customer
from marketing.models import Campaign, Event
from sales.models import Contract, Lead, Opportunity, Order, Product
from service.models import Ticket
from tests.factories import CommunicationFactory, ContactFactory, CustomerFactory, UserFactory
from tests.list_rows import row_pk
from tests.marketing.factories import CampaignFactory, EventFactory
from tests.sales.factories import ContractFactory, LeadFactory, OpportunityFactory, OrderFactory, ProductFactory
from tests.service.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db

# More rows than two pages hold, so that PostgreSQL sorts a page's rows in a bounded heap, which orders ties
# differently for every LIMIT.
ROWS = 130


def _customer(owner):
    return CustomerFactory(owner=owner, name="Same Name Ltd.", level="A")


def _customers(owner):
    for _ in range(ROWS):
        _customer(owner)
    return Customer.objects.all()


def _contacts(owner):
    customer = _customer(owner)
    for _ in range(ROWS):
        ContactFactory(customer=customer, name="Wang Jianhua")
    return Contact.objects.all()


def _communications(owner):
    customer, moment = _customer(owner), timezone.now() - timedelta(hours=1)
    for _ in range(ROWS):
        CommunicationFactory(customer=customer, owner=owner, occurred_at=moment)
    return Communication.objects.all()


def _leads(owner):
    for _ in range(ROWS):
        LeadFactory(owner=owner, name="Same Lead", touched_at=timezone.now())
    return Lead.objects.all()


def _opportunities(owner):
    customer, close = _customer(owner), timezone.localdate() + timedelta(days=10)
    for _ in range(ROWS):
        OpportunityFactory(customer=customer, name="Same Deal", amount=1000, expected_close_date=close)
    return Opportunity.objects.all()


def _orders(owner):
    customer = _customer(owner)
    for _ in range(ROWS):
        OrderFactory(customer=customer, total=Decimal("100.00"))
    return Order.objects.all()


def _contracts(owner):
    customer = _customer(owner)
    for _ in range(ROWS):
        ContractFactory(customer=customer, start_date=timezone.localdate(), end_date=timezone.localdate())
    return Contract.objects.all()


def _products(owner):
    for n in range(ROWS):
        ProductFactory(name="Same Product", sku=f"SAME-{n}")
    return Product.objects.all()


def _tickets(owner):
    customer, queue, due = _customer(owner), QueueFactory(), timezone.now() + timedelta(days=1)
    for _ in range(ROWS):
        TicketFactory(customer=customer, queue=queue, priority=Ticket.Priority.NORMAL, resolution_due_at=due)
    return Ticket.objects.all()


def _campaigns(owner):
    for _ in range(ROWS):
        CampaignFactory(owner=owner, name="Same Campaign", start_date=timezone.localdate())
    return Campaign.objects.all()


def _events(owner):
    campaign, starts = CampaignFactory(owner=owner), timezone.now() + timedelta(days=7)
    for _ in range(ROWS):
        EventFactory(campaign=campaign, theme="Same Theme", starts_at=starts, capacity=50)
    return Event.objects.all()


LISTS = {
    "customers:customer-list": (_customers, {}),
    "customers:contact-list": (_contacts, {}),
    "customers:communication-list": (_communications, {}),
    "sales:lead-list": (_leads, {}),
    "sales:opportunity-list": (_opportunities, {}),
    "sales:order-list": (_orders, {}),
    "sales:contract-list": (_contracts, {}),
    "sales:product-list": (_products, {}),
    "service:ticket-list": (_tickets, {"view": "all"}),
    "marketing:campaign-list": (_campaigns, {}),
    "marketing:event-list": (_events, {}),
}


def _same_moments(rows):
    """Every row created (and updated) at one moment, as a bulk load or an import writes them."""
    moment = timezone.now() - timedelta(days=1)
    fields = {f.name for f in rows.model._meta.get_fields() if f.concrete}
    rows.update(**{name: moment for name in ("created_at", "updated_at") if name in fields})


def _walk(client, url, params):
    """The primary keys of every row the list shows, page after page, in the order shown."""
    shown, number = [], 1
    while True:
        page = client.get(url, {**params, "page": number}).context["page"]
        shown += [row_pk(row) for row in page]
        if not page.has_next():
            return shown
        number += 1


@pytest.mark.parametrize("url_name", list(LISTS))
def test_every_row_shows_once_across_pages_for_every_sort(client_for, url_name):
    # given many rows that tie on every key each sort of the list offers
    make, params = LISTS[url_name]
    admin = UserFactory(is_superuser=True, is_staff=True)
    rows = make(admin)
    _same_moments(rows)
    expected = sorted(rows.values_list("pk", flat=True))
    client = client_for(admin)
    url = reverse(url_name)
    filterset = client.get(url, params).context.get("filter")
    sort_filter = filterset.filters.get("sort") if filterset is not None else None
    sorts = [""] + ([value for value, _label in sort_filter.extra["choices"]] if sort_filter else [])
    for sort in sorts:
        # when every page is walked
        shown = _walk(client, url, {**params, "sort": sort} if sort else params)
        # then each row shows exactly once
        assert sorted(shown) == expected, (url_name, sort)


@pytest.mark.parametrize("role", [roles.SALES_REP, roles.SALES_MANAGER])
@pytest.mark.parametrize("sort", ["name", "-name", "level", "-level", "created", "-updated"])
def test_a_scoped_customer_list_shows_tied_rows_once(client_for, team, role, sort):
    # The manager's list is one query; the rep's is read through the parts of the scope (crm.scope.first_rows).
    user = UserFactory(role=role, team=team)
    if role == roles.SALES_MANAGER:
        team.manager = user
        team.save()
    rows = _customers(user)
    _same_moments(rows)
    shown = _walk(client_for(user), reverse("customers:customer-list"), {"sort": sort})
    assert sorted(shown) == sorted(rows.values_list("pk", flat=True))


def test_the_primary_key_follows_the_main_key_direction():
    assert unique_ordering(Customer.objects.order_by("name")) == ["name", "pk"]
    assert unique_ordering(Customer.objects.order_by("-name")) == ["-name", "-pk"]
    assert unique_ordering(Customer.objects.order_by("-level", "name")) == ["-level", "name", "-pk"]
    # Already total: left as it is.
    assert unique_ordering(Customer.objects.order_by("-created_at", "-id")) == ["-created_at", "-id"]
    assert unique_ordering(Customer.objects.all()) == ["-created_at", "-id"]  # the model's own ordering
    # Expressions: their direction counts.
    ordering = unique_ordering(Opportunity.objects.order_by(F("expected_close_date").desc(nulls_last=True)))
    assert ordering[-1] == "-pk"
    assert unique_ordering(Customer.objects.order_by(F("id").desc())) == [F("id").desc()]
    # Unordered: by primary key; a union keeps its own order.
    assert unique_ordering(Product.objects.order_by()) == ["pk"]
    union = Customer.objects.values("pk").union(Customer.objects.values("pk")).order_by("pk")
    assert unique_order(union) is union
    assert unique_order([3, 1, 2]) == [3, 1, 2]


def test_the_paginator_orders_by_the_primary_key_last(rep_user):
    paginator = CappedPaginator(Customer.objects.order_by("-name"), 25)
    assert paginator.object_list.query.order_by == ("-name", "-pk")
