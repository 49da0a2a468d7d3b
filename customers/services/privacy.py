"""Personal-data rights (PIPL 个人信息保护法 style): consent, data-subject export and erasure.

- :func:`customer_consent_set` records marketing consent given or withdrawn, when and how; the
  customer's history keeps every change, and ``selectors.marketable_customers`` leaves out anyone
  who withdrew it (or was erased).
- :func:`customer_personal_data_export` gathers everything held about one customer into a JSON
  document and logs the export.
- :func:`customer_erase` anonymises the personal values of a customer, its contacts and its
  records — including the field-history rows and the snapshots merges keep for their undo, so the
  values are really gone — while the rows themselves stay, so counts, dates and amounts in reports
  do not change.

Apps to the right (sales, service, marketing) hold personal data about customers too. They add it
to the export and the erasure by registering a source from their ``integration.register()``::

    register_personal_data_source(
        "leads", export=leads_of_customer, erase=erase_leads, fields={"sales.Lead": ("name", "phone", "email")}
    )

``export(customer) -> list`` of JSON-ready values; ``erase(customer) -> None`` runs inside the
erasure's transaction, before this app's own records are scrubbed, so it may still match rows by the
customer's e-mail addresses and phones (:func:`customer_identifiers`). ``fields`` names every personal
field the source clears, per model; a test walks all models and fails for a personal field that no
source (nor :data:`ERASED_HERE`) covers.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.audit import history_author, log_action
from crm.models import BehaviourLog

from ..models import CareAction, Communication, Contact, Customer, CustomerMerge, FollowUpTask
from ..search_text import contact_search_text, search_document, search_grams
from .quality import customer_quality_refresh


def erased_marker() -> str:
    """What an erased name becomes: 已删除 / erased, in the language of the moment of erasure."""
    return gettext("erased")


@dataclass(frozen=True)
class PersonalDataSource:
    name: str
    export: Callable | None
    erase: Callable | None
    fields: dict[str, tuple[str, ...]]


PERSONAL_DATA_SOURCES: dict[str, PersonalDataSource] = {}


def register_personal_data_source(name: str, *, export=None, erase=None, fields=None) -> None:
    PERSONAL_DATA_SOURCES[name] = PersonalDataSource(
        name=name, export=export, erase=erase, fields={label: tuple(names) for label, names in (fields or {}).items()}
    )


def personal_fields_covered() -> dict[str, set[str]]:
    """Model label → the personal fields an erasure clears: this app's own and every registered source's."""
    covered: dict[str, set[str]] = {label: set(names) for label, names in ERASED_HERE.items()}
    for source in PERSONAL_DATA_SOURCES.values():
        for label, names in source.fields.items():
            covered.setdefault(label, set()).update(names)
    return covered


def customer_identifiers(customer: Customer) -> tuple[set[str], set[str]]:
    """The customer's and its contacts' e-mail addresses (lower case) and phones, as stored: how records
    that copied them without a link to the customer (a lead, a web-form prospect) are found."""
    emails, phones = {customer.email.lower()}, {customer.phone}
    for email, phone, mobile in Contact.objects.filter(customer=customer).values_list("email", "phone", "mobile"):
        emails.add(email.lower())
        phones.update((phone, mobile))
    return emails - {""}, phones - {""}


# ---------------------------------------------------------------------------- consent


@transaction.atomic
def customer_consent_set(*, actor, customer: Customer, consent: str, method: str) -> Customer:
    """Record that the customer gave or withdrew marketing consent, and how (a call, a signed form…)."""
    if consent not in Customer.Consent.values:
        raise ValidationError({"consent": _("Choose given, withdrawn or not asked.")})
    method = (method or "").strip()
    if consent != Customer.Consent.UNKNOWN and not method:
        raise ValidationError({"consent_method": _("Say how the consent was given or withdrawn.")})
    if customer.erased_at is not None:
        raise ValidationError(_("This customer's personal data has been erased."))
    previous = customer.consent
    customer.consent = consent
    customer.consent_at = timezone.now() if consent != Customer.Consent.UNKNOWN else None
    customer.consent_method = method[:100]
    customer.updated_by = actor
    history_author(customer, actor).save(
        update_fields=["consent", "consent_at", "consent_method", "updated_by", "updated_at"]
    )
    log_action(
        actor=actor,
        action=BehaviourLog.Action.UPDATE,
        obj=customer,
        detail={"fields": ["consent"], "consent": consent, "previous": previous, "method": customer.consent_method},
    )
    return customer


# ---------------------------------------------------------------------------- export


def _rows(queryset, exclude=()):
    rows = []
    for item in serializers.serialize("python", queryset):
        fields = {k: v for k, v in item["fields"].items() if k not in exclude}
        rows.append({"id": item["pk"], **fields})
    return rows


def customer_personal_data(*, customer: Customer) -> dict:
    """Everything held about the customer, JSON-ready: a bounded number of queries per source."""
    contacts = Contact.objects.filter(customer=customer).order_by("pk")
    data = {
        "exported_at": timezone.now(),
        "customer": _rows(Customer.objects.filter(pk=customer.pk), exclude={"search_document", "search_grams"})[0],
        "contacts": _rows(contacts),
        "communications": _rows(Communication.objects.filter(customer=customer).order_by("pk")),
        "follow_up_tasks": _rows(FollowUpTask.objects.filter(customer=customer).order_by("pk")),
        "care_actions": _rows(CareAction.objects.filter(customer=customer).order_by("pk")),
        "history": {
            "customer": _rows(Customer.history.filter(id=customer.pk).order_by("history_id")),
            "contacts": _rows(Contact.history.filter(customer_id=customer.pk).order_by("history_id")),
            "communications": _rows(Communication.history.filter(customer_id=customer.pk).order_by("history_id")),
            "follow_up_tasks": _rows(FollowUpTask.history.filter(customer_id=customer.pk).order_by("history_id")),
        },
        "processing_log": list(
            BehaviourLog.objects.filter(object_type=Customer._meta.label_lower, object_id=str(customer.pk))
            .order_by("at", "id")
            .values("at", "username", "action", "detail")
        ),
    }
    for source in PERSONAL_DATA_SOURCES.values():
        if source.export is not None:
            data[source.name] = source.export(customer)
    return data


@transaction.atomic
def customer_personal_data_export(*, actor, customer: Customer) -> bytes:
    """The customer's data as UTF-8 JSON, with the export written to the behaviour log."""
    data = customer_personal_data(customer=customer)
    log_action(
        actor=actor,
        action=BehaviourLog.Action.EXPORT,
        obj=customer,
        detail={"personal_data": True, "format": "json", "sections": sorted(data)},
    )
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


