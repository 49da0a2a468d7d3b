"""Makers for the IDOR sweep (tests/test_idor_sweep.py): the API's record URLs and the token pages."""

from crm.api.tokens import token_create
from tests.customers import idor as customers
from tests.factories import ContactFactory, CustomerFactory


def contact(owner):
    return {"pk": ContactFactory(customer=CustomerFactory(owner=owner)).pk}


def token(owner):
    return {"pk": token_create(actor=owner, user=owner, name="idor", access="read")[0].pk}


REGISTRY = {
    "api:customer-": customers.customer,
    "api:contact-": contact,
    "api:communication-": customers.communication,
    "api:follow-up-task-": customers.task,
    "integrations:token-": token,
}
