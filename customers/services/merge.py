"""Merging two customers into one, and undoing it.

The merge moves every row that points at the merged customer over to the survivor. It finds those
rows from the model metadata, not from a list, so the orders, tickets and registrations of apps
added later move too. Everything needed to put things back is kept in a :class:`CustomerMerge`
snapshot: the merged customer's own row, the survivor's values before the merge, and the primary
keys of the rows that moved.
"""

import datetime
import decimal
import uuid

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalChanges

from crm import crypto
from crm.audit import history_author, log_action
from crm.fields import EncryptedTextField
from crm.models import BehaviourLog

from ..models import Contact, Customer, CustomerMerge
from .customers import customer_refresh_search

# The values a person picks per field on the merge page. Owner brings its team along; consent
# brings when and how it was recorded, since the three describe one fact.
MERGE_FIELDS = [
    "name", "kind", "industry", "level", "source", "lifecycle_stage", "owner", "phone", "email",
    "website", "address", "notes", "consent",
]  # fmt: skip
_COMPANIONS = {"owner": ["owner", "team"], "consent": ["consent", "consent_at", "consent_method"]}
# Notes can also be kept from both sides, one after the other.
JOINABLE_FIELDS = {"notes"}
SURVIVOR, MERGED, BOTH = "survivor", "merged", "both"


