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


@pytest.mark.parametrize("named", [0, 1, 1000])
def test_a_common_customer_word_finds_the_same_tickets_either_way(client_for, agent, queue, named, monkeypatch):
    """Few matching customers are named in the query; more are checked ticket by ticket (customers.search): the
    same tickets, newest first, whichever way is taken."""
    from customers import search

    monkeypatch.setattr(search, "CUSTOMERS_NAMED", named)
    logistics = [
        Customer.objects.create(name=name, owner=agent, search_document=name.lower())
        for name in ("上海远航物流有限公司", "北京物流科技有限公司", "Acme Logistics Ltd.")
    ]
    other_name = "武汉金桥新能源有限公司"
    other = Customer.objects.create(name=other_name, owner=agent, search_document=other_name)
    for n, customer in enumerate([*logistics, other, *logistics]):
        tickets.ticket_create(
            actor=agent, customer=customer, queue=queue, data={"subject": f"问题 {n}", "description": "x"}
        )
    tickets.ticket_create(actor=agent, customer=other, queue=queue, data={"subject": "物流延误", "description": "x"})
    client = client_for(agent)
    page = list(client.get(reverse("service:ticket-list"), {"q": "物流", "view": "all"}).context["page"])
    assert [t.subject for t in page] == ["物流延误", "问题 5", "问题 4", "问题 1", "问题 0"]
    assert _search(client, "logistics") == ["问题 2", "问题 6"]
    assert _search(client, "云杉") == []
