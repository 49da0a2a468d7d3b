"""Events: create and edit, the status workflow, and invitations sent once per recipient."""

import logging
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.audit import log_action
from crm.enqueue import enqueue
from crm.models import BehaviourLog
from crm.reminders import send_once
from crm.sms import send_sms
from crm.uploads import check_upload
from customers.dedupe import normalise_phone
from customers.models import Customer
from customers.selectors import marketable_customers

from .. import links
from ..audience import group_members
from ..models import Campaign, Event, Invitation
from .uploads import INVITATION_TYPES, POSTER_TYPES

logger = logging.getLogger(__name__)

EVENT_FIELDS = [
    "theme", "kind", "starts_at", "ends_at", "location", "online_url", "agenda", "capacity",
    "registration_deadline",
]  # fmt: skip

# Which status may follow which; cancelling is possible until the event has finished.
TRANSITIONS = {
    Event.Status.DRAFT: {Event.Status.PUBLISHED, Event.Status.CANCELLED},
    Event.Status.PUBLISHED: {Event.Status.ONGOING, Event.Status.FINISHED, Event.Status.CANCELLED},
    Event.Status.ONGOING: {Event.Status.FINISHED, Event.Status.CANCELLED},
    Event.Status.FINISHED: set(),
    Event.Status.CANCELLED: set(),
}


def event_next_statuses(*, event: Event, now=None) -> list[str]:
    """The statuses the event may move to now: a published event that has not started yet cannot be
    finished (nobody could have come, and finishing sends the satisfaction survey)."""
    allowed = set(TRANSITIONS.get(event.status, set()))
    if event.status == Event.Status.PUBLISHED and event.starts_at > (now or timezone.now()):
        allowed.discard(Event.Status.FINISHED)
    return sorted(allowed)


def _check_times(event: Event) -> None:
    errors = {}
    if event.starts_at and event.ends_at and event.ends_at < event.starts_at:
        errors["ends_at"] = _("The event cannot end before it starts.")
    if event.registration_deadline and event.ends_at and event.registration_deadline > event.ends_at:
        errors["registration_deadline"] = _("Registration must close before the event ends.")
    if not event.location and not event.online_url:
        errors["location"] = _("Give a location or an online link.")
    if errors:
        raise ValidationError(errors)


def _apply(event: Event, data: dict, files: dict) -> list[str]:
    changed = [field for field in EVENT_FIELDS if field in data and getattr(event, field) != data[field]]
    for field in changed:
        setattr(event, field, data[field])
    for field, allowed in (("poster", POSTER_TYPES), ("invitation_file", INVITATION_TYPES)):
        upload = files.get(field)
        if upload:
            check_upload(upload, allowed=allowed, max_bytes=settings.MARKETING_UPLOAD_MAX_BYTES, field=field)
            getattr(event, field).save(upload.name, upload, save=False)
            changed.append(field)
    _check_times(event)
    event.full_clean(exclude=["poster", "invitation_file"])
    return changed


def _set_audience(event: Event, audience: dict | None) -> None:
    if audience is None:
        return
    event.invite_customers.set(audience.get("customers", []))
    event.invite_contacts.set(audience.get("contacts", []))
    event.invite_groups.set(audience.get("groups", []))


@transaction.atomic
def event_create(*, actor, campaign: Campaign, data: dict, files=None, audience=None) -> Event:
    event = Event(campaign=campaign)
    _apply(event, data, files or {})
    event.save()
    _set_audience(event, audience)
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=event, detail={"campaign": campaign.pk})
    return event


@transaction.atomic
def event_update(*, actor, event: Event, data: dict, files=None, audience=None) -> Event:
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status in (Event.Status.FINISHED, Event.Status.CANCELLED):
        raise ValidationError(_("A finished or cancelled event cannot be changed."))
    changed = _apply(event, data, files or {})
    event.save()
    _set_audience(event, audience)
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=event, detail={"fields": changed})
    return event


@transaction.atomic
def event_set_status(*, actor, event: Event, status: str) -> Event:
    """Move the event along its workflow; publishing queues the invitations, finishing the survey, and
    cancelling a published event tells those registered."""
    if status not in Event.Status.values:
        raise ValidationError({"status": _("“%(value)s” is not a status an event can have.") % {"value": status}})
    event = Event.objects.select_for_update().get(pk=event.pk)
    if status not in TRANSITIONS.get(event.status, set()):
        raise ValidationError(
            {"status": _("An event that is %(current)s cannot become %(new)s.")
             % {"current": event.get_status_display(), "new": Event.Status(status).label}}
        )  # fmt: skip
    if status == Event.Status.FINISHED and status not in event_next_statuses(event=event):
        raise ValidationError({"status": _("An event cannot finish before it has started.")})
    previous = event.status
    event.status = status
    if status == Event.Status.PUBLISHED:
        event.published_at = timezone.now()
    event.save(update_fields=["status", "published_at", "updated_at"])
    log_action(
        actor=actor, action=BehaviourLog.Action.UPDATE, obj=event, detail={"status": status, "previous": previous}
    )
    if status == Event.Status.PUBLISHED:
        enqueue("marketing.tasks.send_event_invitations", event.pk, actor.pk)
    elif status == Event.Status.FINISHED:
        enqueue("marketing.tasks.send_event_survey", event.pk)
    elif status == Event.Status.CANCELLED and previous != Event.Status.DRAFT:
        enqueue("marketing.tasks.send_event_cancellation", event.pk)
    return event


