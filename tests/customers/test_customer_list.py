"""The customer list: search, filters, sort, pagination and a flat query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers import services
from customers.models import Customer
from tests.factories import CustomerFactory, TagFactory
from tests.list_rows import shown_customers

pytestmark = pytest.mark.django_db


def _list_queries(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("customers:customer-list"), params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("user_fixture", ["rep_user", "manager", "executive"])
def test_list_query_count_is_flat_and_bounded(request, client_for, user_fixture, settings):
    # Every request draws its filter form afresh: the counts compare the pages, not the cache.
    settings.LIST_FILTER_CACHE_SECONDS = 0
    user = request.getfixturevalue(user_fixture)
    tags = [TagFactory(name=f"t{i}") for i in range(3)]
    for _ in range(5):
        CustomerFactory(owner=user).tags.set(tags)
    client = client_for(user)
    few = _list_queries(client)
    for i in range(195):
        CustomerFactory(owner=user).tags.set(tags[: i % 3])
    many = _list_queries(client)
    assert few == many
    assert many <= 12
    assert _list_queries(client, q="customer", sort="name") <= 12


def test_search_matches_name_phone_email_and_contact_names_in_chinese(client_for, rep_user):
    acme = services.customer_create(actor=rep_user, data={"name": "上海华信科技有限公司", "phone": "+86 21-6888 1234"})
    services.contact_create(actor=rep_user, customer=acme, data={"name": "王建华", "email": "wang@huaxin.example"})
    other = services.customer_create(actor=rep_user, data={"name": "Northwind Trading Co., Ltd."})
    client = client_for(rep_user)

    def search(text):
        return shown_customers(client.get(reverse("customers:customer-list"), {"q": text}).context["page"])

    assert search("华信科技") == [acme]
    assert search("王建华") == [acme]
    assert search("HUAXIN.example") == [acme]
    assert search("6888") == [acme]
    assert search("north") == [other]
    assert search("Ｎｏｒｔｈ") == [other]  # full-width input folds to half-width
    assert search("上海") == [acme]  # two characters: a name prefix
    assert search("nothing-like-this") == []


def test_filters_and_sort(client_for, executive, rep_user):
    b = CustomerFactory(name="Bravo", owner=rep_user, lifecycle_stage=Customer.Lifecycle.VIP, level="A")
    a = CustomerFactory(name="Alpha", owner=rep_user, lifecycle_stage=Customer.Lifecycle.VIP, level="B")
    CustomerFactory(name="Charlie", owner=rep_user, lifecycle_stage=Customer.Lifecycle.PROSPECT)
    client = client_for(executive)
    page = client.get(reverse("customers:customer-list"), {"lifecycle_stage": "vip", "sort": "name"}).context["page"]
    assert shown_customers(page) == [a, b]
    page = client.get(reverse("customers:customer-list"), {"lifecycle_stage": "vip", "sort": "-name"}).context["page"]
    assert shown_customers(page) == [b, a]
    page = client.get(reverse("customers:customer-list"), {"level": "A"}).context["page"]
    assert shown_customers(page) == [b]


def test_htmx_request_gets_only_the_table(client_for, rep_user):
    CustomerFactory(name="Zeta", owner=rep_user)
    response = client_for(rep_user).get(reverse("customers:customer-list"), {"q": "zeta"}, HTTP_HX_REQUEST="true")
    assert [t.name for t in response.templates][0] == "customers/partials/customer_table.html"
    assert b"<html" not in response.content
    assert b"Zeta" in response.content


def test_count_is_capped_for_large_lists(client_for, rep_user, settings):
    settings.LIST_COUNT_LIMIT = 30
    for _ in range(40):
        CustomerFactory(owner=rep_user)
    page = client_for(rep_user).get(reverse("customers:customer-list")).context["page"]
    assert page.paginator.is_capped
    assert page.paginator.count == 31


def test_a_capped_count_is_kept_a_minute_and_a_count_under_the_cap_is_not(client_for, rep_user, settings):
    settings.LIST_COUNT_LIMIT = 5
    settings.LIST_FILTER_CACHE_SECONDS = 0  # only the count may change between the two requests
    for n in range(7):
        CustomerFactory(owner=rep_user, name=f"Capped {n}")
    client = client_for(rep_user)
    url = reverse("customers:customer-list")
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).context["page"].paginator.count == 6
    with CaptureQueriesContext(connection) as second:
        page = client.get(url).context["page"]
    assert page.paginator.is_capped and page.paginator.count == 6
    assert len(second) == len(first) - 1
    # Under the cap the count is exact at once: a customer added shows in the next page's count.
    assert client.get(url, {"q": "unique-few"}).context["page"].paginator.count == 0
    CustomerFactory(owner=rep_user, name="unique-few one")
    assert client.get(url, {"q": "unique-few"}).context["page"].paginator.count == 1


def test_saved_filter_group_applies_its_query(client_for, executive, rep_user):
    from customers.models import CustomerGroup

    vip = CustomerFactory(name="Very Important", owner=rep_user, lifecycle_stage=Customer.Lifecycle.VIP)
    CustomerFactory(name="Ordinary", owner=rep_user)
    group = CustomerGroup.objects.create(
        name="VIPs", kind=CustomerGroup.Kind.FILTER, filter_query="lifecycle_stage=vip"
    )
    page = client_for(executive).get(reverse("customers:customer-list"), {"group": group.pk}).context["page"]
    assert shown_customers(page) == [vip]


def test_the_page_reads_only_the_columns_its_table_shows(client_for, manager):
    # The encrypted ID number was decrypted, and the notes and quality lists read, for every row of every page.
    CustomerFactory(owner=manager, name="Shown", id_number="110101199003074258", notes="long notes")
    with CaptureQueriesContext(connection) as queries:
        response = client_for(manager).get(reverse("customers:customer-list"))
    assert "Shown" in response.content.decode()
    (rows,) = [q["sql"] for q in queries if '"customers_customer"."name"' in q["sql"].split(" FROM ")[0]]
    for shown in ("name", "phone", "email", "lifecycle_stage", "level", "created_at"):
        assert f'"customers_customer"."{shown}"' in rows
    for unshown in ("id_number", "notes", "quality_missing", "churn_reasons", "search_document", "address"):
        assert f'"customers_customer"."{unshown}"' not in rows


def _row_tag_queries(queries):
    # The rows' tags (by id, or joined to the rows' links), not the filter form's tag choices (every tag).
    after = [q["sql"].split('FROM "customers_tag" ', 1)[1] for q in queries if 'FROM "customers_tag" ' in q["sql"]]
    return [sql for sql in after if sql.startswith(("WHERE", 'INNER JOIN "customers_customer_tags"'))]


def test_each_row_shows_its_own_tags_in_name_order_read_in_one_query(client_for, manager):
    zeta, alpha, mid = TagFactory(name="zeta"), TagFactory(name="alpha"), TagFactory(name="mid")
    CustomerFactory(owner=manager, name="Tagged").tags.set([zeta, alpha])
    CustomerFactory(owner=manager, name="Other").tags.set([mid])
    CustomerFactory(owner=manager, name="Bare")
    with CaptureQueriesContext(connection) as queries:
        response = client_for(manager).get(reverse("customers:customer-list"))
    rows = {row.split("</a>")[0].rsplit(">", 1)[-1]: row for row in response.content.decode().split("<tr>")[1:]}
    assert [tag in rows["Tagged"] for tag in (">alpha<", ">zeta<", ">mid<")] == [True, True, False]
    assert rows["Tagged"].index(">alpha<") < rows["Tagged"].index(">zeta<")
    assert ">mid<" in rows["Other"] and "tag-badge" not in rows["Bare"]
    assert len(_row_tag_queries(queries)) == 1


def test_a_page_without_tags_reads_no_tags(client_for, manager):
    CustomerFactory(owner=manager, name="Bare")
    TagFactory(name="unused")
    with CaptureQueriesContext(connection) as queries:
        response = client_for(manager).get(reverse("customers:customer-list"))
    assert "Bare" in response.content.decode()
    assert not _row_tag_queries(queries)


def test_a_reps_page_of_own_and_shared_customers_shows_each_rows_tags(client_for, rep_user, other_rep):
    # A rep's page is read through the parts of the scope (own, shared) merged again by the outer query: each row's
    # tags still come with the row.
    vip, cold = TagFactory(name="vip"), TagFactory(name="cold")
    CustomerFactory(owner=rep_user, name="Mine").tags.set([vip])
    shared = CustomerFactory(owner=other_rep, name="Shared")
    shared.tags.set([cold, vip])
    shared.shared_with.add(rep_user)
    CustomerFactory(owner=other_rep, name="Hidden").tags.set([cold])
    body = client_for(rep_user).get(reverse("customers:customer-list")).content.decode().split("<tbody>")[1]
    rows = {row.split("</a>")[0].rsplit(">", 1)[-1]: row for row in body.split("<tr>")[1:]}
    assert set(rows) == {"Mine", "Shared"}
    assert ">vip<" in rows["Mine"] and ">cold<" not in rows["Mine"]
    assert rows["Shared"].index(">cold<") < rows["Shared"].index(">vip<")
