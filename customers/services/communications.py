"""Writes to communication records (客户沟通记录) and the follow-up tasks they schedule."""

import zoneinfo
from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.audit import history_author, log_action
from crm.models import BehaviourLog
from crm.scope import Module

from ..models import Communication, Customer, FollowUpTask
from .quality import customer_quality_refresh

COMMUNICATION_FIELDS = [
    "contact", "occurred_at", "channel", "subject", "content", "result", "next_step", "next_follow_up",
]  # fmt: skip

# A follow-up date becomes a task due at this local time on that day.
FOLLOW_UP_TIME = time(9, 0)


def user_timezone(user):
    """The user's own time zone if they chose one, otherwise the active one."""
    name = getattr(user, "timezone", "")
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_current_timezone()


def follow_up_due_at(*, user, day) -> datetime:
    return datetime.combine(day, FOLLOW_UP_TIME, tzinfo=user_timezone(user))


def _apply(communication: Communication, data: dict, *, actor) -> None:
    for field in COMMUNICATION_FIELDS:
        if field in data:
            setattr(communication, field, data[field])
    if isinstance(communication.subject, str):
        communication.subject = communication.subject.strip()
    errors = {}
    contact = communication.contact
    if contact is not None and contact.customer_id != communication.customer_id:
        errors["contact"] = [_("Choose a contact of this customer.")]
    occurred_at = communication.occurred_at
    if occurred_at is not None and occurred_at > timezone.now() + timedelta(minutes=5):
        errors["occurred_at"] = [_("A communication cannot take place in the future.")]
    if occurred_at is not None and communication.next_follow_up is not None:
        if communication.next_follow_up < timezone.localtime(occurred_at, user_timezone(actor)).date():
            errors["next_follow_up"] = [_("The next follow-up cannot be before the communication.")]
    try:
        communication.full_clean(exclude=["customer", "owner"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _touch_customer(*, customer: Customer, occurred_at) -> None:
    """Move ``last_contacted_at`` forward only; a single UPDATE so concurrent records cannot lose one.
    The quality score's freshness follows at once."""
    Customer.objects.filter(pk=customer.pk).update(last_contacted_at=Greatest("last_contacted_at", occurred_at))
    if customer.last_contacted_at is None or customer.last_contacted_at < occurred_at:
        customer.last_contacted_at = occurred_at
    customer_quality_refresh(customer=customer)


def _recount_customer(*, customer_id: int, previous) -> None:
    """After a record moved or went: if it was the latest contact, take the latest remaining one."""
    latest = Communication.objects.filter(customer_id=customer_id).aggregate(latest=Max("occurred_at"))["latest"]
    if Customer.objects.filter(pk=customer_id, last_contacted_at=previous).update(last_contacted_at=latest):
        customer_quality_refresh(customer=Customer(pk=customer_id))


def _follow_up_task(*, actor, communication: Communication) -> FollowUpTask:
    """Create or move the open task that a communication's next follow-up date asks for."""
    due_at = follow_up_due_at(user=actor, day=communication.next_follow_up)
    task = (
        FollowUpTask.objects.select_for_update()
        .filter(communication=communication, status=FollowUpTask.Status.OPEN)
        .order_by("pk")
        .first()
    )
    if task is not None:
        if task.due_at != due_at:
            task.due_at = due_at
            history_author(task, actor).save(update_fields=["due_at", "updated_at"])
            log_action(
                actor=actor, action=BehaviourLog.Action.UPDATE, obj=task, module=Module.CUSTOMERS,
                detail={"fields": ["due_at"]},
            )  # fmt: skip
        return task
    task = FollowUpTask(
        customer_id=communication.customer_id,
        contact=communication.contact,
        communication=communication,
        title=(communication.next_step or communication.subject)[:200],
        due_at=due_at,
        assignee=actor,
        created_by=actor,
    )
    history_author(task, actor).save()
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=task, module=Module.CUSTOMERS)
    return task


@transaction.atomic
def communication_create(*, actor, customer: Customer, data: dict) -> Communication:
    """Record a communication by ``actor``; a next follow-up date also schedules a task for the actor."""
    if not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
        raise PermissionDenied("customer outside the actor's scope")
    communication = Communication(customer=customer, owner=actor)
    if not data.get("occurred_at"):
        data = {**data, "occurred_at": timezone.now()}
    _apply(communication, data, actor=actor)
    history_author(communication, actor).save()
    _touch_customer(customer=customer, occurred_at=communication.occurred_at)
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=communication, module=Module.CUSTOMERS)
    if communication.next_follow_up:
        _follow_up_task(actor=actor, communication=communication)
    return communication


@transaction.atomic
def communication_update(*, actor, communication: Communication, data: dict) -> Communication:
    before = Communication.objects.select_for_update().get(pk=communication.pk)
    _apply(communication, data, actor=actor)
    attnames = [Communication._meta.get_field(f).attname for f in COMMUNICATION_FIELDS]
    changed = [
        f
        for f, a in zip(COMMUNICATION_FIELDS, attnames, strict=True)
        if getattr(before, a) != getattr(communication, a)
    ]
    history_author(communication, actor).save()
    if communication.occurred_at != before.occurred_at:
        _recount_customer(customer_id=communication.customer_id, previous=before.occurred_at)
        _touch_customer(customer=communication.customer, occurred_at=communication.occurred_at)
    if communication.next_follow_up and communication.next_follow_up != before.next_follow_up:
        _follow_up_task(actor=actor, communication=communication)
    log_action(
        actor=actor, action=BehaviourLog.Action.UPDATE, obj=communication, module=Module.CUSTOMERS,
        detail={"fields": changed},
    )  # fmt: skip
    return communication


@transaction.atomic
def communication_delete(*, actor, communication: Communication) -> None:
    """Delete the record; tasks it scheduled stay (they lose the link), the customer's last contact is redone."""
    customer_id, occurred_at = communication.customer_id, communication.occurred_at
    log_action(actor=actor, action=BehaviourLog.Action.DELETE, obj=communication, module=Module.CUSTOMERS)
    history_author(communication, actor).delete()
    _recount_customer(customer_id=customer_id, previous=occurred_at)