# ---------------------------------------------------------------------------- invitations


def _mobile(phone: str) -> str:
    """The number when it is a mainland mobile (texts cannot reach a landline), else empty."""
    return phone if re.fullmatch(r"1\d{10}", normalise_phone(phone)) else ""


def invitations_prepare(*, actor, event: Event) -> int:
    """One invitation row per chosen recipient the actor may see; rows already there are kept as they are."""
    visible = Customer.objects.visible_to(actor).filter(erased_at__isnull=True)
    rows = []
    customer_ids = set(event.invite_customers.filter(pk__in=visible.values("pk")).values_list("pk", flat=True))
    for group in event.invite_groups.all():
        customer_ids |= set(group_members(user=actor, group=group, customers=visible).values_list("pk", flat=True))
    for customer in visible.filter(pk__in=customer_ids).only("pk", "name", "email", "phone"):
        rows.append(
            Invitation(
                event=event, customer=customer, name=customer.name, email=customer.email, phone=_mobile(customer.phone)
            )
        )
    contacts = event.invite_contacts.filter(customer__in=visible.values("pk")).only(
        "pk", "customer_id", "name", "email", "mobile"
    )
    for contact in contacts:
        rows.append(
            Invitation(
                event=event,
                customer_id=contact.customer_id,
                contact=contact,
                name=contact.name,
                email=contact.email,
                phone=_mobile(contact.mobile),
            )
        )
    # The unique constraints make a second run (a retried job) add nobody.
    created = Invitation.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(created)


def _invitation_message(invitation: Invitation) -> tuple[str, str]:
    event = invitation.event
    context = {"invitation": invitation, "event": event, "url": links.invitation_url(invitation)}
    subject = _("Invitation: %(theme)s") % {"theme": event.theme}
    return subject, render_to_string("marketing/email/invitation.txt", context)


def invitation_send(*, invitation: Invitation) -> str:
    """Send one invitation unless it went before; the invitation's new status."""
    if invitation.status in (Invitation.Status.SENT, Invitation.Status.SKIPPED):
        return invitation.status
    marketable = marketable_customers(Customer.objects.filter(pk=invitation.customer_id)).exists()
    reason = ""
    if not marketable:
        reason = _("No marketing consent.")
    elif not invitation.email and not invitation.phone:
        reason = _("No e-mail address or mobile number.")
    if reason:
        Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.SKIPPED, reason=reason)
        return Invitation.Status.SKIPPED

    def send():
        subject, text = _invitation_message(invitation)
        if invitation.email:
            EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [invitation.email]).send()
        if invitation.phone:
            send_sms(invitation.phone, f"{subject} {links.invitation_url(invitation)}")
        Invitation.objects.filter(pk=invitation.pk).update(
            status=Invitation.Status.SENT, reason="", sent_at=timezone.now()
        )

    try:
        if not send_once(f"marketing:invitation:{invitation.pk}", send):
            # Sent by an earlier run that died before recording it: record it now, send nothing.
            Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.SENT)
    except Exception as error:  # noqa: BLE001 - a bad address must not stop the others; the reason is shown
        logger.warning("invitation %s failed: %s", invitation.pk, error)
        Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.FAILED, reason=str(error)[:300])
        return Invitation.Status.FAILED
    return Invitation.Status.SENT


def event_invitations_send(*, event_id: int, actor_id: int) -> dict:
    """Invite everyone chosen for the event; running it again sends nothing twice."""

    actor = get_user_model().objects.get(pk=actor_id)
    event = Event.objects.visible_to(actor).select_related("campaign").get(pk=event_id)
    invitations_prepare(actor=actor, event=event)
    counts = {status: 0 for status in Invitation.Status.values}
    pending = event.invitations.exclude(status__in=[Invitation.Status.SENT, Invitation.Status.SKIPPED])
    with translation.override(settings.LANGUAGE_CODE):
        for invitation in pending.select_related("event").iterator(chunk_size=500):
            counts[invitation_send(invitation=invitation)] += 1
    return counts
