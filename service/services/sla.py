"""Applying SLA policies to tickets, pausing the clock, and the warnings and escalations beat sends.

Deadlines are stored on the ticket (``response_due_at``, ``resolution_due_at`` and the warning
instants), so "breaching soon" and "overdue" are plain indexed queries. The arithmetic itself is in
:mod:`service.sla`.
"""

import logging

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from crm.i18n import for_reader
from crm.models import SentReminder
from crm.notifications import notify
from crm.reminders import send_once

from ..models import SlaPolicy, Ticket, TicketEvent
from ..sla import WorkingHours, add_work_seconds, work_seconds_between

logger = logging.getLogger(__name__)

RESPONSE_WARNING = "response_warning"
RESPONSE_BREACH = "response_breach"
RESOLUTION_WARNING = "resolution_warning"
RESOLUTION_BREACH = "resolution_breach"
KINDS = [RESPONSE_WARNING, RESPONSE_BREACH, RESOLUTION_WARNING, RESOLUTION_BREACH]

# While these run, the resolution clock runs; waiting on the customer pauses it.
RUNNING = [Ticket.Status.NEW, Ticket.Status.ASSIGNED, Ticket.Status.IN_PROGRESS]


def working_hours(ticket: Ticket) -> WorkingHours | None:
    """The calendar the ticket's clock runs on; None for calendar hours."""
    policy = ticket.sla_policy
    if policy is None or not policy.business_hours:
        return None
    calendar = ticket.queue.calendar
    if calendar is None:
        return WorkingHours(timezone=settings.TIME_ZONE)
    return calendar.working_hours()


