"""One- and two-character Chinese searches find a name by any part of it, not only its start, on every path
that writes a customer (service, import, bulk load), and the SQL backfill agrees with the application."""

import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from customers import services
from customers.models import Customer
from customers.search import customer_search
from customers.search_text import search_grams
from customers.services import transfer
from tests.customers.test_customer_import import xlsx_file
from tests.list_rows import shown_customers

pytestmark = pytest.mark.django_db


def _search(client, text):
    return shown_customers(client.get(reverse("customers:customer-list"), {"q": text}).context["page"])


def test_two_character_infix_finds_the_customer(client_for, rep_user):
    yunshan = services.customer_create(actor=rep_user, data={"name": "杭州云杉智能科技有限公司"})
    jinqiao = services.customer_create(actor=rep_user, data={"name": "武汉金桥新能源有限公司"})
    services.contact_create(actor=rep_user, customer=jinqiao, data={"name": "王建华"})
    client = client_for(rep_user)
    assert _search(client, "云杉") == [yunshan]
    assert _search(client, "金桥") == [jinqiao]
    assert _search(client, "建华") == [jinqiao]  # a contact's given name
    assert _search(client, "杉") == [yunshan]  # one character, in the middle
    assert _search(client, "司") == [jinqiao, yunshan]  # one character, at the end
    assert _search(client, "有限") == [jinqiao, yunshan]
    assert _search(client, "杭州") == [yunshan]
    assert _search(client, "杉云") == []


def test_renamed_customer_is_found_by_its_new_name_only(rep_user):
    customer = services.customer_create(actor=rep_user, data={"name": "杭州云杉智能科技有限公司"})
    services.customer_update(actor=rep_user, customer=customer, data={"name": "武汉金桥新能源有限公司"})
    assert list(customer_search(Customer.objects.all(), "金桥")) == [customer]
    assert list(customer_search(Customer.objects.all(), "云杉")) == []


def test_imported_customers_are_found_by_two_characters(manager):
    rows = [["客户名称", "联系人"], ["杭州云杉智能科技有限公司", ""], ["武汉金桥新能源有限公司", "李晓东"]]
    outcome = transfer.customers_import(actor=manager, file=xlsx_file(rows))
    assert outcome.created == 2
    assert [c.name for c in customer_search(Customer.objects.all(), "云杉")] == ["杭州云杉智能科技有限公司"]
    assert [c.name for c in customer_search(Customer.objects.all(), "晓东")] == ["武汉金桥新能源有限公司"]


def test_bulk_loaded_customers_are_found_by_two_characters(rep_user):
    from customers.demo import seed_volume

    class Out:
        def write(self, text):
            pass

    seed_volume({"stdout": Out()}, customers=30, contacts_per_customer=1)
    generated = Customer.objects.filter(created_by__isnull=True)
    assert generated.count() == 30
    for customer in generated:
        infix = customer.name[2:4]  # e.g. 华信 of 北京华信科技有限公司
        if search_grams(infix) and len(infix) == 2:
            assert customer in customer_search(Customer.objects.all(), infix)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="云杉金桥王a1 -ー가カ豈", max_size=12))
def test_sql_backfill_gives_the_same_grams_as_the_application(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT crm_search_grams(%s) = %s::tsvector", [text, search_grams(text)])
        assert cursor.fetchone()[0]
