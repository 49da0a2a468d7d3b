"""E-mail campaigns: a templated e-mail to a customer group, sent in throttled batches.

Starting a send writes one recipient row per group member with its fate decided up front where it
can be (skipped: no consent, no address). The batch task then sends at most the rate in force per
minute, records sent or failed (with the reason) per recipient, and schedules the next batch.
Each e-mail goes through ``send_once``, so a retried batch never sends anyone a second copy.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count
from django.template import Context, Template
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit import log_action
from crm.enqueue import enqueue
from crm.models import BehaviourLog
from crm.reminders import send_once
from customers.models import Customer
from customers.selectors import marketable_customers
from customers.services.privacy import customer_consent_set

from .. import links
from ..audience import group_members
from ..models import Campaign, EmailCampaign, EmailRecipient

logger = logging.getLogger(__name__)
BATCH_INTERVAL = timedelta(minutes=1)
FIELDS = ["group", "subject", "body", "rate_per_minute"]


def rate_in_force(email_campaign: EmailCampaign) -> int:
    """The campaign's own rate, never above the site-wide MARKETING_EMAIL_RATE_PER_MINUTE."""
    return max(1, min(email_campaign.rate_per_minute or 1, settings.MARKETING_EMAIL_RATE_PER_MINUTE))


def _check_template(body: str) -> None:
    try:
        Template(body)
    except Exception as error:  # noqa: BLE001 - any template syntax error is the user's to fix
        raise ValidationError({"body": _("The template has an error: %(error)s") % {"error": error}}) from error


@transaction.atomic
def email_campaign_create(*, actor, campaign: Campaign, data: dict) -> EmailCampaign:
    _check_template(data.get("body", ""))
    email_campaign = EmailCampaign(campaign=campaign, created_by=actor, **{f: data[f] for f in FIELDS if f in data})
    email_campaign.full_clean()
    email_campaign.save()
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=email_campaign)
    return email_campaign


@transaction.atomic
def email_campaign_update(*, actor, email_campaign: EmailCampaign, data: dict) -> EmailCampaign:
    if email_campaign.status != EmailCampaign.Status.DRAFT:
        raise ValidationError(_("Only a draft can be changed."))
    _check_template(data.get("body", email_campaign.body))
    for field in FIELDS:
        if field in data:
            setattr(email_campaign, field, data[field])
    email_campaign.full_clean()
    email_campaign.save()
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=email_campaign)
    return email_campaign


@transaction.atomic
def email_campaign_start(*, actor, email_campaign: EmailCampaign) -> dict:
    """Decide who gets the e-mail and queue the first batch; counts per status."""
    email_campaign = EmailCampaign.objects.select_for_update().get(pk=email_campaign.pk)
    if email_campaign.status != EmailCampaign.Status.DRAFT:
        raise ValidationError(_("This e-mail campaign has already been started."))
    members = group_members(user=actor, group=email_campaign.group)
    allowed = set(marketable_customers(members).values_list("pk", flat=True))
    rows = []
    for customer in members.only("pk", "email"):
        row = EmailRecipient(email_campaign=email_campaign, customer=customer, email=customer.email)
        if customer.pk not in allowed:
            row.status, row.reason = EmailRecipient.Status.SKIPPED, _("No marketing consent.")
        elif not customer.email:
            row.status, row.reason = EmailRecipient.Status.SKIPPED, _("No e-mail address.")
        rows.append(row)
    EmailRecipient.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    email_campaign.status, email_campaign.started_at = EmailCampaign.Status.SENDING, timezone.now()
    email_campaign.next_batch_at = email_campaign.started_at
    email_campaign.save(update_fields=["status", "started_at", "next_batch_at", "updated_at"])
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=email_campaign, detail={"started": len(rows)})
    _queue_batch(email_campaign.pk)
    return recipient_counts(email_campaign)


def _queue_batch(pk: int, countdown: int = 0) -> None:
    enqueue("marketing.tasks.send_email_campaign_batch", pk, countdown=countdown)


