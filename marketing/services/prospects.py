"""People a campaign captured who may not be customers yet, handed to sales through the signal.

Marketing cannot import sales, so it records the capture here (attributed to the campaign) and sends
``signals.prospect_captured``; the sales app's receiver creates the lead, keyed by ``reference``.
"""

import uuid

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext

from crm.consent import ConsentGiven, consent_record
from crm.normalise import normalise_email, normalise_phone
from crm.notifications import notify
from crm.scope import SYSTEM
from customers.dedupe import REASON_EMAIL, REASON_PHONE, find_duplicates

from ..models import Campaign, Event, Prospect
from ..signals import prospect_captured


def matching_customer(*, email: str = "", phone: str = ""):
    """The existing customer with this e-mail or phone (on the customer or one of its contacts), or None."""
    if not (normalise_email(email) or normalise_phone(phone)):
        return None
    for customer in find_duplicates(user=SYSTEM, email=email, phone=phone, limit=3):
        if {REASON_EMAIL, REASON_PHONE} & set(customer.duplicate_reasons):
            return customer
    return None


def _earlier_capture(campaign: Campaign, *, email: str, phone: str):
    condition = Q()
    if email:
        condition |= Q(email__iexact=email.strip())
    if phone:
        condition |= Q(phone=phone.strip())
    if not condition:
        return None
    return Prospect.objects.select_for_update().filter(condition, campaign=campaign).order_by("pk").first()


@transaction.atomic
def prospect_capture(
    *,
    campaign: Campaign,
    source: str,
    reference: str,
    name: str,
    company: str = "",
    email: str = "",
    phone: str = "",
    message: str = "",
    event: Event | None = None,
    actor=None,
) -> tuple[Prospect, bool]:
    """Record a capture and tell sales about it; (prospect, created).

    Someone the campaign already captured (same e-mail or phone) is counted again on the earlier row
    and sales is not told twice, so one person makes one lead however often they submit.
    """
    earlier = _earlier_capture(campaign, email=email, phone=phone)
    if earlier is not None:
        Prospect.objects.filter(pk=earlier.pk).update(submissions=F("submissions") + 1)
        earlier.refresh_from_db()
        return earlier, False
    prospect = Prospect.objects.create(
        campaign=campaign,
        event=event,
        source=source,
        reference=reference,
        name=name,
        company=company,
        email=email.strip(),
        phone=phone.strip(),
        message=message,
    )
    prospect_captured.send(
        sender=Prospect,
        campaign=campaign,
        name=name,
        company=company,
        email=prospect.email,
        phone=prospect.phone,
        source=source,
        actor=actor,
        reference=reference,
    )
    return prospect, True


@transaction.atomic
def web_form_submit(
    *, campaign: Campaign, data: dict, consent: ConsentGiven | None = None
) -> tuple[Prospect | None, str]:
    """A web-to-lead submission: (prospect, outcome) where outcome is "new", "duplicate" or "customer".

    Someone who is already a customer is no new lead: their owner is told instead. The consent given
    on the form is kept with the lead, or with the customer who sent it.
    """
    email, phone = data.get("email", "").strip(), data.get("phone", "").strip()
    customer = matching_customer(email=email, phone=phone)
    if customer is not None:
        notify(
            user=customer.owner,
            title=lambda: (
                gettext("%(customer)s asked about %(campaign)s")
                % {"customer": customer.name, "campaign": campaign.name}
            ),
            body=data.get("message", ""),
            url=customer.get_absolute_url(),
        )
        consent_record(consent=consent, record=customer)
        return None, "customer"
    prospect, created = prospect_capture(
        campaign=campaign,
        source=Prospect.Source.WEB_FORM,
        reference=f"web_form:{uuid.uuid4().hex}",
        name=data["name"].strip(),
        company=data.get("company", "").strip(),
        email=email,
        phone=phone,
        message=data.get("message", "").strip(),
    )
    consent_record(consent=consent, record=prospect)
    return prospect, "new" if created else "duplicate"