# ---------------------------------------------------------------------------- erasure

CUSTOMER_PERSONAL_FIELDS = {
    "phone": "", "email": "", "address": "", "website": "", "notes": "", "id_number": "", "id_number_hash": "",
}  # fmt: skip
CONTACT_PERSONAL_FIELDS = {"mobile": "", "mobile_hash": "", "phone": "", "email": "", "birthday": None, "notes": ""}

# What customer_erase clears in this app's own tables (a company's name is not personal data; an
# individual's is, and is cleared).
ERASED_HERE = {
    "customers.Customer": ("name", *CUSTOMER_PERSONAL_FIELDS),
    "customers.HistoricalCustomer": ("name", *CUSTOMER_PERSONAL_FIELDS),
    "customers.Contact": ("name", *CONTACT_PERSONAL_FIELDS),
    "customers.HistoricalContact": ("name", *CONTACT_PERSONAL_FIELDS),
    "customers.CustomerMerge": ("merged_name",),
}


def _scrub_merges(customer: Customer, customer_values: dict, contact_values: dict) -> None:
    """Merge records keep whole rows for their undo: the merged customer (folded into this one, or this one
    when it came back by an undo), this one's values before and after, and rows deleted as duplicates."""
    marker = erased_marker()
    contact_label = Contact._meta.label_lower
    merges = CustomerMerge.objects.select_for_update().filter(Q(survivor=customer) | Q(merged_id=customer.pk))
    for merge in merges:
        snapshot = merge.snapshot
        merged = snapshot.get("merged") or {}
        merged_values = dict(CUSTOMER_PERSONAL_FIELDS, search_document="", search_grams="")
        if merged.get("kind") == Customer.Kind.INDIVIDUAL:
            merged_values["name"] = marker
            merge.merged_name = marker
        merged.update((name, value) for name, value in merged_values.items() if name in merged)
        for side in ("survivor_before", "survivor_after"):
            values = snapshot.get(side) or {}
            for name in [*customer_values, "search_document", "search_grams"]:
                if name in values:
                    values[name] = customer_values.get(name, "")
        for rows in (snapshot.get("removed") or {}).get(contact_label, {}).values():
            for row in rows:
                row.update((name, value) for name, value in contact_values.items() if name in row)
                row.update((name, "") for name in ("search_document", "search_grams") if name in row)
        merge.save(update_fields=["snapshot", "merged_name"])