def recipient_counts(email_campaign: EmailCampaign) -> dict:

    rows = email_campaign.recipients.order_by().values("status").annotate(n=Count("pk"))
    counts = {status: 0 for status in EmailRecipient.Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    counts["total"] = sum(counts[s] for s in EmailRecipient.Status.values)
    return counts


def _render(email_campaign: EmailCampaign, recipient: EmailRecipient) -> str:
    body = Template(email_campaign.body).render(Context({"name": recipient.customer.name}, autoescape=False))
    footer = _("To stop receiving marketing e-mails, open: %(url)s") % {
        "url": links.unsubscribe_url(recipient.customer)
    }
    return f"{body}\n\n--\n{footer}\n"


def _deliver(email_campaign: EmailCampaign, recipient: EmailRecipient) -> None:
    def send():
        text = _render(email_campaign, recipient)
        message = EmailMultiAlternatives(email_campaign.subject, text, settings.DEFAULT_FROM_EMAIL, [recipient.email])
        message.extra_headers["List-Unsubscribe"] = f"<{links.unsubscribe_url(recipient.customer)}>"
        message.send()
        EmailRecipient.objects.filter(pk=recipient.pk).update(
            status=EmailRecipient.Status.SENT, reason="", sent_at=timezone.now()
        )

    try:
        if not send_once(f"marketing:email:{recipient.pk}", send):
            EmailRecipient.objects.filter(pk=recipient.pk).update(status=EmailRecipient.Status.SENT)
    except Exception as error:  # noqa: BLE001 - the reason is kept per recipient and shown
        logger.warning("e-mail campaign %s to %s failed: %s", email_campaign.pk, recipient.email, error)
        EmailRecipient.objects.filter(pk=recipient.pk).update(
            status=EmailRecipient.Status.FAILED, reason=str(error)[:300] or error.__class__.__name__
        )


def email_campaign_send_batch(*, email_campaign_id: int, now=None) -> dict:
    """Send up to the rate in force; schedule the next batch while any are queued."""
    now = now or timezone.now()
    email_campaign = EmailCampaign.objects.get(pk=email_campaign_id)
    if email_campaign.status != EmailCampaign.Status.SENDING:
        return {"sent": 0, "more": False}
    batch = list(
        email_campaign.recipients.filter(status=EmailRecipient.Status.QUEUED)
        .select_related("customer")
        .order_by("pk")[: rate_in_force(email_campaign)]
    )
    for recipient in batch:
        # Consent can be withdrawn while the send is under way: check again just before sending.
        if not marketable_customers(Customer.objects.filter(pk=recipient.customer_id)).exists():
            EmailRecipient.objects.filter(pk=recipient.pk).update(
                status=EmailRecipient.Status.SKIPPED, reason=_("No marketing consent.")
            )
            continue
        EmailRecipient.objects.filter(pk=recipient.pk).update(attempts=recipient.attempts + 1)
        _deliver(email_campaign, recipient)
    more = email_campaign.recipients.filter(status=EmailRecipient.Status.QUEUED).exists()
    if more:
        email_campaign.next_batch_at = now + BATCH_INTERVAL
        email_campaign.save(update_fields=["next_batch_at"])
    else:
        email_campaign.status, email_campaign.finished_at, email_campaign.next_batch_at = (
            EmailCampaign.Status.DONE, timezone.now(), None,
        )  # fmt: skip
        email_campaign.save(update_fields=["status", "finished_at", "next_batch_at"])
    return {"sent": len(batch), "more": more}


@transaction.atomic
def email_campaign_resend_failed(*, actor, email_campaign: EmailCampaign) -> int:
    """Queue the failed recipients again and start a batch; how many were queued."""
    email_campaign = EmailCampaign.objects.select_for_update().get(pk=email_campaign.pk)
    count = email_campaign.recipients.filter(status=EmailRecipient.Status.FAILED).update(
        status=EmailRecipient.Status.QUEUED, reason=""
    )
    if count:
        email_campaign.status, email_campaign.finished_at = EmailCampaign.Status.SENDING, None
        email_campaign.next_batch_at = timezone.now()
        email_campaign.save(update_fields=["status", "finished_at", "next_batch_at"])
        log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=email_campaign, detail={"resend": count})
        _queue_batch(email_campaign.pk)
    return count


@transaction.atomic
def customer_unsubscribe(*, customer: Customer) -> Customer:
    """The unsubscribe link: marketing consent withdrawn through the customers' privacy service."""
    if customer.consent == Customer.Consent.WITHDRAWN:
        return customer
    return customer_consent_set(
        actor=None, customer=customer, consent=Customer.Consent.WITHDRAWN, method=_("unsubscribe link")
    )
