"""The customer page's quick links into sales and service, filled in through customers.quicklinks."""

import pytest
from django.urls import reverse

from accounts import roles
from sales.models import Opportunity
from service.models import Ticket
from tests.factories import CustomerFactory, UserFactory
from tests.sales.factories import OpportunityFactory
from tests.service.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _page(client, customer):
    return client.get(reverse("customers:customer-detail", args=[customer.pk]))


def test_a_sales_rep_gets_new_opportunity_and_the_open_ones(client_for, rep_user):
    customer = CustomerFactory(owner=rep_user)
    OpportunityFactory(owner=rep_user, customer=customer, name="扩容项目")
    OpportunityFactory(owner=rep_user, customer=customer, name="Lost deal", status=Opportunity.Status.LOST)
    page = _page(client_for(rep_user), customer).content.decode()
    assert f"{reverse('sales:opportunity-create')}?customer={customer.pk}" in page
    section = page.split('data-open-records="opportunity"')[1].split("</ul>")[0]
    assert "扩容项目" in section and "Lost deal" not in section


def test_a_service_agent_gets_new_ticket_and_open_tickets_but_no_sales_link(client_for):
    agent = UserFactory(role=roles.SERVICE_AGENT)
    customer = CustomerFactory(owner=agent)
    TicketFactory(customer=customer, assignee=agent, subject="Printer jams")
    TicketFactory(customer=customer, assignee=agent, subject="Old and done", status=Ticket.Status.CLOSED)
    page = _page(client_for(agent), customer).content.decode()
    assert reverse("service:ticket-create", args=[customer.pk]) in page
    section = page.split('data-open-records="ticket"')[1].split("</ul>")[0]
    assert "Printer jams" in section and "Old and done" not in section
    assert 'data-quick-link="opportunity"' not in page


def test_the_page_costs_the_same_queries_however_many_open_records(client_for, rep_user, django_assert_max_num_queries):
    customer = CustomerFactory(owner=rep_user)
    client = client_for(rep_user)
    OpportunityFactory(owner=rep_user, customer=customer)
    TicketFactory(customer=customer)
    _page(client, customer)
    with django_assert_max_num_queries(40) as few:
        _page(client, customer)
    OpportunityFactory.create_batch(12, owner=rep_user, customer=customer)
    TicketFactory.create_batch(12, customer=customer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = _page(client, customer)
    section = response.content.decode().split('data-open-records="opportunity"')[1].split("</ul>")[0]
    assert section.count("<li") == 6  # five rows and the "first five" note
