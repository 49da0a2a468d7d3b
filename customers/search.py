"""How customers are found by free text."""

import re
import unicodedata

from django.db.models import BooleanField, F, Q
from django.db.models.expressions import Expression
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


# Chinese, Japanese and Korean script: ideographs (with extension A and the compatibility block), kana, hangul.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_CJK_ONLY = re.compile(f"[{_CJK}]{{1,2}}")
# The same grams worked out in SQL (migrations backfill with it; a test keeps the two alike).
SEARCH_GRAMS_SQL_FUNCTION = "crm_search_grams"


def search_grams(text: str) -> str:
    """The CJK character bigrams of ``text`` (already normalised), plus the last character of each run,
    as the text of a ``tsvector``.

    A trigram index cannot answer a search shorter than three characters, and Chinese names are searched by
    two (``云杉`` in 杭州云杉智能科技有限公司). A two-character search is one bigram lexeme; a one-character
    search is the prefix query ``'王':*``, which every bigram starting with it and every run's last character
    match. Latin text stays out: words that short are found as prefixes (see ``customer_search``).
    """
    grams = {}
    for run in _CJK_RUN.findall(text):
        for i in range(len(run)):
            grams[run[i : i + 2]] = None
    return " ".join(grams)


def is_short_cjk(text: str) -> bool:
    return _CJK_ONLY.fullmatch(text) is not None


class MatchesGrams(Expression):
    """``<field> @@ '<gram>'::tsquery``: the bigram index lookup for a 1- or 2-character CJK search."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, field: str, text: str):
        super().__init__()
        self.target = F(field)
        # One character matches every gram it starts; two are one gram. Neither contains a quote.
        self.query = f"'{text}':*" if len(text) == 1 else f"'{text}'"

    def get_source_expressions(self):
        return [self.target]

    def set_source_expressions(self, exprs):
        (self.target,) = exprs

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.target)
        return f"{sql} @@ %s::tsquery", [*params, self.query]


def grams_condition(text: str, field: str = "search_grams"):
    """The condition for a normalised search that :func:`is_short_cjk` accepts."""
    return MatchesGrams(field, text)


# Three characters make a trigram; shorter text is matched as a name prefix instead of a full scan.
MIN_CONTAINS_LENGTH = 3
# A whole personal mobile is looked up by its keyed hash; shorter digit runs cannot be one.
MIN_PHONE_DIGITS = 6


def customer_search(queryset, text: str):
    text = normalise_text(text)
    if not text:
        return queryset
    if is_short_cjk(text):
        return queryset.filter(grams_condition(text))
    if len(text) < MIN_CONTAINS_LENGTH:
        # search_document starts with the name; the prefix index answers this without a scan.
        return queryset.alias(search_prefix=Left("search_document", 16)).filter(search_prefix__startswith=text)
    matches = Q(search_document__contains=text)
    digest = blind_index(text, "phone")
    if len(digest) and len(normalise_phone(text)) >= MIN_PHONE_DIGITS:
        from .models import Contact

        matches |= Q(pk__in=Contact.objects.filter(mobile_hash=digest).values("customer_id"))
    return queryset.filter(matches)