@transaction.atomic
def customer_erase(*, actor, customer: Customer) -> Customer:
    """Anonymise the customer's personal data everywhere it is kept, history rows included.

    Rows stay (contacts, communications, tasks, care actions) so counts and dates in reports hold.
    A person's name (an individual customer, every contact) becomes the erased marker.
    """
    marker = erased_marker()
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    customer_values = dict(CUSTOMER_PERSONAL_FIELDS)
    if customer.kind == Customer.Kind.INDIVIDUAL:
        customer_values["name"] = marker
    contact_values = {**CONTACT_PERSONAL_FIELDS, "name": marker}
    contact_ids = list(Contact.history.filter(customer_id=customer.pk).values_list("id", flat=True).distinct())
    # The other apps' copies first: they may match rows by the e-mail addresses and phones cleared below.
    for source in PERSONAL_DATA_SOURCES.values():
        if source.erase is not None:
            source.erase(customer)

    # The live rows.
    erased_search = contact_search_text(marker, "", "")
    Contact.objects.filter(customer=customer).update(
        **contact_values, search_document=erased_search, search_grams=search_grams(erased_search)
    )
    Communication.objects.filter(customer=customer).update(content="")
    FollowUpTask.objects.filter(customer=customer).update(notes="")
    CareAction.objects.filter(customer=customer).update(outcome="")
    # Their field history: without this the old values would still be one click away.
    Customer.history.filter(id=customer.pk).update(**customer_values)
    Contact.history.filter(customer_id=customer.pk).update(**contact_values)
    Communication.history.filter(customer_id=customer.pk).update(content="")
    FollowUpTask.history.filter(customer_id=customer.pk).update(notes="")
    # Names in the behaviour log's object column.
    BehaviourLog.objects.filter(
        object_type=Contact._meta.label_lower, object_id__in=[str(pk) for pk in contact_ids]
    ).update(object_repr=marker)
    if "name" in customer_values:
        BehaviourLog.objects.filter(object_type=Customer._meta.label_lower, object_id=str(customer.pk)).update(
            object_repr=marker
        )
    _scrub_merges(customer, customer_values, contact_values)

    for field, value in customer_values.items():
        setattr(customer, field, value)
    customer.erased_at = timezone.now()
    customer.consent = Customer.Consent.WITHDRAWN
    customer.consent_at = customer.erased_at
    customer.consent_method = gettext("erasure request")[:100]
    customer.search_document = search_document(customer, Contact.objects.filter(customer=customer))
    customer.updated_by = actor
    history_author(customer, actor).save()  # adds one history record, holding only the anonymised values
    customer_quality_refresh(customer=customer)
    log_action(
        actor=actor,
        action=BehaviourLog.Action.DELETE,
        obj=customer,
        detail={"erased": True, "contacts": len(contact_ids)},
    )
    return customer
