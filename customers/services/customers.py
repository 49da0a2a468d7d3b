"""Writes to customer records. Each is one transaction that also writes its behaviour-log entry."""

from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.selectors import assignable_users
from crm.audit import history_author, log_action
from crm.models import BehaviourLog
from crm.scope import Module

from ..models import Contact, Customer, Tag
from ..search_text import search_document, search_grams
from .quality import customer_quality_refresh

CUSTOMER_FIELDS = [
    "name", "kind", "industry", "level", "source", "lifecycle_stage", "phone", "email", "website",
    "address", "notes", "consent", "consent_method", "id_number", "external_id",
]  # fmt: skip


def _check_owner(*, actor, owner):
    if owner is not None and not assignable_users(user=actor, module=Module.CUSTOMERS).filter(pk=owner.pk).exists():
        raise PermissionDenied("owner outside the actor's scope")


def customer_refresh_search(*, customer: Customer) -> None:
    customer.search_document = search_document(customer, customer.contacts.all())
    customer.search_grams = search_grams(customer.search_document)
    Customer.objects.filter(pk=customer.pk).update(
        search_document=customer.search_document, search_grams=customer.search_grams
    )
    customer_quality_refresh(customer=customer)


def _apply_consent(customer, previous_consent):
    if customer.consent != previous_consent:
        customer.consent_at = timezone.now() if customer.consent != Customer.Consent.UNKNOWN else None


@transaction.atomic
def customer_create(*, actor, data: dict, owner=None, tags=(), groups=()) -> Customer:
    owner = owner or actor
    _check_owner(actor=actor, owner=owner)
    customer = Customer(owner=owner, team_id=owner.team_id, created_by=actor, updated_by=actor)
    for field in CUSTOMER_FIELDS:
        if field in data:
            setattr(customer, field, data[field])
    _apply_consent(customer, Customer.Consent.UNKNOWN)
    customer.full_clean(exclude=["search_document"])
    customer.search_document = search_document(customer, [])
    history_author(customer, actor).save()
    customer.tags.set(tags)
    customer.groups.set(groups)
    customer_quality_refresh(customer=customer)
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=customer)
    return customer


@transaction.atomic
def customer_update(*, actor, customer: Customer, data: dict, owner=None, tags=None, groups=None) -> Customer:
    before = Customer.objects.select_for_update().get(pk=customer.pk)
    changed = [f for f in CUSTOMER_FIELDS if f in data and getattr(before, f) != data[f]]
    for field in CUSTOMER_FIELDS:
        if field in data:
            setattr(customer, field, data[field])
    if owner is not None and owner.pk != before.owner_id:
        _check_owner(actor=actor, owner=owner)
        customer.owner, customer.team_id = owner, owner.team_id
        changed.append("owner")
    _apply_consent(customer, before.consent)
    customer.updated_by = actor
    customer.full_clean(exclude=["search_document"])
    customer.search_document = search_document(customer, customer.contacts.all())
    history_author(customer, actor).save()
    if tags is not None:
        customer.tags.set(tags)
    if groups is not None:
        customer.groups.set(groups)
    customer_quality_refresh(customer=customer)
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=customer, detail={"fields": changed})
    return customer


def customer_delete_blockers(customer: Customer) -> list[str]:
    """What keeps ``customer`` from being deleted (records of other apps that PROTECT it), e.g. "Orders: 2".

    Asked of Django's deletion collector, so apps to the right need not be known here.
    """
    collector = Collector(using=router.db_for_write(Customer))
    try:
        collector.collect([customer])
    except (ProtectedError, RestrictedError) as error:
        return _describe_blockers(error)
    return []


def _describe_blockers(error) -> list[str]:
    objects = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", ())
    counts = Counter(type(obj)._meta.verbose_name_plural for obj in objects)
    return [_("%(records)s: %(count)d") % {"records": capfirst(name), "count": n} for name, n in sorted(counts.items())]


@transaction.atomic
def customer_delete(*, actor, customer: Customer) -> None:
    """Delete the customer and its contacts; refused with the list of blockers when other records PROTECT it."""
    log_action(actor=actor, action=BehaviourLog.Action.DELETE, obj=customer)
    history_author(customer, actor)
    try:
        customer.delete()
    except (ProtectedError, RestrictedError) as error:
        raise ValidationError(
            _("%(name)s cannot be deleted while these records refer to it: %(blockers)s.")
            % {"name": customer.name, "blockers": "; ".join(_describe_blockers(error))},
            code="protected",
        ) from error


@transaction.atomic
def customers_assign_owner(*, actor, customers, owner) -> int:
    """Give every customer in ``customers`` (already scoped to the actor) a new owner."""
    _check_owner(actor=actor, owner=owner)
    count = 0
    for customer in customers.select_for_update():
        if customer.owner_id == owner.pk:
            continue
        customer.owner, customer.team_id, customer.updated_by = owner, owner.team_id, actor
        history_author(customer, actor).save(update_fields=["owner", "team", "updated_by", "updated_at"])
        count += 1
    log_action(
        actor=actor,
        action=BehaviourLog.Action.BULK_UPDATE,
        module=Module.CUSTOMERS,
        detail={"assign_owner": owner.pk, "count": count},
    )
    return count


@transaction.atomic
def customers_add_tag(*, actor, customers, tag: Tag) -> int:
    Through = Customer.tags.through
    ids = list(customers.values_list("pk", flat=True))
    existing = set(Through.objects.filter(tag=tag, customer_id__in=ids).values_list("customer_id", flat=True))
    new = [Through(customer_id=pk, tag=tag) for pk in ids if pk not in existing]
    Through.objects.bulk_create(new)
    log_action(
        actor=actor,
        action=BehaviourLog.Action.BULK_UPDATE,
        module=Module.CUSTOMERS,
        detail={"add_tag": tag.name, "count": len(new)},
    )
    return len(new)


CONTACT_FIELDS = ["name", "title", "mobile", "phone", "email", "birthday", "is_primary", "notes", "external_id"]


def _save_contact(*, actor, contact: Contact, data: dict, action):
    for field in CONTACT_FIELDS:
        if field in data:
            setattr(contact, field, data[field])
    if contact.is_primary:
        Contact.objects.filter(customer_id=contact.customer_id, is_primary=True).exclude(pk=contact.pk).update(
            is_primary=False
        )
    contact.full_clean()
    history_author(contact, actor).save()
    customer_refresh_search(customer=contact.customer)
    log_action(actor=actor, action=action, obj=contact, module=Module.CUSTOMERS)
    return contact


@transaction.atomic
def contact_create(*, actor, customer: Customer, data: dict) -> Contact:
    return _save_contact(actor=actor, contact=Contact(customer=customer), data=data, action=BehaviourLog.Action.CREATE)


@transaction.atomic
def contact_update(*, actor, contact: Contact, data: dict) -> Contact:
    return _save_contact(actor=actor, contact=contact, data=data, action=BehaviourLog.Action.UPDATE)


@transaction.atomic
def contact_delete(*, actor, contact: Contact) -> None:
    customer = contact.customer
    log_action(actor=actor, action=BehaviourLog.Action.DELETE, obj=contact, module=Module.CUSTOMERS)
    history_author(contact, actor).delete()
    customer_refresh_search(customer=customer)
