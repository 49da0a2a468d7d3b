"""A list searched by text counts its matches only up to SEARCH_COUNT_LIMIT ("more than 1,000"), so a common word
costs the same as a rare one; its pages still go on past that count, one after the other, down to the
LIST_COUNT_LIMIT rows of any list, each match shown once. A list that is not searched counts as before."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.pagination import CappedPaginator
from customers.models import Contact, Customer
from tests.factories import CommunicationFactory, ContactFactory, CustomerFactory, UserFactory
from tests.list_rows import row_pk
from tests.sales.factories import LeadFactory
from tests.service.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db

MATCHES = 60  # three pages of 25


@pytest.fixture
def caps(settings):
    settings.SEARCH_COUNT_LIMIT = 30
    settings.LIST_COUNT_LIMIT = 1000
    settings.LIST_COUNT_CACHE_SECONDS = 0  # every request counts: the cap itself is under test


def _contacts(user):
    customer = CustomerFactory(owner=user, name="Huaxin Ltd.")
    return [ContactFactory(customer=customer, name=f"王建华 {n}").pk for n in range(MATCHES)]


def _customers(user):
    return [CustomerFactory(owner=user, name=f"Acme Trading {n}").pk for n in range(MATCHES)]


def _tickets(user):
    customer, queue = CustomerFactory(owner=user, name="物流 Ltd."), QueueFactory()
    return [TicketFactory(customer=customer, queue=queue, subject=f"物流 delay {n}").pk for n in range(MATCHES)]


def _leads(user):
    return [LeadFactory(owner=user, name=f"金桥 {n}").pk for n in range(MATCHES)]


def _communications(user):
    customer = CustomerFactory(owner=user, name="北京华信科技有限公司")
    return [CommunicationFactory(customer=customer, owner=user).pk for _ in range(MATCHES)]


SEARCHES = {
    "contacts": ("customers:contact-list", _contacts, {"q": "建华"}),
    "customers": ("customers:customer-list", _customers, {"q": "acme"}),
    "tickets": ("service:ticket-list", _tickets, {"q": "物流", "view": "all"}),
    "leads": ("sales:lead-list", _leads, {"q": "金桥"}),
    "communications": ("customers:communication-list", _communications, {"customer": "华信"}),
}


def _walk(client, url, params):
    shown, number = [], 1
    while True:
        response = client.get(url, {**params, "page": number})
        assert response.status_code == 200
        page = response.context["page"]
        shown += [row_pk(row) for row in page]
        if not page.has_next():
            return shown, response
        number += 1


@pytest.mark.parametrize("name", list(SEARCHES))
def test_a_search_counts_up_to_its_cap_and_pages_on_past_it(client_for, caps, name):
    url_name, make, params = SEARCHES[name]
    admin = UserFactory(is_superuser=True, is_staff=True)
    expected = make(admin)
    client = client_for(admin)
    url = reverse(url_name)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    page = response.context["page"]
    assert page.paginator.count == 31 and page.paginator.is_capped
    assert any("LIMIT 31" in q["sql"] for q in queries.captured_queries)
    assert "More than 30 records" in response.text and "Page 1<" in response.text
    assert page.has_next()

    shown, last = _walk(client, url, params)
    assert sorted(shown) == sorted(expected)
    assert last.context["page"].number == 3 and last.context["page"].has_previous()
    assert last.context["page"].end_index() == MATCHES


@pytest.mark.parametrize("name", ["contacts", "customers"])
def test_the_same_list_unsearched_counts_to_the_list_cap(client_for, caps, name):
    url_name, make, _params = SEARCHES[name]
    admin = UserFactory(is_superuser=True, is_staff=True)
    expected = make(admin)
    response = client_for(admin).get(reverse(url_name))
    page = response.context["page"]
    model = Contact if name == "contacts" else Customer
    assert page.paginator.count == model.objects.count() >= len(expected)
    assert not page.paginator.is_capped
    assert f"Page 1 of {page.paginator.num_pages}" in response.text


def test_a_rare_word_is_counted_exactly(client_for, caps, rep_user):
    customer = CustomerFactory(owner=rep_user, name="Huaxin Ltd.")
    for n in range(3):
        ContactFactory(customer=customer, name=f"王建华 {n}")
    page = client_for(rep_user).get(reverse("customers:contact-list"), {"q": "建华"}).context["page"]
    assert page.paginator.count == 3 and not page.paginator.is_capped and not page.has_next()


def test_pages_past_a_capped_count_stop_at_the_list_cap(settings, rep_user):
    settings.LIST_COUNT_LIMIT, settings.LIST_COUNT_CACHE_SECONDS = 40, 0
    customer = CustomerFactory(owner=rep_user)
    for n in range(MATCHES):
        ContactFactory(customer=customer, name=f"王建华 {n}")
    paginator = CappedPaginator(Contact.objects.order_by("-id"), 25, count_limit=30)
    assert paginator.is_capped and paginator.num_pages == 2  # 41 rows: the list cap and the one after it
    assert paginator.page(1).has_next() and not paginator.page(2).has_next()
    # A search's cap is never above the list's.
    assert CappedPaginator(Contact.objects.order_by("-id"), 25, count_limit=5000).count_limit == 40


def test_a_page_past_the_last_match_is_empty(client_for, caps, rep_user):
    customer = CustomerFactory(owner=rep_user, name="Huaxin Ltd.")
    for n in range(35):
        ContactFactory(customer=customer, name=f"王建华 {n}")
    response = client_for(rep_user).get(reverse("customers:contact-list"), {"q": "建华", "page": 5})
    assert response.status_code == 200
    page = response.context["page"]
    assert list(page) == [] and page.has_previous() and not page.has_next()
