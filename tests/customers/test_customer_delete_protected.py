"""Deleting a customer that orders or contracts still refer to is refused with a list of what blocks it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm.models import BehaviourLog
from customers.models import Customer
from customers.services import customer_delete
from tests.factories import CustomerFactory
from tests.sales.factories import ContractFactory, OrderFactory

pytestmark = pytest.mark.django_db


def test_the_confirm_page_lists_the_blocking_records_and_offers_no_delete(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user)
    OrderFactory.create_batch(2, customer=customer)
    ContractFactory(customer=customer)
    page = client_for(rep_user).get(reverse("customers:customer-delete", args=[customer.pk])).content.decode()
    assert 'id="delete-blockers"' in page and "confirm-delete" not in page
    assert ": 2" in page and ": 1" in page


def test_posting_the_delete_anyway_answers_with_the_list_not_a_server_error(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user)
    OrderFactory(customer=customer)
    response = client_for(rep_user).post(reverse("customers:customer-delete", args=[customer.pk]))
    assert response.status_code == 409 and 'id="delete-blockers"' in response.content.decode()
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert not BehaviourLog.objects.filter(action="delete", object_id=str(customer.pk)).exists()


def test_the_service_refuses_naming_each_kind_and_count(rep_user):
    customer = CustomerFactory(owner=rep_user, name="远航物流")
    OrderFactory.create_batch(3, customer=customer)
    ContractFactory(customer=customer)
    with pytest.raises(ValidationError) as caught:
        customer_delete(actor=rep_user, customer=customer)
    message = caught.value.messages[0]
    assert "远航物流" in message and ": 3" in message and ": 1" in message
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_customer_with_nothing_protecting_it_is_still_deleted(rep_user):
    customer = CustomerFactory(owner=rep_user)
    customer_delete(actor=rep_user, customer=customer)
    assert not Customer.objects.filter(pk=customer.pk).exists()