def sla_start(ticket: Ticket, *, at) -> None:
    """Set the ticket's deadlines from the policy of its priority (no policy: no deadlines). Not saved."""
    policy = SlaPolicy.objects.filter(priority=ticket.priority).first()
    ticket.sla_policy = policy
    if policy is None:
        ticket.response_due_at = ticket.response_warn_at = None
        ticket.resolution_due_at = ticket.resolution_warn_at = None
        return
    hours = working_hours(ticket)
    response, resolution = policy.first_response_minutes * 60, policy.resolution_minutes * 60
    ticket.response_due_at = add_work_seconds(hours, at, response)
    ticket.response_warn_at = add_work_seconds(hours, at, response * policy.warning_percent // 100)
    ticket.resolution_due_at = add_work_seconds(hours, at, resolution)
    ticket.resolution_warn_at = add_work_seconds(hours, at, resolution * policy.warning_percent // 100)


def sla_pause(ticket: Ticket, *, at) -> None:
    """Stop the resolution clock, keeping the working time left. A deadline already passed stays passed."""
    if ticket.resolution_due_at is None or ticket.sla_paused_at is not None or at >= ticket.resolution_due_at:
        return
    hours = working_hours(ticket)
    ticket.sla_paused_at = at
    ticket.sla_remaining_seconds = work_seconds_between(hours, at, ticket.resolution_due_at)
    ticket.sla_warn_remaining_seconds = work_seconds_between(hours, at, ticket.resolution_warn_at)


def sla_resume(ticket: Ticket, *, at) -> None:
    """Start the resolution clock again: the time left when it stopped counts from now."""
    if ticket.sla_paused_at is None:
        return
    hours = working_hours(ticket)
    ticket.sla_paused_seconds += work_seconds_between(hours, ticket.sla_paused_at, at)
    ticket.resolution_due_at = add_work_seconds(hours, at, ticket.sla_remaining_seconds or 0)
    if ticket.sla_warn_remaining_seconds:
        ticket.resolution_warn_at = add_work_seconds(hours, at, ticket.sla_warn_remaining_seconds)
    ticket.sla_paused_at = None
    ticket.sla_remaining_seconds = ticket.sla_warn_remaining_seconds = None


def sla_reprioritise(ticket: Ticket) -> None:
    """Deadlines for a new priority, counted from the ticket's creation as if it had always had it; time
    spent waiting on the customer still does not count. Not saved."""
    paused_at, remaining_before = ticket.sla_paused_at, ticket.sla_remaining_seconds
    sla_start(ticket, at=ticket.created_at)
    policy = ticket.sla_policy
    if policy is None:
        ticket.sla_paused_at = ticket.sla_remaining_seconds = ticket.sla_warn_remaining_seconds = None
        return
    hours = working_hours(ticket)
    resolution = policy.resolution_minutes * 60
    warning = resolution * policy.warning_percent // 100
    waited = ticket.sla_paused_seconds
    ticket.resolution_due_at = add_work_seconds(hours, ticket.created_at, resolution + waited)
    ticket.resolution_warn_at = add_work_seconds(hours, ticket.created_at, warning + waited)
    if paused_at is not None and remaining_before is not None:
        used = work_seconds_between(hours, ticket.created_at, paused_at) - waited
        ticket.sla_remaining_seconds = max(resolution - used, 0)
        ticket.sla_warn_remaining_seconds = max(warning - used, 0)
        ticket.resolution_due_at = add_work_seconds(hours, paused_at, ticket.sla_remaining_seconds)
        ticket.resolution_warn_at = add_work_seconds(hours, paused_at, ticket.sla_warn_remaining_seconds)


# ---------------------------------------------------------------------------- warnings and escalations


def reminder_key(ticket_pk: int, kind: str) -> str:
    """One warning and one escalation of each clock per ticket, ever: a pause does not send them again."""
    return f"ticket:{ticket_pk}:{kind}"


def _pending(queryset, kind: str):
    key = Concat(Value("ticket:"), Cast("pk", CharField()), Value(f":{kind}"), output_field=CharField())
    return queryset.alias(reminder_key=key).filter(~Exists(SentReminder.objects.filter(key=OuterRef("reminder_key"))))


def _plans(now):
    awaiting = Ticket.objects.filter(status__in=RUNNING, first_responded_at__isnull=True)
    running = Ticket.objects.filter(status__in=RUNNING, sla_paused_at__isnull=True)
    return [
        (RESPONSE_WARNING, awaiting.filter(response_warn_at__lte=now, response_due_at__gt=now)),
        (RESPONSE_BREACH, awaiting.filter(response_due_at__lte=now)),
        (RESOLUTION_WARNING, running.filter(resolution_warn_at__lte=now, resolution_due_at__gt=now)),
        (RESOLUTION_BREACH, running.filter(resolution_due_at__lte=now)),
    ]


def _message(ticket: Ticket, kind: str, user) -> tuple[str, str]:
    with for_reader(user):
        due = ticket.response_due_at if kind.startswith("response") else ticket.resolution_due_at
        values = {
            "number": ticket.number,
            "subject": ticket.subject,
            "customer": ticket.customer.name,
            "due": formats.date_format(timezone.localtime(due), "SHORT_DATETIME_FORMAT"),
        }
        titles = {
            RESPONSE_WARNING: _("First response due soon: %(number)s %(subject)s"),
            RESPONSE_BREACH: _("First response overdue: %(number)s %(subject)s"),
            RESOLUTION_WARNING: _("Resolution due soon: %(number)s %(subject)s"),
            RESOLUTION_BREACH: _("Resolution overdue: %(number)s %(subject)s"),
        }
        body = _("Ticket %(number)s of %(customer)s is due at %(due)s.") % values
        return titles[kind] % values, body


def _recipients(ticket: Ticket, kind: str) -> list:
    """Warnings go to the assignee (the manager while nobody has it); a breach escalates to the manager too."""
    people = []
    if ticket.assignee_id and ticket.assignee.is_active:
        people.append(ticket.assignee)
    manager = ticket.queue.manager
    if manager is not None and manager.is_active and (kind.endswith("breach") or not people):
        people.append(manager)
    return list({person.pk: person for person in people}.values())


def _send(ticket: Ticket, kind: str) -> bool:
    def send():
        current = Ticket.objects.select_for_update().get(pk=ticket.pk)
        # The ticket may have been answered, paused or resolved since it was read: then the key is spent.
        if current.status not in RUNNING:
            return
        if kind.startswith("response") and current.first_responded_at is not None:
            return
        if kind.startswith("resolution") and current.sla_paused_at is not None:
            return
        for user in _recipients(ticket, kind):
            title, body = _message(ticket, kind, user)
            notify(user=user, title=title, body=body, url=ticket.get_absolute_url(), email=True)
        breach = kind.endswith("breach")
        if breach:
            flag = "response_breached" if kind == RESPONSE_BREACH else "resolution_breached"
            Ticket.objects.filter(pk=ticket.pk).update(**{flag: True})
        TicketEvent.objects.create(
            ticket=ticket,
            kind=TicketEvent.Kind.ESCALATED if breach else TicketEvent.Kind.WARNED,
            detail={"sla": kind, "manager": ticket.queue.manager_id},
        )

    return send_once(reminder_key(ticket.pk, kind), send)


def sla_reminders_send(*, now=None, batch_size: int = 200) -> dict:
    """Send every SLA warning and escalation that is due and not sent yet; each exactly once.

    Each is its own transaction (``send_once``): one that fails is rolled back, counted in ``failed``
    and sent by the next run.
    """
    now = now or timezone.now()
    counts = dict.fromkeys(KINDS, 0) | {"failed": 0}
    for kind, queryset in _plans(now):
        pending = _pending(queryset, kind).select_related("assignee", "queue__manager", "customer").order_by("pk")
        last_pk = 0
        while True:
            batch = list(pending.filter(pk__gt=last_pk)[:batch_size])
            if not batch:
                break
            for ticket in batch:
                try:
                    counts[kind] += int(_send(ticket, kind))
                except Exception:
                    logger.exception("SLA %s for ticket %s failed", kind, ticket.pk)
                    counts["failed"] += 1
            last_pk = batch[-1].pk
    return counts
