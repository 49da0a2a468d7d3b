"""Data quality (数据质量): how complete, valid and fresh a customer's record is, as a 0–100 score.

The score starts at 100 and loses the weight of every issue found. Each issue has a code, stored in
``Customer.quality_missing`` so the detail page can say what to fix and the list can filter on it:

- completeness: a phone or an e-mail, an address, an industry, a source, at least one contact, a
  primary contact with a mobile;
- validity: every phone number and e-mail present is well formed;
- freshness: contacted within ``STALE_CONTACT_DAYS`` (counted from creation for a customer never
  contacted, so a new customer is not overdue) and updated within ``STALE_RECORD_DAYS``.

The score is recomputed whenever a customer or one of its contacts is saved or a communication is
recorded (the services call :func:`customer_quality_refresh`) and nightly for everybody in batches
(:func:`customers_quality_recompute`), because freshness decays without any save.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Contact, Customer
from ..validators import validate_phone

# The score bands the dashboards count customers in (the data-quality panel, the customer statistics).
QUALITY_BUCKETS = [(0, 39), (40, 59), (60, 79), (80, 100)]
STALE_CONTACT_DAYS = 180
STALE_RECORD_DAYS = 365

# code → (weight, label). The weights add up to 100.
QUALITY_ISSUES = {
    "no_phone_or_email": (15, _("No phone number or e-mail")),
    "no_address": (10, _("No address")),
    "no_industry": (10, _("No industry")),
    "no_source": (5, _("No source")),
    "no_contact": (10, _("No contact person")),
    "no_primary_mobile": (10, _("No primary contact with a mobile number")),
    "invalid_phone": (10, _("A phone number is malformed")),
    "invalid_email": (10, _("An e-mail address is malformed")),
    "stale_contact": (10, _("Not contacted for 180 days")),
    "stale_record": (10, _("Not updated for a year")),
}

# Fields the score reads, so batches load only these.
CUSTOMER_QUALITY_FIELDS = [
    "id", "phone", "email", "address", "industry", "source", "last_contacted_at", "updated_at", "created_at",
]  # fmt: skip
CONTACT_QUALITY_FIELDS = ["customer_id", "mobile", "phone", "email", "is_primary"]


def quality_threshold() -> int:
    """Below this score a customer counts as incomplete (setting ``QUALITY_THRESHOLD``, default 60)."""
    return getattr(settings, "QUALITY_THRESHOLD", 60)


def quality_label(code: str) -> str:
    issue = QUALITY_ISSUES.get(code)
    return issue[1] if issue else code


def _field(obj, name, default=None):
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def _valid(validator, value) -> bool:
    try:
        validator(value)
    except ValidationError:
        return False
    return True


def customer_quality(customer, contacts, *, now=None, validated=False) -> tuple[int, list[str]]:
    """The score (0–100) and the issue codes of one customer and its contacts.

    ``customer`` and each contact may be model instances or dicts holding the fields named in
    ``CUSTOMER_QUALITY_FIELDS`` / ``CONTACT_QUALITY_FIELDS``; nothing here touches the database.
    ``validated``: every phone and e-mail given has just passed the same validators (an import's
    cleaning), so they are not checked twice.
    """
    now = now or timezone.now()
    contacts = list(contacts)
    get = lambda name: _field(customer, name)  # noqa: E731
    missing = []
    if not (get("phone") or get("email")):
        missing.append("no_phone_or_email")
    if not (get("address") or "").strip():
        missing.append("no_address")
    if not get("industry"):
        missing.append("no_industry")
    if not get("source"):
        missing.append("no_source")
    if not contacts:
        missing.append("no_contact")
    if not any(_field(c, "is_primary") and _field(c, "mobile") for c in contacts):
        missing.append("no_primary_mobile")

    if not validated:
        phones = [get("phone")] + [p for c in contacts for p in (_field(c, "mobile"), _field(c, "phone"))]
        if not all(_valid(validate_phone, p) for p in phones if p):
            missing.append("invalid_phone")
        emails = [get("email")] + [_field(c, "email") for c in contacts]
        if not all(_valid(validate_email, e) for e in emails if e):
            missing.append("invalid_email")

    # Never contacted: the clock runs from creation (a customer being created has none yet: now).
    contacted = get("last_contacted_at") or get("created_at") or now
    if contacted < now - timedelta(days=STALE_CONTACT_DAYS):
        missing.append("stale_contact")
    updated = get("updated_at")
    if updated is not None and updated < now - timedelta(days=STALE_RECORD_DAYS):
        missing.append("stale_record")

    score = 100 - sum(QUALITY_ISSUES[code][0] for code in missing)
    return max(score, 0), missing


def customer_quality_refresh(*, customer: Customer) -> tuple[int, list[str]]:
    """Recompute and store one customer's score (one read of its contacts, one UPDATE).

    Written with ``update()`` so it neither bumps ``updated_at`` nor adds a history record.
    """
    contacts = Contact.objects.filter(customer_id=customer.pk).values(*CONTACT_QUALITY_FIELDS)
    fresh = Customer.objects.filter(pk=customer.pk).values(*CUSTOMER_QUALITY_FIELDS).first()
    if fresh is None:
        return 0, []
    score, missing = customer_quality(fresh, contacts)
    Customer.objects.filter(pk=customer.pk).update(quality_score=score, quality_missing=missing)
    customer.quality_score, customer.quality_missing = score, missing
    return score, missing


def customers_quality_recompute(*, batch_size: int = 2000, now=None) -> int:
    """Recompute every customer's score in batches of ``batch_size`` by primary key; returns how many
    scores changed. Each batch is two reads and at most one bulk UPDATE, in its own transaction, so
    a million customers never sit in memory and a failure loses one batch at most."""
    now = now or timezone.now()
    changed, last_pk = 0, 0
    while True:
        rows = list(
            Customer.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values(*CUSTOMER_QUALITY_FIELDS, "quality_score", "quality_missing")[:batch_size]
        )
        if not rows:
            return changed
        last_pk = rows[-1]["id"]
        by_customer: dict[int, list[dict]] = {}
        for contact in Contact.objects.filter(customer_id__in=[r["id"] for r in rows]).values(*CONTACT_QUALITY_FIELDS):
            by_customer.setdefault(contact["customer_id"], []).append(contact)
        updates = []
        for row in rows:
            score, missing = customer_quality(row, by_customer.get(row["id"], []), now=now)
            if score != row["quality_score"] or missing != row["quality_missing"]:
                updates.append(Customer(pk=row["id"], quality_score=score, quality_missing=missing))
        if updates:
            with transaction.atomic():
                Customer.objects.bulk_update(updates, ["quality_score", "quality_missing"])
            changed += len(updates)
