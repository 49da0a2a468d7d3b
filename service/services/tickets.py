"""Writes to tickets: create, assign (by hand or round-robin), move through the workflow, comment.

Each function is one transaction that also writes the ticket's event (its timeline) and the
behaviour-log entry.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.audit import log_action
from crm.i18n import for_reader
from crm.models import BehaviourLog
from crm.notifications import notify
from crm.scope import Module
from crm.uploads import check_upload
from sales.models import Order

from ..links import survey_url, tracking_url
from ..models import Queue, Ticket, TicketAttachment, TicketComment, TicketEvent
from . import sla

Status = Ticket.Status

# The workflow: where a ticket may go from each status. Resolved and closed tickets are reopened
# by moving them back to "in progress".
TRANSITIONS = {
    Status.NEW: [Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED],
    Status.ASSIGNED: [Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED],
    Status.IN_PROGRESS: [Status.WAITING, Status.RESOLVED],
    Status.WAITING: [Status.IN_PROGRESS, Status.RESOLVED],
    Status.RESOLVED: [Status.CLOSED, Status.IN_PROGRESS],
    Status.CLOSED: [Status.IN_PROGRESS],
}
NEEDS_ASSIGNEE = {Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED}
# Reaching these answers the customer, so the first-response clock stops.
RESPONDS = {Status.WAITING, Status.RESOLVED}

TICKET_FIELDS = ["subject", "description", "type", "channel", "priority", "requester_name", "requester_email",
                 "requester_phone", "product", "order"]  # fmt: skip


def _check_order(ticket: Ticket, actor) -> dict:
    """The linked order must be this customer's and one the actor may see."""
    order = ticket.order
    if order is None:
        return {}
    if order.customer_id != ticket.customer_id:
        return {"order": [_("Choose an order of this customer.")]}
    if not Order.objects.visible_to(actor).filter(pk=order.pk).exists():
        return {"order": [_("You cannot see this order.")]}
    return {}


def allowed_transitions(ticket: Ticket) -> list[str]:
    return list(TRANSITIONS[ticket.status])


def transition_label(ticket: Ticket, to_status: str):
    if ticket.status in (Status.RESOLVED, Status.CLOSED) and to_status == Status.IN_PROGRESS:
        return _("Reopen")
    return {
        Status.ASSIGNED: _("Mark assigned"),
        Status.IN_PROGRESS: _("Start work"),
        Status.WAITING: _("Wait on customer"),
        Status.RESOLVED: _("Resolve"),
        Status.CLOSED: _("Close"),
    }[to_status]


def _event(ticket, kind, *, actor=None, from_status="", to_status="", **detail) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket, kind=kind, actor=actor, from_status=from_status, to_status=to_status, detail=detail
    )


def _lock(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("queue__calendar", "sla_policy", "customer", "contact", "assignee")
        .get(pk=ticket.pk)
    )


def _check_assignee(queue: Queue, assignee) -> None:
    if assignee is None:
        return
    is_agent = queue.members.filter(pk=assignee.pk, is_active=True).exists()
    if not (is_agent or (queue.manager_id == assignee.pk and assignee.is_active)):
        raise ValidationError({"assignee": [_("%(user)s is not an agent of the queue %(queue)s.") % {
            "user": assignee, "queue": queue}]})  # fmt: skip


def next_agent(queue: Queue):
    """Round-robin: the active agent after the one who got the queue's last ticket. Lock the queue first."""
    agents = list(queue.members.filter(is_active=True).order_by("pk"))
    if not agents:
        return None
    last = queue.last_assigned_id
    return next((agent for agent in agents if last is None or agent.pk > last), agents[0])


def _notify_assignee(ticket: Ticket, actor) -> None:
    assignee = ticket.assignee
    if assignee is None or assignee == actor:
        return
    with for_reader(assignee):
        title = gettext("Ticket assigned to you: %(number)s %(subject)s") % {
            "number": ticket.number, "subject": ticket.subject}  # fmt: skip
    notify(user=assignee, title=title, body=ticket.description[:500], url=ticket.get_absolute_url())


def _assign(ticket: Ticket, *, actor, assignee, round_robin=False) -> None:
    queue = Queue.objects.select_for_update().get(pk=ticket.queue_id)
    if round_robin:
        assignee = next_agent(queue)
        if assignee is None:
            return
    _check_assignee(queue, assignee)
    previous = ticket.assignee_id
    ticket.assignee = assignee
    if assignee is not None:
        Queue.objects.filter(pk=queue.pk).update(last_assigned=assignee)
    if ticket.status == Status.NEW and assignee is not None:
        ticket.status = Status.ASSIGNED
    _event(
        ticket, TicketEvent.Kind.ASSIGNED, actor=actor,
        assignee=assignee.pk if assignee else None, assignee_name=str(assignee or ""), previous=previous,
        round_robin=round_robin,
    )  # fmt: skip