def _to_json(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _snapshot_value(field, value):
    # Encrypted columns stay encrypted inside the snapshot's JSON as well.
    if isinstance(field, EncryptedTextField) and value:
        return {"encrypted": crypto.encrypt(value)}
    return _to_json(value)


def _restore_value(field, value):
    if isinstance(value, dict) and "encrypted" in value and isinstance(field, EncryptedTextField):
        return crypto.decrypt(value["encrypted"])
    return field.to_python(value)


def _row_snapshot(obj) -> dict:
    """Every concrete column of ``obj`` by attname, JSON-safe and exact (microseconds kept)."""
    return {field.attname: _snapshot_value(field, field.value_from_object(obj)) for field in obj._meta.concrete_fields}


def _row_restore(model, data: dict):
    fields = {field.attname: field for field in model._meta.concrete_fields}
    obj = model(**{name: _restore_value(fields[name], value) for name, value in data.items() if name in fields})
    # A team or user that was deleted meanwhile cannot come back: an optional link is left empty.
    for field in model._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if field.is_relation and field.null and value is not None:
            if not field.related_model._base_manager.filter(**{field.target_field.attname: value}).exists():
                setattr(obj, field.attname, None)
    return obj


def _empty(value) -> bool:
    return value in (None, "", [], {})


def default_choices(*, survivor: Customer, merged: Customer) -> dict:
    """The survivor's value, or the other's where the survivor has none."""
    choices = {}
    for name in MERGE_FIELDS:
        attname = Customer._meta.get_field(name).attname
        survivor_value, merged_value = getattr(survivor, attname), getattr(merged, attname)
        if name == "consent":
            survivor_value = "" if survivor_value == Customer.Consent.UNKNOWN else survivor_value
        choices[name] = MERGED if _empty(survivor_value) and not _empty(merged_value) else SURVIVOR
    return choices


def customer_relations():
    """Every foreign key that points at Customer, hidden ones (M2M link tables) included,
    except the history tables: their rows describe the past and stay as they are."""
    relations = []
    for rel in Customer._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        if issubclass(rel.related_model, HistoricalChanges) or rel.related_model is CustomerMerge:
            continue
        relations.append(rel)
    return relations


def _unique_sets(model, field) -> list[list[str]]:
    """Unconditional uniqueness rules that include ``field``, as the other fields' attnames."""
    sets = []
    if field.unique:
        sets.append([])
    together = [list(names) for names in model._meta.unique_together]
    together += [
        list(c.fields)
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None
    ]
    for names in together:
        if field.name in names:
            sets.append([model._meta.get_field(name).attname for name in names if name != field.name])
    return sets


def _move_rows(rel, *, actor, survivor, merged) -> tuple[list, list]:
    """Point ``rel``'s rows from ``merged`` to ``survivor``. A row the survivor already has an equal of
    (the same tag, the same share) is deleted instead; returns (moved pks, deleted row snapshots)."""
    model, field = rel.related_model, rel.field
    manager = model._base_manager
    rows = manager.filter(**{field.attname: merged.pk})
    theirs = manager.filter(**{field.attname: survivor.pk})
    removed = []
    for other in _unique_sets(model, field):
        if other:
            keys = set(theirs.values_list(*other))
            clashes = [row for row in rows if tuple(getattr(row, name) for name in other) in keys]
        else:
            clashes = list(rows) if theirs.exists() else []
        for row in clashes:
            removed.append(_row_snapshot(row))
            history_author(row, actor).delete()
    moved = list(rows.values_list("pk", flat=True))
    rows.update(**{field.attname: survivor.pk})
    return moved, removed


def _relation_key(rel) -> tuple[str, str]:
    return rel.related_model._meta.label_lower, rel.field.name


@transaction.atomic
def customer_merge(*, actor, survivor: Customer, merged: Customer, choices: dict) -> CustomerMerge:
    """Fold ``merged`` into ``survivor``: chosen values, every related row, tags and groups.

    ``choices`` maps a field of :data:`MERGE_FIELDS` to ``"survivor"``, ``"merged"`` or (notes)
    ``"both"``; a missing field keeps the survivor's value. Both customers must already be visible to
    ``actor`` (the caller loads them through the record scope).
    """
    if survivor.pk == merged.pk:
        raise ValidationError(_("A customer cannot be merged with itself."))
    unknown = set(choices) - set(MERGE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown merge fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    survivor, merged = _lock_pair(survivor, merged)

    survivor_before = _row_snapshot(survivor)
    merged_row = _row_snapshot(merged)
    merged_links = {
        "tags": list(merged.tags.values_list("pk", flat=True)),
        "groups": list(merged.groups.values_list("pk", flat=True)),
        "shared_with": list(merged.shared_with.values_list("pk", flat=True)),
    }

    # 1. The chosen values, saved through the model so the history records them under the actor.
    changed = _apply_choices(survivor, merged, choices)
    _keep_latest_contact(survivor, merged)
    survivor.updated_by = actor
    survivor.full_clean(exclude=["search_document"])
    history_author(survivor, actor).save()
    survivor_after = _row_snapshot(survivor)
    overwritten = [name for name, value in survivor_after.items() if survivor_before[name] != value]

    # 2. One primary contact per customer: the survivor's stays primary.
    demoted = _demote_merged_primary(survivor, merged)
    # 3. Every related row, whatever app it belongs to.
    moved, removed = _move_related(actor=actor, survivor=survivor, merged=merged)

    # Earlier merges into the merged customer follow it, so their undo still has a survivor to use.
    earlier = list(CustomerMerge.objects.filter(survivor=merged).values_list("pk", flat=True))
    CustomerMerge.objects.filter(pk__in=earlier).update(survivor=survivor)

    record = CustomerMerge.objects.create(
        survivor=survivor,
        merged_id=merged.pk,
        merged_name=merged.name,
        merged_by=actor,
        snapshot={
            "version": 1,
            "survivor_id": survivor.pk,
            "merged": merged_row,
            "merged_links": merged_links,
            "choices": {name: choices.get(name, SURVIVOR) for name in MERGE_FIELDS},
            "survivor_before": {name: survivor_before[name] for name in overwritten},
            "survivor_after": {name: survivor_after[name] for name in overwritten},
            "moved": moved,
            "removed": removed,
            "demoted_primary": demoted,
            "earlier_merges": earlier,
        },
    )

    history_author(merged, actor).delete()
    customer_refresh_search(customer=survivor)
    log_action(
        actor=actor,
        action=BehaviourLog.Action.UPDATE,
        obj=survivor,
        detail={
            "merge": {
                "id": record.pk,
                "merged_id": record.merged_id,
                "merged_name": record.merged_name,
                "fields": changed,
                "moved": {label: sum(len(p) for p in by_field.values()) for label, by_field in moved.items()},
            }
        },
    )
    return record


def _lock_pair(survivor, merged) -> tuple[Customer, Customer]:
    """Both rows, fresh and locked in a fixed order so two merges of the same pair cannot interleave."""
    locked = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])}
    if len(locked) != 2:
        raise ValidationError(_("One of the customers no longer exists."))
    return locked[survivor.pk], locked[merged.pk]


def _apply_choices(survivor, merged, choices) -> list[str]:
    """Copy the chosen values (with their companions) onto ``survivor``; the merge fields that changed."""
    changed = []
    for name in MERGE_FIELDS:
        choice = choices.get(name, SURVIVOR)
        if choice not in (SURVIVOR, MERGED, BOTH) or (choice == BOTH and name not in JOINABLE_FIELDS):
            raise ValidationError({name: _("Choose which value to keep.")})
        if choice == SURVIVOR:
            continue
        if choice == BOTH:
            joined = "\n\n".join(p for p in (survivor.notes.strip(), merged.notes.strip()) if p)
            if joined != survivor.notes:
                survivor.notes = joined
                changed.append(name)
            continue
        for companion in _COMPANIONS.get(name, [name]):
            attname = Customer._meta.get_field(companion).attname
            if getattr(survivor, attname) != getattr(merged, attname):
                setattr(survivor, attname, getattr(merged, attname))
                if name not in changed:
                    changed.append(name)
    return changed


