"""Many customers created or changed in one set-based write: the API's bulk upsert.

``customer_create`` / ``customer_update`` one by one cost about fifteen statements a record; here the checks
are the same, record by record, and the writes are one statement per table for the whole set, by the
import engine's COPY writer (``crm.importexport.bulk``): the customers, their history rows, tags and groups,
and one behaviour-log entry per record (which turns into webhook events as any other entry does).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import assignable_users
from crm.audit import log_actions
from crm.importexport.bulk import copy_history, copy_insert, copy_insert_values, copy_update
from crm.models import BehaviourLog
from crm.scope import Module

from ..models import Contact, Customer
from ..search_text import search_document, search_grams
from .customers import CUSTOMER_FIELDS, _apply_consent
from .quality import customer_quality

# What a change writes besides the fields given: the same columns customer_update's save() and its quality
# refresh write.
UPDATED_COLUMNS = [
    *CUSTOMER_FIELDS, "id_number_hash", "owner", "team", "consent_at", "updated_by", "updated_at",
    "search_document", "search_grams", "quality_score", "quality_missing",
]  # fmt: skip


# A contact's mobile as the quality score reads it (present or not) when its value is not decrypted.
HIDDEN_MOBILE = "…"
NOT_CLEANED = ["search_document", "search_grams", "owner", "team", "created_by", "updated_by"]


@dataclass
class CustomerWrite:
    """One record of a bulk write: ``customer`` is the existing record to change (None: create one); ``data``
    the cleaned fields; ``owner``, ``tags``, ``groups`` as for customer_create (None: leave as they are)."""

    data: dict
    customer: Customer | None = None
    owner: Any = None
    tags: list | None = None
    groups: list | None = None
    # Filled in by customers_write_many: the record written, or why not.
    result: Customer | None = None
    error: ValidationError | None = field(default=None, repr=False)
    changed: list = field(default_factory=list)


def _error(message, key=NON_FIELD_ERRORS, code="invalid") -> ValidationError:
    return ValidationError({key: [ValidationError(message, code=code)]})


@transaction.atomic
def customers_write_many(*, actor, writes: list[CustomerWrite], all_or_nothing: bool) -> list[CustomerWrite]:
    """Create or change every customer in ``writes``, checked one by one as customer_create / customer_update
    check them, written together. Each write gets its ``result`` (the saved customer) or its ``error``; with
    ``all_or_nothing`` one error means nothing is written.

    The records to change come from the actor's scope, read and locked in this transaction by the caller's
    selector (``customers_by_keys(lock=True)``), as the records to change one by one are.
    """
    before = _check(actor, writes)
    if all_or_nothing and any(w.error is not None for w in writes):
        for write in writes:
            write.result = None
        return writes
    _write(actor, [w for w in writes if w.error is None], before)
    return writes


@transaction.atomic
def customers_check_many(*, actor, writes: list[CustomerWrite], all_or_nothing: bool = True) -> list[CustomerWrite]:
    """The checks of :func:`customers_write_many` without the write (a call that will not be applied still
    tells which of its records were valid)."""
    _check(actor, writes)
    for write in writes:
        write.result = None
    return writes


def _check(actor, writes) -> dict:
    """Each write's ``result`` (the customer as it would be saved) or ``error``; the locked rows by pk."""
    now = timezone.now()
    before = {w.customer.pk: w.customer for w in writes if w.customer is not None}
    prefetch_related_objects(list(before.values()), "tags", "groups")  # nothing to read if the caller did
    owners = None  # the users the actor may give customers to, read once if an owner is named
    seen_external = {}
    for write in writes:
        owner = write.owner or (actor if write.customer is None else None)
        if owner is not None and (write.customer is None or owner.pk != before[write.customer.pk].owner_id):
            if owners is None:
                owners = set(assignable_users(user=actor, module=Module.CUSTOMERS).values_list("pk", flat=True))
            if owner.pk not in owners:
                write.error = _error(_("Choose an owner within your scope."), key="owner", code="owner")
                continue
        customer = _applied(actor, write, owner, before, now)
        try:
            # Foreign keys are not looked up one by one: the owner was checked above (the team is the owner's),
            # the authors are the actor. The external id's uniqueness is checked for the whole set below.
            customer.full_clean(exclude=NOT_CLEANED, validate_unique=False)
        except ValidationError as error:
            write.error = error
            continue
        if customer.external_id:
            if customer.external_id in seen_external:
                write.error = _error(_("This external id appears twice in the call."), key="external_id")
                continue
            seen_external[customer.external_id] = write
        write.result = customer
    _check_external_ids_free(writes, seen_external)
    return before


