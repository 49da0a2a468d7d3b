"""How customers are found by free text."""

import re

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import BooleanField, F, OuterRef, Q, Subquery, Value
from django.db.models.expressions import Expression
from django.db.models.functions import Left

from crm.crypto import blind_index
from crm.normalise import normalise_phone, normalise_text

_NON_DIGITS = re.compile(r"\D")


def phone_digits(value: str) -> str:
    return _NON_DIGITS.sub("", value or "")


def customer_search_parts(name, phone, email) -> list[str]:
    return [name, phone, phone_digits(phone), email]


def contact_search_parts(name, phone, email) -> list[str]:
    # The mobile is encrypted at rest, so it stays out of this plain-text column: it is found by its keyed
    # hash instead (see customer_search).
    return [name, phone, email]


def contact_search_text(name, phone, email) -> str:
    return search_text(contact_search_parts(name, phone, email))


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


# Up to this many customers matching a search are named in the query of their records (customers_named).
CUSTOMERS_NAMED = 1000


def customers_named(text: str) -> list | None:
    """The ids of the customers :func:`customer_search` finds for ``text``, or ``None`` when there are more than
    ``CUSTOMERS_NAMED``: one query that tells a rare search from a common one, so that a list of their records can
    be read through its customer index instead of PostgreSQL planning a join on its estimate of a text match (a
    whole company name read a million communication records, 3–6 s)."""
    from .models import Customer

    named = list(
        customer_search(Customer.objects.all(), text).order_by().values_list("pk", flat=True)[: CUSTOMERS_NAMED + 1]
    )
    return named if len(named) <= CUSTOMERS_NAMED else None


def of_customers_matching(text: str, field: str = "customer_id"):
    """The condition on a record's ``field`` (a customer's id), meant to be OR-ed with the record's own text
    condition, that leaves the records of the customers :func:`customer_search` finds for ``text``.

    A few customers are named (:func:`customers_named`). A common word (`物流` is in 60,000 customers' names) is
    checked record by record as the list's newest records are read, each through the customer's primary key, until
    the page is full: under an OR, PostgreSQL hashed every matching customer first (0.15 s a page). Either way the
    records are the same.
    """
    from .models import Customer

    named = customers_named(text)
    if named is not None:
        return Q(**{f"{field}__in": named})
    # A scalar subquery, not EXISTS: PostgreSQL would hash every matching customer for an EXISTS in an OR.
    customers = customer_search(Customer.objects.all(), text).order_by()
    matches = customers.filter(pk=OuterRef(field)).values(matches=Value(True))[:1]
    return Q(Subquery(matches, output_field=BooleanField()))


def contact_search(queryset, text: str):
    """Contacts by name, office phone or e-mail (any part), or by a whole mobile through its keyed hash."""
    text = normalise_text(text)
    if not text:
        return queryset
    matches = text_condition(text)
    digest = blind_index(text, "phone")
    if len(digest) and len(normalise_phone(text)) >= MIN_PHONE_DIGITS:
        matches |= Q(mobile_hash=digest)
    return queryset.filter(matches)


class SearchableModel(models.Model):
    """A record found by free text in its own fields: the normalised ``search_document`` (trigram index) and its
    CJK bigrams (``search_grams``), worked out on every save. Bulk writers call :meth:`refresh_search` first.

    The model names its searched values in ``search_parts()``; its Meta adds :func:`search_indexes`.
    """

    search_document = models.TextField(editable=False, blank=True, default="")
    search_grams = SearchVectorField(editable=False, blank=True, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.refresh_search()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_document", "search_grams"}
        super().save(*args, **kwargs)

    def search_parts(self) -> list[str]:
        raise NotImplementedError

    def refresh_search(self):
        self.search_document = search_text(self.search_parts())
        self.search_grams = search_grams(self.search_document)


def search_indexes(prefix: str) -> list:
    return [
        GinIndex(OpClass("search_document", name="gin_trgm_ops"), name=f"{prefix}_search_trgm"),
        GinIndex(fields=["search_grams"], name=f"{prefix}_search_grams"),
    ]


def text_search(queryset, text: str):
    """Records of a :class:`SearchableModel` whose document contains ``text`` (CJK bigrams for 1–2 characters)."""
    return queryset.filter(text_condition(text)) if (text := normalise_text(text)) else queryset


def text_condition(text: str):
    """The condition for an already normalised, non-empty ``text``."""
    if is_short_cjk(text):
        return grams_condition(text)
    if len(text) < MIN_CONTAINS_LENGTH:
        return Q(search_document__startswith=text)
    return Q(search_document__contains=text)
