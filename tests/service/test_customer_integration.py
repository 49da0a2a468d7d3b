"""What service adds to customers: tickets and survey answers on the 360 timeline, open complaints as a
churn signal, and tickets and surveys that follow a customer merge (and its undo)."""

from datetime import date

import pytest
from django.urls import reverse

from customers.services.merge import customer_merge, customer_merge_undo, default_choices
from customers.services.segments import churn_scores
from service.models import SatisfactionSurvey, Ticket
from tests.factories import CustomerFactory

from .factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_tickets_and_surveys_appear_on_the_customer_timeline(client_for, queue, customer, agent):
    ticket = TicketFactory(queue=queue, customer=customer, assignee=agent, subject="Broken hinge", status="resolved")
    SatisfactionSurvey.objects.create(ticket=ticket, customer=customer, score=4, comment="Fine in the end")
    page = client_for(agent).get(reverse("customers:customer-timeline", args=[customer.pk])).content.decode()
    assert "Broken hinge" in page and "Satisfaction 4/5" in page


def test_the_timeline_only_shows_tickets_in_the_user_s_scope(client_for, customer, outsider_agent, agent):
    from .factories import QueueFactory

    TicketFactory(queue=QueueFactory(agents=[outsider_agent]), customer=customer, subject="Elsewhere")
    page = client_for(agent).get(reverse("customers:customer-timeline", args=[customer.pk])).content.decode()
    assert "Elsewhere" not in page


def test_open_complaints_raise_the_churn_risk(queue, customer):
    calm = CustomerFactory()
    TicketFactory(queue=queue, customer=customer, type="complaint", status="in_progress")
    TicketFactory(queue=queue, customer=calm, type="complaint", status="closed")
    TicketFactory(queue=queue, customer=calm, type="inquiry", status="new")
    scores = churn_scores([customer.pk, calm.pk], today=date.today())
    assert "open_complaint" in scores[customer.pk][1]
    assert not any(code.startswith("open_complaint") for code in scores[calm.pk][1])
    TicketFactory(queue=queue, customer=customer, type="complaint", status="waiting")
    assert "open_complaints" in churn_scores([customer.pk], today=date.today())[customer.pk][1]


def test_tickets_and_surveys_follow_a_merge_and_its_undo(queue, customer, queue_manager):
    duplicate = CustomerFactory(name="Northwind Trading Co.")
    ticket = TicketFactory(queue=queue, customer=duplicate, status="resolved")
    SatisfactionSurvey.objects.create(ticket=ticket, customer=duplicate, score=3)
    merge = customer_merge(
        actor=queue_manager, survivor=customer, merged=duplicate,
        choices=default_choices(survivor=customer, merged=duplicate),
    )  # fmt: skip
    assert Ticket.objects.get(pk=ticket.pk).customer == customer
    assert SatisfactionSurvey.objects.get().customer == customer
    customer_merge_undo(actor=queue_manager, merge=merge)
    assert Ticket.objects.get(pk=ticket.pk).customer_id == duplicate.pk