def _applied(actor, write, owner, before, now) -> Customer:
    """The customer as it will be saved: a new instance, or the locked row with the fields applied."""
    data = write.data
    if write.customer is None:
        customer = Customer(owner=owner, team_id=owner.team_id, created_by=actor, created_at=now)
        previous_consent = Customer.Consent.UNKNOWN
    else:
        customer = before[write.customer.pk]
        previous_consent = customer.consent
        write.changed = [f for f in CUSTOMER_FIELDS if f in data and getattr(customer, f) != data[f]]
        if owner is not None and owner.pk != customer.owner_id:
            customer.owner, customer.team_id = owner, owner.team_id
            write.changed.append("owner")
    for name in CUSTOMER_FIELDS:
        if name in data:
            setattr(customer, name, data[name])
    _apply_consent(customer, previous_consent)
    customer.updated_by, customer.updated_at = actor, now
    return customer


def _check_external_ids_free(writes, seen_external) -> None:
    """An external id another customer already holds is refused (as the unique check of full_clean would,
    in one query for the whole set)."""
    if not seen_external:
        return
    taken = dict(Customer.objects.filter(external_id__in=list(seen_external)).values_list("external_id", "pk"))
    for external_id, write in seen_external.items():
        holder = taken.get(external_id)
        if holder is not None and holder != getattr(write.result, "pk", None):
            message = write.result.unique_error_message(Customer, ["external_id"])
            write.error, write.result = ValidationError({"external_id": [message]}), None


def _write(actor, writes, before) -> None:
    new = [w.result for w in writes if w.customer is None]
    changed = [w.result for w in writes if w.customer is not None]
    people = _contacts_of([customer.pk for customer in changed])
    for customer in new + changed:
        contacts = people.get(customer.pk, []) if customer.pk else []
        customer.search_document = search_document(customer, contacts)
        customer.search_grams = search_grams(customer.search_document)
        # The customer's phone and e-mail passed the form and the model just now; the contacts' theirs when saved.
        customer.quality_score, customer.quality_missing = customer_quality(customer, contacts, validated=True)
    copy_insert(Customer, new)
    copy_history(Customer, new, user=actor, history_type="+")
    copy_update(Customer, changed, UPDATED_COLUMNS)
    copy_history(Customer, changed, user=actor, history_type="~")
    _set_links(Customer.tags.through, "tag_id", [(w.result, w.tags) for w in writes if w.tags is not None], before)
    _set_links(
        Customer.groups.through, "customergroup_id", [(w.result, w.groups) for w in writes if w.groups is not None],
        before,
    )  # fmt: skip
    log_actions(
        actor=actor,
        actions=[
            (BehaviourLog.Action.CREATE, w.result, {})
            if w.customer is None
            else (BehaviourLog.Action.UPDATE, w.result, {"fields": w.changed})
            for w in writes
        ],
    )


def _contacts_of(pks) -> dict[int, list]:
    """The fields of the customers' contacts that their search document and quality score read, in one query.

    Whether a contact has a mobile is asked of the database: decrypting two thousand mobiles to learn that
    costs more than the rest of a thousand-record write."""
    people = defaultdict(list)
    rows = (
        Contact.objects.filter(customer_id__in=pks)
        .annotate(has_mobile=ExpressionWrapper(~Q(mobile=""), output_field=BooleanField()))
        .values("customer_id", "name", "phone", "email", "is_primary", "has_mobile")
    )
    for row in rows:
        people[row["customer_id"]].append(
            SimpleNamespace(
                name=row["name"], phone=row["phone"], email=row["email"], is_primary=row["is_primary"],
                mobile=HIDDEN_MOBILE if row["has_mobile"] else "",
            )
        )  # fmt: skip
    return people


def _set_links(through, column, pairs, before) -> None:
    """Make each customer's links (tags or groups) exactly the given ones: one DELETE and one COPY."""
    current = {}
    for customer, _wanted in pairs:
        if customer.pk in before:
            relation = "tags" if column == "tag_id" else "groups"
            current[customer.pk] = {obj.pk for obj in getattr(before[customer.pk], relation).all()}
    removed, added = [], []
    for customer, wanted in pairs:
        wanted_ids = {obj.pk for obj in wanted}
        have = current.get(customer.pk, set())
        removed += [(customer.pk, pk) for pk in have - wanted_ids]
        added += [{"customer_id": customer.pk, column: pk} for pk in sorted(wanted_ids - have)]
    if removed:
        condition = Q()
        for customer_pk, pk in removed:
            condition |= Q(customer_id=customer_pk, **{column: pk})
        through.objects.filter(condition).delete()
    copy_insert_values(through, added)