@transaction.atomic
def ticket_create(*, actor, customer, queue: Queue, data: dict, contact=None, assignee=None) -> Ticket:
    """Open a ticket; with no assignee given, a round-robin queue hands it to its next agent."""
    ticket = Ticket(customer=customer, contact=contact, queue=queue, created_by=actor)
    for field in TICKET_FIELDS:
        if field in data:
            setattr(ticket, field, data[field])
    errors = {}
    if contact is not None and contact.customer_id != customer.pk:
        errors["contact"] = [_("Choose a contact of this customer.")]
    errors.update(_check_order(ticket, actor))
    try:
        ticket.full_clean(exclude=["customer", "queue", "contact", "assignee"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    ticket.queue = queue
    sla.sla_start(ticket, at=now)
    ticket.save()
    _event(ticket, TicketEvent.Kind.CREATED, actor=actor, channel=ticket.channel)
    if assignee is not None:
        _assign(ticket, actor=actor, assignee=assignee)
    elif queue.auto_assign:
        _assign(ticket, actor=actor, assignee=None, round_robin=True)
    ticket.save()
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=ticket, module=Module.SERVICE)
    _notify_assignee(ticket, actor)
    return ticket


@transaction.atomic
def ticket_update(*, actor, ticket: Ticket, data: dict) -> Ticket:
    """Edit subject, description, type and priority. A new priority on an open ticket brings the deadlines
    of its SLA policy."""
    current = _lock(ticket)
    changed = [f for f in TICKET_FIELDS if f in data and getattr(current, f) != data[f]]
    for field in TICKET_FIELDS:
        if field in data:
            setattr(current, field, data[field])
    current.full_clean(exclude=["customer", "queue", "contact", "assignee"])
    if "order" in changed and (errors := _check_order(current, actor)):
        raise ValidationError(errors)
    if "priority" in changed and current.is_open:
        sla.sla_reprioritise(current)
    current.save()
    if changed:
        _event(current, TicketEvent.Kind.UPDATED, actor=actor, fields=changed)
    log_action(
        actor=actor, action=BehaviourLog.Action.UPDATE, obj=current, module=Module.SERVICE, detail={"fields": changed}
    )
    return current


@transaction.atomic
def ticket_assign(*, actor, ticket: Ticket, assignee=None, round_robin: bool = False) -> Ticket:
    current = _lock(ticket)
    if not current.is_open:
        raise ValidationError({"assignee": [_("Reopen the ticket before assigning it.")]})
    _assign(current, actor=actor, assignee=assignee, round_robin=round_robin)
    if round_robin and current.assignee is None:
        raise ValidationError({"assignee": [_("The queue has no active agents to assign to.")]})
    current.save()
    log_action(
        actor=actor, action=BehaviourLog.Action.UPDATE, obj=current, module=Module.SERVICE,
        detail={"fields": ["assignee"], "assignee": current.assignee_id},
    )  # fmt: skip
    _notify_assignee(current, actor)
    return current


def _send_survey(ticket: Ticket) -> None:
    address = ticket.reply_email
    if not address:
        return
    with for_reader(ticket):  # the customer's language, not the agent's who resolved it
        subject = gettext("How did we do? Ticket %(number)s") % {"number": ticket.number}
        body = gettext(
            "Your ticket “%(subject)s” has been resolved.\n\nPlease tell us how satisfied you are:\n%(survey)s\n\n"
            "You can follow the ticket here:\n%(tracking)s"
        ) % {"subject": ticket.subject, "survey": survey_url(ticket), "tracking": tracking_url(ticket)}
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address]))


def _move(ticket: Ticket, to_status: str, *, actor, now) -> None:
    """Apply one workflow step to a locked ticket, or refuse it with a message naming both statuses."""
    from_status = ticket.status
    if to_status not in Status.values:
        # A forged or empty form value: refuse it as bad input instead of failing on the label below.
        raise ValidationError({"status": [_("Choose a valid status.")]})
    if to_status not in TRANSITIONS.get(from_status, []):
        raise ValidationError({"status": [_("A ticket that is “%(from)s” cannot become “%(to)s”.") % {
            "from": Status(from_status).label, "to": Status(to_status).label}]})  # fmt: skip
    if to_status in NEEDS_ASSIGNEE and ticket.assignee_id is None:
        raise ValidationError({"status": [_("Assign the ticket to an agent first.")]})
    if from_status == Status.WAITING:
        sla.sla_resume(ticket, at=now)
    if to_status == Status.WAITING:
        sla.sla_pause(ticket, at=now)
    if to_status in RESPONDS and ticket.first_responded_at is None:
        ticket.first_responded_at = now
    if to_status == Status.RESOLVED:
        ticket.resolved_at = now
    if to_status == Status.CLOSED:
        ticket.closed_at = now
    if to_status == Status.IN_PROGRESS and from_status in (Status.RESOLVED, Status.CLOSED):
        ticket.resolved_at = ticket.closed_at = None
    ticket.status = to_status
    _event(ticket, TicketEvent.Kind.STATUS, actor=actor, from_status=from_status, to_status=to_status)


