"""Which rows of a customer file duplicate a customer, by the rule of the entry form's check.

The rule is :mod:`customers.dedupe`'s: the same phone (a row's phone or its contact's mobile, against a
customer's phone or its contacts' mobiles), the same e-mail, or the same name as :func:`normalise_name`
reads it (case, width, spaces, punctuation and legal-form endings aside). Only customers the importing
user may see and that existed before the import count; rows of the same file are compared in memory
by the engine through :func:`duplicate_keys`.
"""

from django.db.models import F, Func, Max, Q, Value
from django.db.models.functions import Lower

from crm.crypto import keyed_hash

from ..dedupe import (
    customers_by_contact_mobile,
    name_spellings,
    normalise_email,
    normalise_name,
    normalise_phone,
    phone_spellings,
)
from ..models import Customer

# Up to this many existing customers in the importer's scope are read once into memory for the duplicate
# checks; beyond it each batch asks the database (one query per batch).
PRELOAD_MAX_CUSTOMERS = 100_000

_KEYS = "_duplicate_keys"  # not a field: where a row keeps its normalised values once worked out
_HASHES = "_phone_hashes"  # not a field: the keyed hashes of the row's phone and mobile, once worked out


def row_keys(row) -> tuple[str, str, str, str]:
    """The row's phone, contact mobile, e-mail and name as the duplicate checks compare them (worked out once)."""
    keys = row.get(_KEYS)
    if keys is None:
        keys = row[_KEYS] = (
            normalise_phone(row["phone"]) if row.get("phone") else "",
            normalise_phone(row["contact_mobile"]) if row.get("contact_mobile") else "",
            normalise_email(row["email"]) if row.get("email") else "",
            normalise_name(row["name"]),
        )
    return keys


def phone_hashes(row) -> tuple[str, str]:
    """The keyed hashes of the row's phone and contact mobile, as contacts' mobiles are stored (worked out once;
    the writer stores the second as the new contact's ``mobile_hash``)."""
    hashes = row.get(_HASHES)
    if hashes is None:
        phone, mobile, _email, _name = row_keys(row)
        phone_hash = keyed_hash(phone, "phone")
        hashes = row[_HASHES] = (phone_hash, phone_hash if mobile == phone else keyed_hash(mobile, "phone"))
    return hashes


def mobile_hash(row) -> str:
    """The keyed hash of the row's contact mobile (the new contact's ``mobile_hash``), without hashing the row's
    phone as well when the duplicate check did not need it."""
    hashes = row.get(_HASHES)
    if hashes is not None:
        return hashes[1]
    return keyed_hash(row_keys(row)[1], "phone")


def duplicate_keys(row) -> list:
    """The keys two rows of one file share when one repeats the other."""
    phone, mobile, email, name = row_keys(row)
    keys = (("phone", phone), ("phone", mobile), ("email", email), ("name", name))
    return [key for key in keys if key[1]]


def _index(candidates) -> dict:
    """Existing customers by key: ('phone', key), ('email', key), ('name', key); the first (lowest pk) wins."""
    by_key = {}
    for pk, phone, email, name in candidates:
        if phone:
            by_key.setdefault(("phone", normalise_phone(phone)), pk)
        if email:
            by_key.setdefault(("email", normalise_email(email)), pk)
        by_key.setdefault(("name", normalise_name(name)), pk)
    for kind in ("phone", "email", "name"):
        by_key.pop((kind, ""), None)
    return by_key


class ExistingCustomers:
    """The customers a batch of rows duplicates, for one importing user."""

    def __init__(self, *, actor):
        self.actor = actor
        # Customers created by this import are found in memory; the database is asked about older ones.
        self.max_pk = Customer.objects.aggregate(top=Max("pk"))["top"] or 0
        self._preloaded = None
        self._mobiles = None

    def candidates(self):
        """The customers that existed before this import and the user may see."""
        return Customer.objects.visible_to(self.actor).filter(pk__lte=self.max_pk)

    def prepare(self):
        """Read the customers of a moderate scope now (the file is being parsed meanwhile), not at the first batch."""
        self._preload()

    def _preload(self):
        """A scope of moderate size is read once, in key order; a huge one is asked batch by batch."""
        if self._preloaded is None:
            limit = PRELOAD_MAX_CUSTOMERS
            if self.candidates()[: limit + 1].count() <= limit:
                rows = self.candidates().order_by("pk").values_list("pk", "phone", "email", "name")
                self._preloaded = _index(rows)
                self._mobiles = customers_by_contact_mobile(self.candidates())
            else:
                self._preloaded = False
        return self._preloaded

    def find(self, rows) -> list:
        """In the order of ``rows``: the pk of the customer each duplicates, or None. Two queries a batch at most."""
        by_key = self._preload() or self._batch_index(rows)
        by_mobile = self._mobiles
        if by_mobile is None:
            by_mobile = customers_by_contact_mobile(self.candidates(), {k for row in rows for k in row_keys(row)[:2]})
        return [self._match(row, by_key, by_mobile) for row in rows]

    @staticmethod
    def _match(row, by_key, by_mobile):
        phone, mobile, email, name = row_keys(row)
        for key, digest in zip((phone, mobile), phone_hashes(row) if by_mobile else ("", ""), strict=True):
            if key:
                match = by_key.get(("phone", key)) or by_mobile.get(digest)
                if match is not None:
                    return match
        if email and ("email", email) in by_key:
            return by_key[("email", email)]
        return by_key.get(("name", name))

    def _batch_index(self, rows):
        """One query for the batch: candidates by the digits of a phone, the lower-case e-mail or the name
        without case, spaces or punctuation; :func:`_index` then keeps those the dedupe rule matches."""
        phones, emails, names = set(), set(), set()
        for row in rows:
            phone, mobile, _email, name = row_keys(row)
            for key in (phone, mobile):
                if key:
                    phones |= phone_spellings(key)
            if row.get("email"):
                emails.add(row["email"].lower())
            names |= name_spellings(name)
        condition = Q(name_plain__in=names)
        if phones:
            condition |= Q(phone_digits__in=phones)
        if emails:
            condition |= Q(email_lower__in=emails)
        candidates = (
            self.candidates()
            .annotate(
                phone_digits=Func(F("phone"), Value(r"\D"), Value(""), Value("g"), function="regexp_replace"),
                email_lower=Lower("email"),
                # The name as name_spellings spells it: NFKC, no case, nothing but letters and digits.
                name_plain=Lower(
                    Func(
                        Func(F("name"), template="normalize(%(expressions)s, NFKC)"),
                        Value(r"[^[:alnum:]]+"),
                        Value(""),
                        Value("g"),
                        function="regexp_replace",
                    )
                ),
            )
            .filter(condition)
            .order_by("pk")
            .values_list("pk", "phone", "email", "name")
        )
        return _index(candidates)
