"""The public ticket form: a ticket from someone without an account, tied to the right customer."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.consent import ConsentGiven, consent_record
from crm.fields import exact
from crm.i18n import page_language
from crm.normalise import normalise_email, normalise_phone, normalise_text
from customers.dedupe import customer_email_keys, customer_phone_keys
from customers.models import Contact, Customer
from customers.services.customers import customer_create

from ..links import tracking_url
from ..models import Queue, Ticket
from .tickets import ticket_create

# Fewer digits than this match too many numbers to tie a stranger to a customer.
MIN_PHONE_DIGITS = 7


def web_queue() -> Queue | None:
    return Queue.objects.filter(accepts_web=True).select_related("manager", "team__manager").order_by("pk").first()


def prospect_owner(queue: Queue):
    """Who owns the prospect a stranger's ticket creates: the queue's manager, else the manager of the
    queue's team, else its first active agent. A queue set up in admin without a manager still takes
    tickets from the web (it used to refuse every one of them, and the form came back unsent)."""
    team_manager = queue.team.manager if queue.team_id else None
    for user in (queue.manager, team_manager):
        if user is not None and user.is_active:
            return user
    return queue.members.filter(is_active=True).order_by("pk").first()


def customer_by_contact_details(*, email: str = "", phone: str = "") -> tuple[Customer | None, Contact | None]:
    """The customer (and contact) whose e-mail or phone is the one given, across all customers.

    E-mail decides before phone. The trigram-indexed search document finds candidates in one
    query; the normalisers of the duplicate finder confirm them.
    """
    email_key, phone_key = normalise_email(email), normalise_phone(phone)
    condition = Q()
    if "@" in email_key:
        condition |= Q(search_document__contains=normalise_text(email))
    needle = phone_key.lstrip("0")
    if len(needle) >= MIN_PHONE_DIGITS:
        condition |= Q(search_document__contains=needle)
        # Contacts' mobiles are encrypted and out of the search document: found by their keyed hash.
        condition |= Q(pk__in=exact(Contact.objects.all(), "mobile", phone).values("customer_id"))
    if not condition:
        return None, None
    contacts = Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "pk"))
    candidates = list(Customer.objects.filter(condition).prefetch_related(contacts).order_by("pk")[:20])
    for customer in candidates:
        if "@" in email_key and email_key in customer_email_keys(customer):
            return customer, _matching_contact(customer, email_key, phone_key)
    for customer in candidates:
        if phone_key and phone_key in customer_phone_keys(customer):
            return customer, _matching_contact(customer, email_key, phone_key)
    return None, None


def _matching_contact(customer: Customer, email_key: str, phone_key: str) -> Contact | None:
    for contact in customer.contacts.all():
        if email_key and normalise_email(contact.email) == email_key:
            return contact
        if phone_key and phone_key in {normalise_phone(contact.mobile), normalise_phone(contact.phone)}:
            return contact
    return None


@transaction.atomic
def ticket_submit_web(*, data: dict, consent: ConsentGiven | None = None) -> Ticket:
    """A ticket from the public form: linked to the customer with that e-mail or phone, or to a new
    prospect owned by the queue's manager; the submitter is e-mailed the tracking link."""
    queue = web_queue()
    manager = prospect_owner(queue) if queue is not None else None
    if manager is None:
        raise ValidationError(_("The service desk does not accept tickets online at the moment."))
    customer, contact = customer_by_contact_details(email=data.get("email", ""), phone=data.get("phone", ""))
    if customer is None:
        company = (data.get("company") or "").strip()
        customer = customer_create(
            actor=manager,
            owner=manager,
            data={
                "name": company or data["name"],
                "kind": Customer.Kind.COMPANY if company else Customer.Kind.INDIVIDUAL,
                "lifecycle_stage": Customer.Lifecycle.PROSPECT,
                "source": Customer.Source.WEBSITE,
                "email": data.get("email", ""),
                "phone": data.get("phone", ""),
            },
        )
    ticket = ticket_create(
        actor=None,
        customer=customer,
        contact=contact,
        queue=queue,
        data={
            "subject": data["subject"],
            "description": data["description"],
            "type": data["type"],
            "channel": Ticket.Channel.WEB,
            "requester_name": data["name"],
            "requester_email": data.get("email", ""),
            "requester_phone": data.get("phone", ""),
        },
    )
    ticket.language = page_language()
    ticket.save(update_fields=["language"])
    consent_record(consent=consent, record=ticket)
    if ticket.requester_email:
        subject = gettext("We received your ticket %(number)s") % {"number": ticket.number}
        body = gettext("Thank you. We received “%(subject)s”. Follow it and reply here:\n%(tracking)s") % {
            "subject": ticket.subject, "tracking": tracking_url(ticket)}  # fmt: skip
        address = ticket.requester_email
        transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address]))
    return ticket
