"""Writes to follow-up tasks, and the reminders sent before they are due and once they are overdue."""

import logging
from datetime import UTC, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat, Extract, Floor
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.selectors import assignable_users
from crm.audit import history_author, log_action
from crm.i18n import for_reader
from crm.models import BehaviourLog, SentReminder
from crm.notifications import notify
from crm.reminders import send_once
from crm.scope import Module

from ..models import Customer, FollowUpTask
from .communications import user_timezone

logger = logging.getLogger(__name__)

TASK_FIELDS = ["title", "notes", "due_at", "contact"]

DUE, OVERDUE, SKIPPED = "due", "overdue", "skipped"


def _check_scope(*, actor, customer_id) -> None:
    if not Customer.objects.visible_to(actor).filter(pk=customer_id).exists():
        raise PermissionDenied("customer outside the actor's scope")


def _check_future(due_at, errors) -> None:
    if due_at is not None and due_at <= timezone.now():
        errors.setdefault("due_at", []).append(gettext_lazy("Choose a due time in the future."))


@transaction.atomic
def task_create(*, actor, customer: Customer, data: dict) -> FollowUpTask:
    """A follow-up task for ``customer``, assigned to ``data["assignee"]`` (the actor when not given)."""
    _check_scope(actor=actor, customer_id=customer.pk)
    assignee = data.get("assignee") or actor
    task = FollowUpTask(customer=customer, assignee=assignee, created_by=actor)
    for field in TASK_FIELDS:
        if field in data:
            setattr(task, field, data[field])
    task.title = (task.title or "").strip()
    errors = {}
    if (
        assignee.pk != actor.pk
        and not assignable_users(user=actor, module=Module.CUSTOMERS).filter(pk=assignee.pk).exists()
    ):
        errors["assignee"] = [gettext_lazy("You cannot give tasks to this user.")]
    if task.contact is not None and task.contact.customer_id != customer.pk:
        errors["contact"] = [gettext_lazy("Choose a contact of this customer.")]
    _check_future(task.due_at, errors)
    try:
        task.full_clean(exclude=["customer", "assignee", "created_by", "communication", "contact"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    history_author(task, actor).save()
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=task, module=Module.CUSTOMERS)
    return task


def _locked(task: FollowUpTask) -> FollowUpTask:
    return FollowUpTask.objects.select_for_update().get(pk=task.pk)


@transaction.atomic
def task_complete(*, actor, task: FollowUpTask) -> FollowUpTask:
    """Mark an open task done; completing it again changes nothing."""
    _check_scope(actor=actor, customer_id=task.customer_id)
    current = _locked(task)
    if current.status != FollowUpTask.Status.OPEN:
        task.status, task.completed_at = current.status, current.completed_at
        return task
    task.status, task.completed_at = FollowUpTask.Status.DONE, timezone.now()
    history_author(task, actor).save(update_fields=["status", "completed_at", "updated_at"])
    log_action(
        actor=actor, action=BehaviourLog.Action.UPDATE, obj=task, module=Module.CUSTOMERS, detail={"fields": ["status"]}
    )
    return task


@transaction.atomic
def task_reschedule(*, actor, task: FollowUpTask, due_at) -> FollowUpTask:
    """Move an open task to a new due time; reminders go out again for the new time."""
    _check_scope(actor=actor, customer_id=task.customer_id)
    current = _locked(task)
    errors = {}
    if current.status != FollowUpTask.Status.OPEN:
        errors["due_at"] = [gettext_lazy("Only an open task can be rescheduled.")]
    if due_at is None:
        errors["due_at"] = [gettext_lazy("Enter the new due time.")]
    _check_future(due_at, errors)
    if errors:
        raise ValidationError(errors)
    previous = current.due_at
    task.due_at = due_at
    history_author(task, actor).save(update_fields=["due_at", "updated_at"])
    log_action(
        actor=actor, action=BehaviourLog.Action.UPDATE, obj=task, module=Module.CUSTOMERS,
        detail={"fields": ["due_at"], "from": previous.isoformat(), "to": due_at.isoformat()},
    )  # fmt: skip
    return task


def reminder_key(task: FollowUpTask, kind: str) -> str:
    """``task:<id>:<kind>:<due time in epoch seconds>``: a new due time is a new reminder."""
    return f"task:{task.pk}:{kind}:{int(task.due_at.timestamp())}"


def _reminder_key_sql(kind: str):
    """The same key computed by the database, so tasks already reminded are skipped in the query."""
    epoch = Cast(Floor(Extract("due_at", "epoch", tzinfo=UTC)), BigIntegerField())
    return Concat(
        Value("task:"), Cast("pk", CharField()), Value(f":{kind}:"), Cast(epoch, CharField()), output_field=CharField()
    )


def _pending(queryset, kind: str):
    sent = SentReminder.objects.filter(key=OuterRef("reminder_key"))
    return queryset.alias(reminder_key=_reminder_key_sql(kind)).filter(~Exists(sent))


def _send_reminder(task: FollowUpTask, kind: str) -> str | None:
    """Send one reminder once: ``kind`` when it went out now, ``SKIPPED`` when the assignee may no longer
    see the customer (the key is spent, so it is not tried every run), ``None`` when it was sent before."""
    user = task.assignee
    outcome = kind
    with for_reader(user), timezone.override(user_timezone(user)):
        values = {
            "title": task.title,
            "customer": task.customer.name,
            "due": formats.date_format(timezone.localtime(task.due_at), "SHORT_DATETIME_FORMAT"),
        }
        if kind == DUE:
            title = _("Follow-up due soon: %(title)s") % values
            body = _("“%(title)s” for %(customer)s is due at %(due)s") % values
        else:
            title = _("Follow-up overdue: %(title)s") % values
            body = _("“%(title)s” for %(customer)s was due at %(due)s and is still open") % values

    def send():
        nonlocal outcome
        # The task may have been completed or moved since it was read; then this key is simply spent.
        if not FollowUpTask.objects.filter(pk=task.pk, status=FollowUpTask.Status.OPEN, due_at=task.due_at).exists():
            return
        # The customer may have moved to another team since the task was given: a reminder would show its
        # name and a link the assignee may no longer open.
        if not Customer.objects.visible_to(user).filter(pk=task.customer_id).exists():
            logger.info("Reminder %s for task %s skipped: %s may not see the customer", kind, task.pk, user.pk)
            outcome = SKIPPED
            return
        notify(user=user, title=title, body=body, url=task.get_absolute_url(), email=True)

    return outcome if send_once(reminder_key(task, kind), send) else None


def task_reminders_send(*, now=None, batch_size: int = 200) -> dict:
    """Send the "due soon" and "overdue" reminders not sent yet; each exactly once, in bounded batches.

    Each reminder is its own transaction (``send_once``): one that fails (the mail server is down) is
    rolled back and counted in ``failed``, and the next run sends it. An overdue reminder goes only for a
    task that fell due within ``TASK_OVERDUE_REMINDER_WINDOW_HOURS``: tasks long overdue when reminders
    were first switched on (or while the beat was stopped) are not all announced at once. A reminder
    whose assignee may no longer see the customer is skipped, counted in ``skipped`` and logged.
    """
    now = now or timezone.now()
    lead = timedelta(minutes=settings.TASK_REMINDER_LEAD_MINUTES)
    window = timedelta(hours=settings.TASK_OVERDUE_REMINDER_WINDOW_HOURS)
    open_tasks = FollowUpTask.objects.filter(status=FollowUpTask.Status.OPEN, assignee__is_active=True)
    plans = [
        (DUE, open_tasks.filter(due_at__gt=now, due_at__lte=now + lead)),
        (OVERDUE, open_tasks.filter(due_at__lte=now, due_at__gt=now - window)),
    ]
    counts = {DUE: 0, OVERDUE: 0, SKIPPED: 0, "failed": 0}
    for kind, queryset in plans:
        pending = _pending(queryset, kind).select_related("assignee", "customer").order_by("pk")
        last_pk = 0
        while True:
            batch = list(pending.filter(pk__gt=last_pk)[:batch_size])
            if not batch:
                break
            for task in batch:
                try:
                    outcome = _send_reminder(task, kind)
                except Exception:
                    logger.exception("Reminder %s for task %s failed", kind, task.pk)
                    counts["failed"] += 1
                else:
                    if outcome is not None:
                        counts[outcome] += 1
            last_pk = batch[-1].pk
    return counts
