"""Makers for the IDOR sweep (tests/test_idor_sweep.py): the API's record URLs and the token pages."""

from crm.api.models import WebhookDelivery, WebhookEndpoint
from crm.api.tokens import token_create
from crm.api.webhooks import new_secret
from service.models import TicketAttachment
from tests.customers import idor as customers
from tests.factories import ContactFactory, CustomerFactory
from tests.marketing import idor as marketing
from tests.marketing.factories import CampaignFactory, EventFactory, RegistrationFactory
from tests.sales import idor as sales
from tests.service import idor as service


def contact(owner):
    return {"pk": ContactFactory(customer=CustomerFactory(owner=owner)).pk}


def token(owner):
    return {"pk": token_create(actor=owner, user=owner, name="idor", access="read")[0].pk}


def webhook(owner):
    endpoint = WebhookEndpoint.objects.create(
        owner=owner, url="https://example.com/hook", events=["customer.created"], secret=new_secret()
    )
    return {"pk": endpoint.pk}


def delivery(owner):
    endpoint = WebhookEndpoint.objects.get(pk=webhook(owner)["pk"])
    row = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id="msg_idor", event_type="customer.created", payload={}
    )
    return {"pk": row.pk}


def ticket_attachment(owner):
    pk = service.attachment(owner)["pk"]
    return {"pk": TicketAttachment.objects.get(pk=pk).ticket_id, "attachment_pk": pk}


ticket_attachment.roles = service.attachment.roles


def registration(owner):
    event = EventFactory(campaign=CampaignFactory(owner=owner))
    return {"pk": RegistrationFactory(event=event, code=f"IDOR{owner.pk:06d}").pk}


# Sales managers of two teams: both may read registrations and check guests in, only the scope tells them apart.
registration.roles = marketing.READERS

REGISTRY = {
    "api:customer-": customers.customer,
    "api:contact-": contact,
    "api:communication-": customers.communication,
    "api:follow-up-task-": customers.task,
    "api:lead-": sales.lead,
    "api:opportunity-": sales.opportunity,
    "api:order-": sales.order,
    "api:contract-": sales.contract,
    "api:ticket-": service.ticket,
    "api:ticket-attachment": ticket_attachment,
    "api:campaign-": marketing.campaign,
    "api:event-": marketing.event,
    "api:event-check-in": marketing.event_team,
    "api:registration-": registration,
    "integrations:token-": token,
    "integrations:webhook-": webhook,
    "integrations:webhook-resend": delivery,
}