@transaction.atomic
def ticket_transition(*, actor, ticket: Ticket, to_status: str) -> Ticket:
    """Move the ticket one step along the workflow; an invalid step raises ValidationError."""
    current = _lock(ticket)
    from_status = current.status
    _move(current, to_status, actor=actor, now=timezone.now())
    current.save()
    log_action(
        actor=actor, action=BehaviourLog.Action.UPDATE, obj=current, module=Module.SERVICE,
        detail={"fields": ["status"], "from": from_status, "to": to_status},
    )  # fmt: skip
    if to_status == Status.RESOLVED and not hasattr(current, "survey"):
        _send_survey(current)
    return current


def _save_attachments(ticket: Ticket, comment, files, *, actor) -> list[TicketAttachment]:
    saved = []
    for upload in files:
        attachment = TicketAttachment(
            ticket=ticket, comment=comment, name=upload.name[:200], size=upload.size,
            content_type=upload.content_type_checked, uploaded_by=actor,
        )  # fmt: skip
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        saved.append(attachment)
    return saved


# What a ticket comment may carry; crm.uploads checks each file's content against its extension.
ATTACHMENT_TYPES = ("pdf", "png", "jpg", "jpeg", "gif", "webp", "zip", "docx", "xlsx", "txt", "csv", "log")


def check_attachments(files) -> None:
    """Every file's size and type, before anything is saved; the error names each bad file."""
    errors = []
    for upload in files:
        try:
            upload.content_type_checked = check_upload(
                upload, allowed=ATTACHMENT_TYPES, max_bytes=settings.SERVICE_ATTACHMENT_MAX_BYTES
            )
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"attachments": errors})


def _mail_customer(ticket: Ticket, comment: TicketComment) -> None:
    address = ticket.reply_email
    if not address:
        return
    with for_reader(ticket):  # the customer's language, not the agent's who answered
        subject = gettext("Re: %(subject)s [ticket %(number)s]") % {"subject": ticket.subject, "number": ticket.number}
        body = gettext("%(comment)s\n\nSee the ticket and reply here:\n%(tracking)s") % {
            "comment": comment.body, "tracking": tracking_url(ticket)}  # fmt: skip
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address]))


@transaction.atomic
def ticket_comment_add(*, actor, ticket: Ticket, body: str, is_public: bool, files=()) -> TicketComment:
    """An agent's comment, with attachments; a public one is e-mailed to the customer and is a response."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write the comment.")]})
    check_attachments(files)
    current = _lock(ticket)
    comment = TicketComment.objects.create(ticket=current, author=actor, body=body, is_public=is_public)
    _save_attachments(current, comment, files, actor=actor)
    if is_public and current.first_responded_at is None:
        current.first_responded_at = comment.created_at
        current.save(update_fields=["first_responded_at", "updated_at"])
    if is_public:
        _mail_customer(current, comment)
    log_action(
        actor=actor, action=BehaviourLog.Action.UPDATE, obj=current, module=Module.SERVICE,
        detail={"comment": comment.pk, "public": is_public, "attachments": len(files)},
    )  # fmt: skip
    return comment


@transaction.atomic
def ticket_customer_reply(*, ticket: Ticket, body: str) -> TicketComment:
    """The customer answers through the tracking page: waiting or resolved tickets go back to work."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write your reply.")]})
    current = _lock(ticket)
    if current.status == Status.CLOSED:
        raise ValidationError({"body": [_("This ticket is closed. Please submit a new ticket.")]})
    name = current.requester_name or (current.contact.name if current.contact_id else current.customer.name)
    comment = TicketComment.objects.create(ticket=current, customer_name=name[:100], body=body, is_public=True)
    detail = {"comment": comment.pk, "from": "customer"}
    if current.status in (Status.WAITING, Status.RESOLVED):
        # The entry names the step, as ticket_transition's does (a status change is an event of its own).
        detail.update(fields=["status"], from_status=current.status, to=Status.IN_PROGRESS)
        _move(current, Status.IN_PROGRESS, actor=None, now=timezone.now())
        current.save()
    recipient = current.assignee or current.queue.manager
    if recipient is not None:
        with for_reader(recipient):
            title = gettext("Customer replied: %(number)s %(subject)s") % {
                "number": current.number, "subject": current.subject}  # fmt: skip
        notify(user=recipient, title=title, body=body[:500], url=current.get_absolute_url(), email=True)
    log_action(
        actor=None, action=BehaviourLog.Action.UPDATE, obj=current, module=Module.SERVICE,
        username=name[:150], detail=detail,
    )  # fmt: skip
    return comment


@transaction.atomic
def ticket_link_article(*, actor, ticket: Ticket, article, linked: bool = True) -> Ticket:
    if linked:
        ticket.articles.add(article)
    else:
        ticket.articles.remove(article)
    log_action(
        actor=actor, action=BehaviourLog.Action.UPDATE, obj=ticket, module=Module.SERVICE,
        detail={"fields": ["articles"], "article": article.pk, "linked": linked},
    )  # fmt: skip
    return ticket
