"""Duplicate detection: how phones, e-mails and names are compared, and which customers look alike.

The normalisers are pure functions (also used by the import) that map the many ways people type
the same phone, e-mail or company name onto one key. :func:`find_duplicates` looks a new entry up
among the customers a user may see, using the trigram indexes for the heavy lifting and Python only
to confirm the few candidates.
"""

import re

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Prefetch, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from crm.crypto import blind_index, keyed_hash
from crm.normalise import fixpoint, normalise_email, normalise_phone, normalise_text

from .models import Contact, Customer

# ---------------------------------------------------------------------------------------------
# Names

# Compared after case folding and with punctuation removed, so "Co., Ltd." is the tokens co, ltd.
ENGLISH_SUFFIXES = frozenset(
    {"co", "company", "ltd", "limited", "inc", "incorporated", "llc", "corp", "corporation", "gmbh"}
)
# Longest first, so 股份有限公司 goes in one step rather than leaving 股份.
CHINESE_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")

_WORD = re.compile(r"[^\W_]+")


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0002ffff"


def _name_step(value: str) -> str:
    tokens = _WORD.findall(normalise_text(value))  # a fixpoint already
    # A space between two Chinese characters separates nothing: "华信科技 有限公司" is one word.
    merged: list[str] = []
    for token in tokens:
        if merged and _is_cjk(merged[-1][-1]) and _is_cjk(token[0]):
            merged[-1] += token
        else:
            merged.append(token)
    tokens = merged
    while tokens:
        last = tokens[-1]
        if last in ENGLISH_SUFFIXES and len(tokens) > 1:
            tokens.pop()
            continue
        if not last.endswith(CHINESE_SUFFIXES):  # one test in C first: most names end otherwise
            break
        suffix = next(s for s in CHINESE_SUFFIXES if last.endswith(s))
        if len(last) > len(suffix):
            tokens[-1] = last[: -len(suffix)]
        elif len(tokens) > 1:
            tokens.pop()
        else:
            break  # the whole name is a suffix ("有限公司"): keep it rather than compare empty names
    return "".join(tokens)


def normalise_name(value) -> str:
    """A company or person name reduced to what tells it apart.

    Full-width folded to half-width, case-folded, spaces and punctuation removed, and legal-form
    suffixes (有限公司, 集团, Co., Ltd., Inc., GmbH …) stripped from the end repeatedly:
    '上海华信科技 有限公司' and 'ACME Co., Ltd.' become '上海华信科技' and 'acme'.
    """
    return fixpoint(_name_step, str(value or ""))


