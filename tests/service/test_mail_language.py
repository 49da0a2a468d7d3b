"""Mails to a customer who is not a user are written in their language: the one of the public page they
sent the ticket from, whatever language the agent who answers works in; the company's for a ticket that
did not come through the public form."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from service.models import Ticket
from service.services.tickets import ticket_comment_add, ticket_transition

from .factories import TicketFactory
from .test_public import FORM

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def _in(language, message):
    with translation.override(language):
        return translation.gettext(message)


def _answer_and_resolve(ticket, agent, capture):
    """The agent, working in English, answers publicly and resolves the ticket (which mails the survey)."""
    with translation.override("en"), capture(execute=True):
        ticket_comment_add(actor=agent, ticket=ticket, body="请重启扫描仪。", is_public=True)
        ticket_transition(actor=agent, ticket=ticket, to_status=Ticket.Status.RESOLVED)


def test_a_visitor_on_the_chinese_page_gets_every_mail_in_chinese(
    client, queue, agent, django_capture_on_commit_callbacks
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("service:public-ticket-submit"), {**FORM, "email": "wang@example.cn"})
    ticket = Ticket.objects.get()
    assert ticket.language == "zh-hans"
    received = mail.outbox[-1]
    assert received.subject == _in("zh-hans", "We received your ticket %(number)s") % {"number": ticket.number}

    ticket.assignee = agent
    ticket.save(update_fields=["assignee"])
    _answer_and_resolve(ticket, agent, django_capture_on_commit_callbacks)

    reply, survey = mail.outbox[-2:]
    reply_subject = _in("zh-hans", "Re: %(subject)s [ticket %(number)s]")
    assert reply.subject == reply_subject % {"subject": ticket.subject, "number": ticket.number}
    assert survey.subject == _in("zh-hans", "How did we do? Ticket %(number)s") % {"number": ticket.number}
    assert survey.subject != _in("en", "How did we do? Ticket %(number)s") % {"number": ticket.number}


def test_a_ticket_not_from_the_public_page_mails_in_the_company_language(
    queue, agent, customer, settings, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "zh-hans"
    ticket = TicketFactory(queue=queue, customer=customer, assignee=agent, requester_email="li@example.cn")
    assert ticket.language == ""
    _answer_and_resolve(ticket, agent, django_capture_on_commit_callbacks)
    survey = mail.outbox[-1]
    assert survey.subject == _in("zh-hans", "How did we do? Ticket %(number)s") % {"number": ticket.number}
