"""How customers are found by free text."""

import re
import unicodedata

from django.db.models import Q
from django.db.models.functions import Left

from crm.crypto import blind_index, normalise_phone


def normalise_text(value: str) -> str:
    """Fold full-width characters and case so '１３８' finds '138' and 'ACME' finds 'acme'."""
    return unicodedata.normalize("NFKC", value or "").casefold().strip()


_NON_DIGITS = re.compile(r"\D")


def phone_digits(value: str) -> str:
    return _NON_DIGITS.sub("", value or "")


def customer_search_parts(name, phone, email) -> list[str]:
    return [name, phone, phone_digits(phone), email]


def contact_search_parts(name, phone, email) -> list[str]:
    # The mobile is encrypted at rest, so it stays out of this plain-text column: it is found by its keyed
    # hash instead (see customer_search).
    return [name, phone, email]


def search_text(parts) -> str:
    # A part said twice (a mobile typed as bare digits is also its own digit form) is written once: every
    # character of the document costs trigram index work on each save and import.
    return " ".join(dict.fromkeys(normalise_text(p) for p in parts if p))


def search_document(customer, contacts) -> str:
    parts = customer_search_parts(customer.name, customer.phone, customer.email)
    for contact in contacts:
        parts += contact_search_parts(contact.name, contact.phone, contact.email)
    return search_text(parts)


# Three characters make a trigram; shorter text is matched as a name prefix instead of a full scan.
MIN_CONTAINS_LENGTH = 3
# A whole personal mobile is looked up by its keyed hash; shorter digit runs cannot be one.
MIN_PHONE_DIGITS = 6


def customer_search(queryset, text: str):
    text = normalise_text(text)
    if not text:
        return queryset
    if len(text) < MIN_CONTAINS_LENGTH:
        # search_document starts with the name; the prefix index answers this without a scan.
        return queryset.alias(search_prefix=Left("search_document", 16)).filter(search_prefix__startswith=text)
    matches = Q(search_document__contains=text)
    digest = blind_index(text, "phone")
    if len(digest) and len(normalise_phone(text)) >= MIN_PHONE_DIGITS:
        from .models import Contact

        matches |= Q(pk__in=Contact.objects.filter(mobile_hash=digest).values("customer_id"))
    return queryset.filter(matches)
