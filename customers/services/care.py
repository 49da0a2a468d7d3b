"""Customer care (客户关怀): care plans and contact cadences turned into care actions, and their outcome.

:func:`care_actions_generate` runs daily (Celery beat, ``customers.tasks.generate_care_actions``). It
works in SQL and batches and writes with ``bulk_create(ignore_conflicts=True)`` on the unique
``CareAction.source_key``, so running it twice, or after a missed day, adds each action once:

- BIRTHDAY plans: contacts whose birthday falls within the next ``days_before`` days;
- HOLIDAY / CUSTOM plans: every customer in the plan's audience, ``days_before`` ahead of its date;
- ANNIVERSARY plans: customers whose creation day comes round within ``days_before`` days;
- AFTER_PURCHASE plans: not generated here; the sales app calls :func:`care_after_purchase` when an
  order is placed;
- contact cadences: customers not contacted for ``interval_days`` (or never) who have no pending
  cadence action get one due today.

Plans and cadences narrow their audience by customer level, lifecycle stage and group. Erased
customers never get care. The assignee is the customer's owner.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import ExtractDay, ExtractMonth
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.audit import log_action
from crm.models import BehaviourLog
from crm.reminders import send_once
from crm.scope import SYSTEM, Module
from crm.sms import send_sms

from ..filters import CustomerFilter
from ..models import CareAction, CarePlan, Contact, ContactCadence, Customer, CustomerGroup

BATCH_SIZE = 1000
Occasion = CarePlan.Occasion


def _audience(rule):
    """Customers a plan or cadence applies to, as a lazy queryset (never loaded whole)."""
    customers = Customer.objects.filter(erased_at__isnull=True)
    if rule.level:
        customers = customers.filter(level=rule.level)
    if getattr(rule, "lifecycle_stage", ""):
        customers = customers.filter(lifecycle_stage=rule.lifecycle_stage)
    group = rule.group
    if group is not None:
        if group.kind == CustomerGroup.Kind.FILTER:
            customers = CustomerFilter(QueryDict(group.filter_query), queryset=customers, user=SYSTEM).qs
        else:
            customers = customers.filter(groups=group)
    return customers


def _primary_contact():
    return Subquery(Contact.objects.filter(customer=OuterRef("pk"), is_primary=True).values("pk")[:1])


def _window(today: date, days_before: int) -> dict[int, date]:
    """Month*100+day of every day from today to ``days_before`` ahead → that date. 29 February
    falls on the 28th in other years."""
    days = {}
    for offset in range(min(days_before, 365) + 1):
        day = today + timedelta(days=offset)
        days[day.month * 100 + day.day] = day
        if day.month == 2 and day.day == 28 and not _is_leap(day.year):
            days[229] = day
    return days


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _insert(actions) -> int:
    """Insert the actions in batches, skipping any whose source_key exists; returns how many were tried."""
    tried, batch = 0, []
    for action in actions:
        batch.append(action)
        if len(batch) >= BATCH_SIZE:
            CareAction.objects.bulk_create(batch, ignore_conflicts=True)
            tried, batch = tried + len(batch), []
    if batch:
        CareAction.objects.bulk_create(batch, ignore_conflicts=True)
        tried += len(batch)
    return tried


def _plan_action(plan, *, customer_id, owner_id, contact_id, due_on, key) -> CareAction:
    return CareAction(
        customer_id=customer_id,
        contact_id=contact_id,
        plan=plan,
        occasion=plan.occasion,
        channel=plan.channel,
        due_on=due_on,
        content=plan.content,
        assignee_id=owner_id,
        source_key=key,
    )


def _birthday_actions(plan, today):
    window = _window(today, plan.days_before)
    contacts = (
        Contact.objects.filter(customer__in=_audience(plan).values("pk"), birthday__isnull=False)
        .annotate(mmdd=ExtractMonth("birthday") * 100 + ExtractDay("birthday"))
        .filter(mmdd__in=list(window))
        .values_list("pk", "customer_id", "customer__owner_id", "mmdd")
    )
    for contact_id, customer_id, owner_id, mmdd in contacts.iterator(chunk_size=BATCH_SIZE):
        occurs = window[mmdd]
        yield _plan_action(
            plan,
            customer_id=customer_id,
            owner_id=owner_id,
            contact_id=contact_id,
            due_on=max(today, occurs - timedelta(days=plan.days_before)),
            key=f"plan:{plan.pk}:contact:{contact_id}:{occurs.isoformat()}",
        )


def _dated_actions(plan, today):
    if plan.date is None or not plan.date - timedelta(days=plan.days_before) <= today <= plan.date:
        return
    customers = _audience(plan).annotate(primary=_primary_contact()).values_list("pk", "owner_id", "primary")
    due_on = max(today, plan.date - timedelta(days=plan.days_before))
    for customer_id, owner_id, contact_id in customers.iterator(chunk_size=BATCH_SIZE):
        yield _plan_action(
            plan,
            customer_id=customer_id,
            owner_id=owner_id,
            contact_id=contact_id,
            due_on=due_on,
            key=f"plan:{plan.pk}:customer:{customer_id}:{plan.date.isoformat()}",
        )


def _anniversary_actions(plan, today):
    window = _window(today, plan.days_before)
    customers = (
        _audience(plan)
        .filter(created_at__date__lt=today)
        .annotate(mmdd=ExtractMonth("created_at") * 100 + ExtractDay("created_at"), primary=_primary_contact())
        .filter(mmdd__in=list(window))
        .values_list("pk", "owner_id", "primary", "mmdd", "created_at")
    )
    for customer_id, owner_id, contact_id, mmdd, created_at in customers.iterator(chunk_size=BATCH_SIZE):
        occurs = window[mmdd]
        if timezone.localtime(created_at).year >= occurs.year:
            continue  # created this year: no anniversary yet
        yield _plan_action(
            plan,
            customer_id=customer_id,
            owner_id=owner_id,
            contact_id=contact_id,
            due_on=max(today, occurs - timedelta(days=plan.days_before)),
            key=f"plan:{plan.pk}:customer:{customer_id}:{occurs.isoformat()}",
        )


def _cadence_actions(cadence, today):
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=cadence.interval_days), time.min))
    pending = CareAction.objects.filter(
        customer=OuterRef("pk"), cadence__isnull=False, status=CareAction.Status.PENDING
    )
    customers = (
        _audience(cadence)
        .filter(Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=cutoff))
        .filter(~Exists(pending))
        .annotate(primary=_primary_contact())
        .values_list("pk", "owner_id", "primary")
    )
    for customer_id, owner_id, contact_id in customers.iterator(chunk_size=BATCH_SIZE):
        yield CareAction(
            customer_id=customer_id,
            contact_id=contact_id,
            cadence=cadence,
            channel=cadence.channel,
            due_on=today,
            assignee_id=owner_id,
            source_key=f"cadence:{cadence.pk}:customer:{customer_id}:{today.isoformat()}",
        )


GENERATORS = {
    Occasion.BIRTHDAY: _birthday_actions,
    Occasion.HOLIDAY: _dated_actions,
    Occasion.CUSTOM: _dated_actions,
    Occasion.ANNIVERSARY: _anniversary_actions,
}


def care_actions_generate(*, today: date | None = None) -> dict:
    """Create the care actions due from every active plan and cadence; safe to run any number of
    times. Returns how many candidate actions each plan and cadence offered (existing ones are
    skipped by the database, not counted apart)."""
    today = today or timezone.localdate()
    outcome = {}
    for plan in CarePlan.objects.filter(is_active=True).select_related("group"):
        generate = GENERATORS.get(plan.occasion)
        if generate is not None:
            outcome[f"plan:{plan.pk}"] = _insert(generate(plan, today))
    for cadence in ContactCadence.objects.filter(is_active=True).select_related("group"):
        outcome[f"cadence:{cadence.pk}"] = _insert(_cadence_actions(cadence, today))
    return outcome


@transaction.atomic
def care_after_purchase(*, customer: Customer, purchased_on: date) -> list[CareAction]:
    """Hook for the sales app: call it when ``customer`` places an order on ``purchased_on``.

    Creates one care action per active AFTER_PURCHASE plan whose audience includes the customer,
    due ``days_after_purchase`` later. Calling it again for the same purchase day adds nothing.
    Returns the actions that exist for this purchase.
    """
    plans = CarePlan.objects.filter(is_active=True, occasion=Occasion.AFTER_PURCHASE).select_related("group")
    keys = []
    for plan in plans:
        if not _audience(plan).filter(pk=customer.pk).exists():
            continue
        key = f"plan:{plan.pk}:customer:{customer.pk}:purchase:{purchased_on.isoformat()}"
        primary = Contact.objects.filter(customer=customer, is_primary=True).values_list("pk", flat=True).first()
        _insert(
            [
                _plan_action(
                    plan,
                    customer_id=customer.pk,
                    owner_id=customer.owner_id,
                    contact_id=primary,
                    due_on=purchased_on + timedelta(days=plan.days_after_purchase),
                    key=key,
                )
            ]
        )
        keys.append(key)
    return list(CareAction.objects.filter(source_key__in=keys))


# ---------------------------------------------------------------------------- working the actions


def _pending(action: CareAction) -> CareAction:
    locked = CareAction.objects.select_for_update().get(pk=action.pk)
    if locked.status != CareAction.Status.PENDING:
        raise ValidationError(_("This care action is already done or skipped."))
    return locked


def _touch_customer(customer_id: int, now) -> None:
    """A care action done is a contact: it moves the customer's last-contacted time forward."""
    Customer.objects.filter(pk=customer_id).filter(
        Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=now)
    ).update(last_contacted_at=now)