def _keep_latest_contact(survivor, merged) -> None:
    """The survivor was last contacted when either of the two was."""
    if merged.last_contacted_at and (
        survivor.last_contacted_at is None or merged.last_contacted_at > survivor.last_contacted_at
    ):
        survivor.last_contacted_at = merged.last_contacted_at


def _demote_merged_primary(survivor, merged) -> list:
    """Where the survivor has a primary contact, the merged one's primaries stop being primary; their pks."""
    if not Contact.objects.filter(customer=survivor, is_primary=True).exists():
        return []
    demoted = list(Contact.objects.filter(customer=merged, is_primary=True).values_list("pk", flat=True))
    Contact.objects.filter(pk__in=demoted).update(is_primary=False)
    return demoted


def _move_related(*, actor, survivor, merged) -> tuple[dict, dict]:
    """Move every related row; ``(moved pks, deleted duplicate snapshots)`` by model label and field."""
    moved: dict[str, dict[str, list]] = {}
    removed: dict[str, dict[str, list]] = {}
    for rel in customer_relations():
        label, field_name = _relation_key(rel)
        pks, deleted = _move_rows(rel, actor=actor, survivor=survivor, merged=merged)
        if pks:
            moved.setdefault(label, {})[field_name] = pks
        if deleted:
            removed.setdefault(label, {})[field_name] = deleted
    return moved, removed


@transaction.atomic
def customer_merge_undo(*, actor, merge: CustomerMerge) -> Customer:
    """Bring the merged customer back with its original id and values, move its rows back and put
    the survivor's overwritten values back (where nobody has changed them since)."""
    merge = CustomerMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        when = timezone.localtime(merge.undone_at).strftime("%Y-%m-%d %H:%M")
        raise ValidationError(_("This merge was already undone on %(when)s.") % {"when": when})
    snapshot = merge.snapshot
    survivor = Customer.objects.select_for_update().get(pk=merge.survivor_id)
    if survivor.pk != snapshot["survivor_id"]:
        raise ValidationError(
            _("The kept customer has since been merged into %(survivor)s: undo that merge first.")
            % {"survivor": survivor}
        )
    if Customer.objects.filter(pk=merge.merged_id).exists():
        raise ValidationError(_("A customer with id %(id)s exists already.") % {"id": merge.merged_id})

    # 1. The merged customer, under its old id. Saving it normally records its return in the history.
    restored = _row_restore(Customer, snapshot["merged"])
    stamps = {"created_at": restored.created_at, "updated_at": restored.updated_at}
    history_author(restored, actor).save(force_insert=True)
    # auto_now/auto_now_add stamped the timestamps on insert; put the real ones back.
    Customer.objects.filter(pk=restored.pk).update(**stamps)
    restored.created_at, restored.updated_at = stamps["created_at"], stamps["updated_at"]

    # 2. Its rows, back from the survivor; and the links deleted as duplicates, recreated.
    for label, by_field in snapshot.get("moved", {}).items():
        model = apps.get_model(label)
        for field_name, pks in by_field.items():
            field = model._meta.get_field(field_name)
            model._base_manager.filter(pk__in=pks, **{field.attname: survivor.pk}).update(
                **{field.attname: restored.pk}
            )
    for label, by_field in snapshot.get("removed", {}).items():
        model = apps.get_model(label)
        for rows in by_field.values():
            for data in rows:
                if not model._base_manager.filter(pk=data[model._meta.pk.attname]).exists():
                    _row_restore(model, data).save(force_insert=True)
    Contact.objects.filter(pk__in=snapshot.get("demoted_primary", []), customer=restored).update(is_primary=True)
    CustomerMerge.objects.filter(pk__in=snapshot.get("earlier_merges", []), survivor=survivor).update(survivor=restored)

    # 3. The survivor's own values, unless someone changed them after the merge.
    fields = {field.attname: field for field in Customer._meta.concrete_fields}
    current = _row_snapshot(survivor)
    restored_fields = []
    for attname, before in snapshot.get("survivor_before", {}).items():
        if attname in ("updated_at", "updated_by_id", "search_document", "search_grams"):
            continue
        field = fields[attname]
        if _restore_value(field, current.get(attname)) == _restore_value(
            field, snapshot["survivor_after"].get(attname)
        ):
            setattr(survivor, attname, _restore_value(field, before))
            restored_fields.append(attname)
    survivor.updated_by = actor
    history_author(survivor, actor).save()

    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    customer_refresh_search(customer=survivor)
    customer_refresh_search(customer=restored)
    detail = {"merge_undo": {"id": merge.pk, "restored_id": restored.pk, "fields": restored_fields}}
    log_action(actor=actor, action=BehaviourLog.Action.UPDATE, obj=survivor, detail=detail)
    log_action(actor=actor, action=BehaviourLog.Action.CREATE, obj=restored, detail=detail)
    return restored
