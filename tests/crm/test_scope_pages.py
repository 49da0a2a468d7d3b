"""A list page read through each part of the scope (own, team, shared records; crm.scope.first_rows) is the same
page, row for row, as the plain scoped query's: for every scope, order, filter and page, and never a row outside
the scope."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.pagination import CappedPaginator
from crm.scope import first_rows
from customers.models import Contact, Customer, CustomerShare
from tests.factories import ContactFactory, CustomerFactory
from tests.list_rows import shown_customers

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(rep_user, other_rep, far_rep):
    """Customers of three owners in two teams, some of the far rep's shared with the rep, created at interleaved
    moments (ties included) so that every page mixes the parts."""
    start = timezone.now()
    owners = [rep_user, other_rep, far_rep]
    for n in range(90):
        owner = owners[n % 3]
        name = f"{'Acme' if n % 2 else 'Globex'} {n % 7} Ltd."
        customer = CustomerFactory(owner=owner, name=name)
        Customer.objects.filter(pk=customer.pk).update(created_at=start - timedelta(minutes=n // 2))
        ContactFactory(customer=customer, name=f"Contact {n % 11}")
        if owner == far_rep and n % 2:
            CustomerShare.objects.create(customer=customer, user=rep_user)
    return start


def _pages(queryset, per_page=7):
    paginator = CappedPaginator(queryset, per_page)
    return [list(paginator.page(n)) for n in paginator.page_range]


@pytest.mark.parametrize("user_fixture", ["rep_user", "manager", "far_rep", "executive"])
@pytest.mark.parametrize(
    "order", [("-created_at", "-id"), ("name", "id"), ("-name", "-id"), ("level", "-created_at", "-id")]
)
def test_customer_pages_are_those_of_the_plain_query(request, book, user_fixture, order):
    user = request.getfixturevalue(user_fixture)
    for text in ("", "acme"):
        scoped = Customer.objects.visible_to(user).order_by(*order)
        if text:
            scoped = scoped.filter(search_document__contains=text)
        plain = list(scoped)
        assert plain, (user, text)
        assert sum(_pages(scoped), []) == plain, (user, order, text)


def test_rows_that_tie_in_the_order_are_shown_once_each(book, rep_user):
    scoped = Customer.objects.visible_to(rep_user).order_by("name")  # seven names among dozens of customers
    shown = sum(_pages(scoped), [])
    assert sorted(c.pk for c in shown) == sorted(c.pk for c in scoped)
    assert [c.name for c in shown] == sorted(c.name for c in scoped)


@pytest.mark.parametrize("user_fixture", ["rep_user", "manager", "executive"])
def test_contact_pages_are_those_of_the_plain_query(request, book, user_fixture):
    user = request.getfixturevalue(user_fixture)
    for order in (("name", "id"), ("-id",)):
        scoped = Contact.objects.visible_to(user).order_by(*order)
        assert sum(_pages(scoped), []) == list(scoped), (user, order)


def test_each_part_is_read_through_its_own_index_order(book, rep_user):
    scoped = Customer.objects.visible_to(rep_user).order_by("-created_at", "-id")
    with CaptureQueriesContext(connection) as captured:
        list(first_rows(scoped, 10)[:10])
    sql = captured.captured_queries[-1]["sql"]
    assert "UNION ALL" in sql and sql.count("LIMIT 10") == 3  # the own and the shared part, and the page


def test_a_team_scope_is_read_as_it_is(book, manager):
    # Its parts (several teams, the manager's own records inside the team's) would only sort the same rows again.
    scoped = Customer.objects.visible_to(manager).order_by("-created_at", "-id")
    assert "UNION" not in str(first_rows(scoped, 10).query)


def test_a_combined_queryset_is_read_as_it_is(book, rep_user, far_rep):
    either = Customer.objects.visible_to(rep_user) | Customer.objects.visible_to(far_rep)
    assert first_rows(either.order_by("-created_at", "-id"), 5).query.combinator is None
    assert "UNION" not in str(first_rows(either.order_by("-created_at", "-id"), 5).query)
    both = Customer.objects.visible_to(rep_user) & Customer.objects.filter(name__startswith="Acme")
    assert sum(_pages(both.order_by("name", "id")), []) == list(both.order_by("name", "id"))


def test_list_pages_show_the_same_rows_as_before(client_for, book, rep_user):
    client = client_for(rep_user)
    expected = list(Customer.objects.visible_to(rep_user).order_by("-created_at", "-id"))
    shown = []
    for page in (1, 2):
        shown += shown_customers(client.get(reverse("customers:customer-list"), {"page": page}).context["page"])
    assert shown == expected[: len(shown)] and len(shown) == min(len(expected), 50)