def _trigrams(text: str) -> set[str]:
    # The same trigrams pg_trgm takes from one word: two spaces before, one after.
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def name_similarity(a: str, b: str) -> float:
    """Trigram similarity (as pg_trgm's ``similarity``) of two already normalised names."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    first, second = _trigrams(a), _trigrams(b)
    return len(first & second) / len(first | second)


# ---------------------------------------------------------------------------------------------
# Finding duplicates

NAME_SIMILARITY_THRESHOLD = 0.45
# Fewer digits than this match too many unrelated numbers to be worth a warning.
MIN_PHONE_DIGITS = 6
# How many rows the indexed queries may hand over for confirmation, per requested result.
CANDIDATES_PER_RESULT = 5

REASON_PHONE = "phone"
REASON_EMAIL = "email"
REASON_NAME = "name"
REASON_LABELS = {
    REASON_PHONE: _("same phone"),
    REASON_EMAIL: _("same e-mail"),
    REASON_NAME: _("similar name"),
}
_REASON_ORDER = [REASON_PHONE, REASON_EMAIL, REASON_NAME]


def customer_phone_keys(customer) -> set[str]:
    """Normalised phones of a customer and its (prefetched) contacts."""
    values = [customer.phone]
    for contact in customer.contacts.all():
        values += [contact.mobile, contact.phone]
    return {key for key in map(normalise_phone, values) if key}


def customer_email_keys(customer) -> set[str]:
    values = [customer.email] + [contact.email for contact in customer.contacts.all()]
    return {key for key in map(normalise_email, values) if key}


def _contact_match(customer, *, phone_key, email_key):
    reasons = []
    if phone_key and phone_key in customer_phone_keys(customer):
        reasons.append(REASON_PHONE)
    if email_key and email_key in customer_email_keys(customer):
        reasons.append(REASON_EMAIL)
    return reasons


def phone_spellings(key: str) -> set[str]:
    """The digit strings a stored phone may reduce to when :func:`normalise_phone` gives ``key`` for it
    (written with +86, 0086 or the trunk zero): what a query on the stored digits looks for."""
    spellings = {key, f"86{key}", f"0086{key}"}
    if key.startswith("0"):
        spellings |= {f"86{key[1:]}", f"0086{key[1:]}"}
    return spellings


# The legal-form endings as a name spells them without case, spaces or punctuation ("Co., Ltd." → "coltd").
_SUFFIX_SPELLINGS = (*CHINESE_SUFFIXES, *ENGLISH_SUFFIXES, "coltd", "colimited", "coinc", "集团有限公司")


def name_spellings(key: str) -> set[str]:
    """Stored names without case, spaces or punctuation that :func:`normalise_name` may reduce to ``key``:
    the key itself and the key with a legal-form ending. What a query on stored names looks for; the
    candidates it finds are confirmed with :func:`normalise_name`."""
    return {key, *(key + suffix for suffix in _SUFFIX_SPELLINGS)} if key else set()


def customers_by_contact_mobile(customers, phone_keys=None) -> dict[str, int]:
    """Keyed hash of a mobile (:func:`crm.crypto.keyed_hash` of the phone key) → pk of a customer among
    ``customers`` one of whose contacts has that mobile; all of them, or those of ``phone_keys``.

    The rule the entry form's check follows (:func:`find_duplicates`) and the import follows too: a phone
    matches a customer's own phone or its contacts' mobiles. Mobiles are encrypted at rest, so they are
    matched by their keyed hash: one indexed query.
    """
    contacts = Contact.objects.filter(customer__in=customers).exclude(mobile_hash="")
    if phone_keys is not None:
        hashes = {keyed_hash(key, "phone") for key in phone_keys if key}
        if not hashes:
            return {}
        contacts = contacts.filter(mobile_hash__in=hashes)
    found: dict[str, int] = {}
    for digest, customer_id in contacts.order_by("customer_id").values_list("mobile_hash", "customer_id"):
        found.setdefault(digest, customer_id)
    return found


def find_duplicates(*, user, name="", phone="", email="", exclude_pk=None, limit=10) -> list[Customer]:
    """Customers visible to ``user`` that look like the given name, phone or e-mail.

    Each result carries ``duplicate_reasons`` (codes: phone, email, name), ``duplicate_reason_labels``
    and ``name_similarity``; the strongest matches come first. At most two indexed queries (plus one
    for the candidates' contacts) whatever the number of customers.
    """
    base = Customer.objects.visible_to(user)
    if exclude_pk is not None:
        base = base.exclude(pk=exclude_pk)
    phone_key, email_key, name_key = normalise_phone(phone), normalise_email(email), normalise_name(name)
    cap = max(limit, 1) * CANDIDATES_PER_RESULT
    found: dict[int, Customer] = {}

    # Phone and e-mail: one LIKE on the trigram-indexed search document, confirmed on the candidates.
    # The search document holds raw digits ("862168888888" for "+86 21 …"), so search without the
    # trunk zero, which is a substring of every way of writing the number.
    contact_condition = Q()
    phone_needle = phone_key.lstrip("0")
    if len(phone_needle) >= MIN_PHONE_DIGITS:
        contact_condition |= Q(search_document__contains=phone_needle)
        # Contacts' mobiles are encrypted and out of the search document: matched by their keyed hash
        # (as customers_by_contact_mobile does for the import).
        by_mobile = Contact.objects.filter(mobile_hash=blind_index(phone, "phone")).values("customer_id")
        contact_condition |= Q(pk__in=by_mobile)
    email_needle = normalise_text(email)
    if "@" in email_key and len(email_needle) >= 3:
        contact_condition |= Q(search_document__contains=email_needle)
    if contact_condition:
        contacts = Prefetch("contacts", queryset=Contact.objects.only("customer_id", "mobile", "phone", "email"))
        candidates = base.filter(contact_condition).select_related("owner").prefetch_related(contacts)[:cap]
        for customer in candidates:
            reasons = _contact_match(customer, phone_key=phone_key, email_key=email_key)
            if reasons:
                customer.duplicate_reasons = reasons
                customer.name_similarity = name_similarity(normalise_name(customer.name), name_key)
                found[customer.pk] = customer

    # Names: the `%` operator on UPPER(name) uses the customer_name_trgm index; the normalised
    # names of the candidates are then compared here, so "ACME Co., Ltd." meets "acme". Only the
    # normalised name is looked up: "…股份有限公司" as typed is similar to a quarter of all companies.
    if name_key:
        upper_key = name_key.upper()
        candidates = (
            base.annotate(name_upper=Upper("name"))
            .filter(name_upper__trigram_similar=upper_key)
            .annotate(similarity=TrigramSimilarity(Upper("name"), upper_key))
            .select_related("owner")
            .order_by("-similarity", "-pk")[:cap]
        )
        for customer in candidates:
            similarity = name_similarity(normalise_name(customer.name), name_key)
            if similarity < NAME_SIMILARITY_THRESHOLD:
                continue
            if customer.pk in found:
                found[customer.pk].duplicate_reasons.append(REASON_NAME)
                continue
            customer.duplicate_reasons = [REASON_NAME]
            customer.name_similarity = similarity
            found[customer.pk] = customer

    results = sorted(
        found.values(),
        key=lambda c: (-len(c.duplicate_reasons), REASON_NAME in c.duplicate_reasons, -c.name_similarity, -c.pk),
    )[:limit]
    for customer in results:
        customer.duplicate_reasons.sort(key=_REASON_ORDER.index)
        customer.duplicate_reason_labels = [REASON_LABELS[r] for r in customer.duplicate_reasons]
    return results
