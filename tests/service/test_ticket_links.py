"""Tickets link to a product and an order: form choices limited to what the user sees, page, list filter."""

import pytest
from django.urls import reverse

from service.models import Ticket
from service.services import tickets
from tests.factories import CustomerFactory, UserFactory
from tests.sales.factories import OrderFactory, ProductFactory

from .factories import TicketFactory

pytestmark = pytest.mark.django_db

DATA = {"subject": "Printer jams", "description": "Every second page.", "type": "complaint", "channel": "phone",
        "priority": "normal", "assignee": ""}  # fmt: skip


def test_a_ticket_links_a_product_and_an_order_and_the_page_shows_them(client_for, queue, customer, agent):
    product = ProductFactory(name="激光打印机 X1")
    order = OrderFactory(customer=customer, owner=agent, number="SO-LINK-1")
    client = client_for(agent)
    response = client.post(
        reverse("service:ticket-create", args=[customer.pk]),
        {**DATA, "queue": queue.pk, "product": product.pk, "order": order.pk},
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and ticket.product == product and ticket.order == order
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "激光打印机 X1" in page and "SO-LINK-1" in page


def test_orders_of_other_customers_or_out_of_scope_are_no_choice(client_for, queue, customer, agent):
    mine = OrderFactory(customer=customer, owner=agent)
    other_customer = OrderFactory(customer=CustomerFactory(), owner=agent)
    unseen = OrderFactory(customer=customer, owner=UserFactory(username="faraway"))
    client = client_for(agent)
    url = reverse("service:ticket-create", args=[customer.pk])
    choices = set(client.get(url).context["form"].fields["order"].queryset)
    assert choices == {mine}
    for order in (other_customer, unseen):
        response = client.post(url, {**DATA, "queue": queue.pk, "order": order.pk})
        assert response.status_code == 200 and "order" in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_the_service_refuses_an_order_of_another_customer(queue, customer, agent):
    order = OrderFactory(customer=CustomerFactory(), owner=agent)
    with pytest.raises(Exception, match="order of this customer"):
        tickets.ticket_create(actor=agent, customer=customer, queue=queue, data={**DATA, "order": order})


def test_editing_a_ticket_can_set_its_product(client_for, queue, customer, agent):
    ticket = TicketFactory(customer=customer, queue=queue)
    product = ProductFactory()
    response = client_for(agent).post(
        reverse("service:ticket-update", args=[ticket.pk]),
        {"subject": ticket.subject, "type": "inquiry", "priority": "normal", "description": "x", "product": product.pk},
    )
    ticket.refresh_from_db()
    assert response.status_code == 302 and ticket.product == product


def test_the_ticket_list_filters_by_product_with_flat_queries(
    client_for, queue, customer, agent, django_assert_max_num_queries
):
    printer, router = ProductFactory(), ProductFactory()
    TicketFactory(customer=customer, queue=queue, product=printer, subject="about the printer")
    TicketFactory(customer=customer, queue=queue, product=router, subject="about the router")
    client = client_for(agent)
    url = reverse("service:ticket-list") + f"?view=all&product={printer.pk}"
    with django_assert_max_num_queries(14) as few:
        page = client.get(url).context["page"]
    assert [t.subject for t in page] == ["about the printer"]
    TicketFactory.create_batch(8, customer=customer, queue=queue, product=printer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).context["page"]) == 9
