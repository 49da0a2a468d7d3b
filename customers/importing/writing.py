"""Writing a batch of customer rows: new customers (with their primary contact, tags and history rows) by
COPY, no model instances; updates with their history; one behaviour-log entry per import."""

from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from crm.audit import log_action
from crm.importexport.bulk import (
    copy_history,
    copy_history_values,
    copy_insert,
    copy_insert_values,
    note_index_writes,
)
from crm.models import BehaviourLog
from crm.scope import Module

from ..models import Contact, Customer, Tag
from ..search_text import contact_search_parts, customer_search_parts, search_document, search_grams, search_text
from ..services.quality import customer_quality
from .duplicates import mobile_hash

DATASET = "customers"

# Written as given when present in the file; an update leaves a field alone when its cell is empty.
SIMPLE_FIELDS = [
    "name", "kind", "industry", "level", "source", "lifecycle_stage", "phone", "email", "website", "address", "notes",
]  # fmt: skip
DEFAULTS = {
    "kind": Customer.Kind.COMPANY,
    "level": Customer.Level.C,
    "lifecycle_stage": Customer.Lifecycle.PROSPECT,
}


class CustomerWriter:
    """The writes of one import by ``actor``; tags are read once and created as the rows name them."""

    def __init__(self, *, actor, file_name=""):
        self.actor = actor
        self.file_name = file_name
        self._tags = None

    def _tag_objects(self, rows) -> dict:
        """Tags by case-folded name, creating the ones the rows name that do not exist yet."""
        if self._tags is None:
            self._tags = {tag.name.casefold(): tag for tag in Tag.objects.all()}
        wanted = {name.casefold(): name for row in rows for name in (row.get("tags") or ())}
        missing = [name for key, name in wanted.items() if key not in self._tags]
        if missing:
            Tag.objects.bulk_create([Tag(name=name) for name in missing], ignore_conflicts=True)
            for tag in Tag.objects.filter(name__in=missing):
                self._tags[tag.name.casefold()] = tag
        return self._tags

    def _add_tags(self, pairs, new=False):
        """``pairs`` of (customer pk, row): the rows' tags are added to the customers (never removed)."""
        tags = self._tag_objects([row for _customer, row in pairs])
        Through = Customer.tags.through
        links = {
            (customer_pk, tags[name.casefold()].pk)
            for customer_pk, row in pairs
            for name in (row.get("tags") or ())
            if name.casefold() in tags
        }
        if new:  # new customers have no tags yet
            copy_insert_values(Through, [{"customer_id": c, "tag_id": t} for c, t in sorted(links)])
        elif links:
            Through.objects.bulk_create(
                [Through(customer_id=c, tag_id=t) for c, t in sorted(links)], ignore_conflicts=True
            )

    @staticmethod
    def _contact(row, *, primary=True):
        if not row.get("contact_name"):
            return None
        contact = Contact(
            name=row["contact_name"],
            mobile=row.get("contact_mobile") or "",
            email=row.get("contact_email") or "",
            is_primary=primary,
        )
        contact.refresh_search()  # written with COPY, past save()
        return contact

    @staticmethod
    def _score(customer, contacts):
        customer.quality_score, customer.quality_missing = customer_quality(customer, contacts)

    def create(self, rows):
        """New customers (and primary contacts, tags, history rows) written with COPY, no model instances."""
        actor = self.actor
        customers, contacts, tag_pairs = [], [], []
        fixed = {"created_by_id": actor.pk, "updated_by_id": actor.pk}
        now = timezone.now()
        for row in rows:
            owner = row.get("owner") or actor
            values = {field: row.get(field) or DEFAULTS.get(field, "") for field in SIMPLE_FIELDS}
            values.update(fixed, owner_id=owner.pk, team_id=owner.team_id)
            parts = customer_search_parts(values["name"], values["phone"], values["email"])
            contact = None
            if row.get("contact_name"):
                contact = {
                    "name": row["contact_name"],
                    "mobile": row.get("contact_mobile") or "",
                    "mobile_hash": mobile_hash(row),
                    "phone": "",
                    "email": row.get("contact_email") or "",
                    "is_primary": True,
                }
                contact_parts = contact_search_parts(contact["name"], "", contact["email"])
                contact["search_document"] = search_text(contact_parts)
                contact["search_grams"] = search_grams(contact["search_document"])
                parts += contact_parts
            values["search_document"] = search_text(parts)
            values["search_grams"] = search_grams(values["search_document"])
            found = [contact] if contact else []
            quality = {**values, "last_contacted_at": None, "updated_at": None}
            # The phones and e-mails passed the import's validators already.
            score = customer_quality(quality, found, now=now, validated=True)
            values["quality_score"], values["quality_missing"] = score
            customers.append(values)
            contacts.append(contact)
            if row.get("tags"):
                tag_pairs.append((values, row))
        copy_insert_values(Customer, customers)
        copy_history_values(Customer, customers, user=actor)
        new_contacts = []
        for values, contact in zip(customers, contacts, strict=True):
            if contact is not None:
                # The customer's scope copied here, as the customer was just written with it: the database's
                # insert trigger looks the customer up only for contacts written without it (migration 0012).
                contact["customer_id"] = values["id"]
                contact["customer_owner_id"] = values["owner_id"]
                contact["customer_team_id"] = values["team_id"]
                new_contacts.append(contact)
        copy_insert_values(Contact, new_contacts)
        copy_history_values(Contact, new_contacts, user=actor)
        self._add_tags([(values["id"], row) for values, row in tag_pairs], new=True)

    def update(self, pairs):
        actor, now = self.actor, timezone.now()
        found = Customer.objects.prefetch_related("contacts").in_bulk([pk for pk, _row in pairs])
        touched, new_contacts, tag_pairs = {}, [], []
        for pk, row in pairs:
            customer = found[pk]
            for field in SIMPLE_FIELDS:
                if row.get(field):
                    setattr(customer, field, row[field])
            owner = row.get("owner")
            if owner is not None and owner.pk != customer.owner_id:
                customer.owner, customer.team_id = owner, owner.team_id
            customer.updated_by, customer.updated_at = actor, now
            contacts = list(customer.contacts.all())
            names = {c.name.casefold() for c in contacts}
            contact = self._contact(row, primary=not any(c.is_primary for c in contacts))
            if contact is not None and contact.name.casefold() not in names:
                contact.customer = customer
                new_contacts.append(contact)
                contacts.append(contact)
            customer.search_document = search_document(customer, contacts)
            customer.search_grams = search_grams(customer.search_document)
            self._score(customer, contacts)
            touched[pk] = customer
            tag_pairs.append((customer.pk, row))
        fields = [*SIMPLE_FIELDS, "owner", "team", "updated_by", "updated_at", "search_document", "search_grams",
                  "quality_score", "quality_missing"]  # fmt: skip
        bulk_update_with_history(list(touched.values()), Customer, fields, batch_size=1000, default_user=actor)
        note_index_writes(Customer)
        copy_insert(Contact, new_contacts)
        copy_history(Contact, new_contacts, user=actor)
        self._add_tags(tag_pairs)

    def finish(self, counts):
        log_action(
            actor=self.actor,
            action=BehaviourLog.Action.CREATE,
            module=Module.CUSTOMERS,
            detail={"import": DATASET, "file": self.file_name, **counts},
        )
