"""What the customer import writes carries no index nothing reads (customers migration 0013): each index is paid
for on every imported row, and the queries that read these tables are served by the ones kept."""

import pytest
from django.db import connection

from customers.models import Contact, Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _indexed_columns(model) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [model._meta.db_table])
        return {definition.split(" USING ", 1)[1] for (definition,) in cursor.fetchall()}


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test tables are tiny; ask what an index serves
        try:
            return queryset.explain()
        finally:
            cursor.execute("SET LOCAL enable_seqscan = on")


def test_history_is_indexed_by_record_only():
    """History is read by customer or contact id (the customer page, its timeline), not by when or by whom."""
    assert _indexed_columns(Customer.history.model) == {"btree (history_id)", "btree (id)"}
    assert _indexed_columns(Contact.history.model) == {"btree (history_id)", "btree (id)", "btree (customer_id)"}


def test_the_customer_pages_history_queries_use_the_record_indexes():
    customer = CustomerFactory()
    own = _plan(customer.history.order_by("-history_date")[:51])
    contacts = _plan(Contact.history.filter(customer_id=customer.pk).order_by("-history_date")[:100])
    assert "customers_historicalcustomer_id_" in own
    assert "customers_historicalcontact_customer_id_" in contacts


def test_external_ids_have_their_unique_index_and_no_pattern_twin():
    """External ids are looked up by equality (API upserts); a LIKE-pattern twin would only slow every insert."""
    for model in (Customer, Contact):
        columns = _indexed_columns(model)
        assert "btree (external_id)" in columns
        assert "btree (external_id varchar_pattern_ops)" not in columns
    plan = _plan(Customer.objects.filter(external_id="erp-1"))
    assert "customers_customer_external_id_key" in plan


def test_tag_links_are_found_by_customer_through_the_unique_pair_index():
    customer = CustomerFactory()
    Through = Customer.tags.through
    assert "btree (customer_id)" not in _indexed_columns(Through)
    assert "customer_id_tag_id" in _plan(Through.objects.filter(customer_id=customer.pk))