def _finish(*, actor, action: CareAction, status, outcome: str) -> CareAction:
    now = timezone.now()
    action.status, action.outcome, action.done_at = status, outcome, now
    action.save(update_fields=["status", "outcome", "done_at", "updated_at"])
    if status == CareAction.Status.DONE:
        _touch_customer(action.customer_id, now)
    log_action(
        actor=actor, action=BehaviourLog.Action.UPDATE, obj=action, module=Module.CUSTOMERS, detail={"status": status}
    )
    return action


@transaction.atomic
def care_action_complete(*, actor, action: CareAction, outcome: str) -> CareAction:
    """Mark a pending action done with what came of it."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Say what came of it.")})
    return _finish(actor=actor, action=_pending(action), status=CareAction.Status.DONE, outcome=outcome)


@transaction.atomic
def care_action_skip(*, actor, action: CareAction, outcome: str = "") -> CareAction:
    """Skip a pending action; a reason is optional."""
    return _finish(actor=actor, action=_pending(action), status=CareAction.Status.SKIPPED, outcome=outcome.strip())


def _recipient(action: CareAction) -> tuple[str, str]:
    """(channel, address) the action's message goes to: the action's contact, else the primary one."""
    contact = action.contact or Contact.objects.filter(customer_id=action.customer_id, is_primary=True).first()
    if action.channel == CarePlan.Channel.SMS:
        mobile = contact.mobile if contact else ""
        if not mobile:
            raise ValidationError(_("The contact has no mobile number to send the text message to."))
        return "sms", mobile
    email = (contact.email if contact else "") or action.customer.email
    if not email:
        raise ValidationError(_("Neither the contact nor the customer has an e-mail address."))
    return "email", email


@transaction.atomic
def care_action_send(*, actor, action: CareAction) -> bool:
    """Send an SMS or e-mail action's message and mark it done; at most once per action, whatever
    retries or double clicks happen. Returns False when it had already been sent."""
    action = _pending(action)
    if action.channel not in (CarePlan.Channel.SMS, CarePlan.Channel.EMAIL):
        raise ValidationError(_("Only text-message and e-mail care actions can be sent."))
    customer = Customer.objects.get(pk=action.customer_id)
    action.customer = customer
    if customer.erased_at or customer.consent == Customer.Consent.WITHDRAWN:
        raise ValidationError(_("The customer has withdrawn consent to be contacted this way."))
    text = action.content.strip()
    if not text:
        raise ValidationError(_("The care action has no message to send."))
    channel, address = _recipient(action)

    def deliver():
        if channel == "sms":
            send_sms(address, text)
        else:
            subject = action.plan.name if action.plan_id else str(_("Customer care"))
            send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [address])

    if not send_once(f"care:{action.pk}:send", deliver):
        return False
    _finish(
        actor=actor,
        action=action,
        status=CareAction.Status.DONE,
        outcome=str(_("Sent to %(address)s.") % {"address": address}),
    )
    return True


# ---------------------------------------------------------------------------- plans and cadences

CARE_PLAN_FIELDS = [
    "name", "occasion", "channel", "date", "days_before", "days_after_purchase", "level", "group", "content",
    "is_active",
]  # fmt: skip
CADENCE_FIELDS = ["name", "level", "lifecycle_stage", "group", "interval_days", "channel", "is_active"]


def _save_rule(*, actor, obj, fields, data):
    created = obj.pk is None
    for field in fields:
        if field in data:
            setattr(obj, field, data[field])
    if isinstance(obj, CarePlan) and obj.occasion in (Occasion.HOLIDAY, Occasion.CUSTOM) and obj.date is None:
        raise ValidationError({"date": _("A holiday or custom-date plan needs its date.")})
    obj.full_clean()
    obj.save()
    log_action(
        actor=actor,
        action=BehaviourLog.Action.CREATE if created else BehaviourLog.Action.UPDATE,
        obj=obj,
        module=Module.CUSTOMERS,
    )
    return obj


@transaction.atomic
def care_plan_create(*, actor, data: dict) -> CarePlan:
    return _save_rule(actor=actor, obj=CarePlan(), fields=CARE_PLAN_FIELDS, data=data)


@transaction.atomic
def care_plan_update(*, actor, plan: CarePlan, data: dict) -> CarePlan:
    return _save_rule(actor=actor, obj=plan, fields=CARE_PLAN_FIELDS, data=data)


@transaction.atomic
def contact_cadence_create(*, actor, data: dict) -> ContactCadence:
    return _save_rule(actor=actor, obj=ContactCadence(), fields=CADENCE_FIELDS, data=data)


@transaction.atomic
def contact_cadence_update(*, actor, cadence: ContactCadence, data: dict) -> ContactCadence:
    return _save_rule(actor=actor, obj=cadence, fields=CADENCE_FIELDS, data=data)
