"""Ticket search: any part of the subject (one- and two-character Chinese included), the customer's name, the
ticket number."""

import pytest
from django.urls import reverse

from customers.models import Customer
from service.services import tickets

pytestmark = pytest.mark.django_db


def _search(client, text):
    response = client.get(reverse("service:ticket-list"), {"q": text, "view": "all"})
    assert response.status_code == 200
    return sorted(ticket.subject for ticket in response.context["page"])


def test_ticket_search_by_subject_part_customer_name_and_number(client_for, agent, queue, customer):
    other = Customer.objects.create(
        name="武汉金桥新能源有限公司", owner=agent, search_document="武汉金桥新能源有限公司"
    )
    invoice = tickets.ticket_create(
        actor=agent, customer=customer, queue=queue, data={"subject": "发票金额错误", "description": "12 件写成 10 件"}
    )
    tickets.ticket_create(
        actor=agent, customer=other, queue=queue, data={"subject": "Printer jams", "description": "x"}
    )
    client = client_for(agent)
    assert _search(client, "金额") == ["发票金额错误"]  # two characters inside the subject
    assert _search(client, "额") == ["发票金额错误"]
    assert _search(client, "金桥") == ["Printer jams"]  # two characters of the customer's name
    assert _search(client, "printer") == ["Printer jams"]
    assert _search(client, f"#{invoice.pk}") == ["发票金额错误"]
    assert _search(client, "云杉") == []
