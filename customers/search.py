"""How customers are found by free text."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import BooleanField, F, OuterRef, Q, Subquery, Value
from django.db.models.expressions import Expression
from django.db.models.functions import Left

from crm.crypto import blind_index
from crm.normalise import normalise_phone, normalise_text

from .models import Contact, Customer
from .search_text import is_short_cjk, search_grams, search_text


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
        matches |= Q(pk__in=Contact.objects.filter(mobile_hash=digest).values("customer_id"))
    return queryset.filter(matches)


# Up to this many customers matching a search are named in the query of their records (customers_named).
CUSTOMERS_NAMED = 1000


def customers_named(text: str) -> list | None:
    """The ids of the customers :func:`customer_search` finds for ``text``, or ``None`` when there are more than
    ``CUSTOMERS_NAMED``: one query that tells a rare search from a common one, so that a list of their records can
    be read through its customer index instead of PostgreSQL planning a join on its estimate of a text match (a
    whole company name read a million communication records, 3–6 s)."""
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
