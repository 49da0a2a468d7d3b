"""Makers for the IDOR sweep: service tickets and their attachments.

A sales rep holds no ticket permission at all, so both users are service agents (the outsider in another
team, not in the ticket's queue): then only the record scope can refuse the outsider.
"""

from django.core.files.base import ContentFile

from accounts import roles
from service.models import TicketAttachment
from tests.factories import CustomerFactory
from tests.service.factories import ArticleFactory, QueueFactory, TicketFactory


def _ticket(owner):
    queue = QueueFactory(team=owner.team, agents=[owner])
    return TicketFactory(customer=CustomerFactory(owner=owner), queue=queue, assignee=owner)


def ticket(owner):
    return {"pk": _ticket(owner).pk}


ticket.roles = (roles.SERVICE_AGENT,)


def ticket_article(owner):
    return ticket(owner)


ticket_article.roles = (roles.SERVICE_AGENT,)
ticket_article.data = lambda: {"article": ArticleFactory().pk}


def ticket_follow_up(owner):
    return {"pk": _ticket(owner).pk}


# Following up a survey is the sales managers' work; their service scope is their team.
ticket_follow_up.roles = (roles.SALES_MANAGER,)


def ticket_create(owner):
    # Opening a ticket needs the add permission, which only service agents (and administrators) hold,
    # and they see every customer by design: no seeded role can be refused here by scope, only by
    # permission, so both sales reps get 403.
    return {"customer_pk": CustomerFactory(owner=owner).pk}


ticket_create.owner_reaches = False


def attachment(owner):
    row = TicketAttachment(ticket=_ticket(owner), name="photo.png", size=8, content_type="image/png")
    row.file.save("photo.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    return {"pk": row.pk}


attachment.roles = (roles.SERVICE_AGENT,)


def article(owner):
    # The knowledge base is company-wide (its detail page is excluded from the sweep); editing it needs
    # the service agents' permission a sales rep does not hold, so both users are refused with 403.
    return {"pk": ArticleFactory().pk}


article.owner_reaches = False

REGISTRY = {
    "service:ticket-": ticket,
    "service:ticket-article": ticket_article,
    "service:ticket-follow-up": ticket_follow_up,
    "service:ticket-create": ticket_create,
    "service:attachment-download": attachment,
    "service:article-": article,
}
