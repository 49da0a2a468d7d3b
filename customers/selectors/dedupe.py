"""Reads for duplicate finding and merging. Every query starts from the user's record scope."""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from ..dedupe import (
    NAME_SIMILARITY_THRESHOLD,
    REASON_EMAIL,
    REASON_LABELS,
    REASON_NAME,
    REASON_PHONE,
    name_similarity,
    normalise_name,
)
from ..models import Customer, CustomerMerge
from ..services.merge import customer_relations

# Equal phones and e-mails are looked for among this many most recently updated customers of the
# scope, and similar names among far fewer (each pair is compared): the finder stays quick at a
# million rows, and the newest entries are where fresh duplicates are.
EXACT_SCAN_LIMIT = 20_000
NAME_SCAN_LIMIT = 300
GROUP_LIMIT = 300
NAME_PAIR_LIMIT = 300
# A list of possible duplicates is a work queue: stricter than the warning shown while typing.
PAIR_NAME_THRESHOLD = max(NAME_SIMILARITY_THRESHOLD, 0.5)


# Digits of a phone without a mainland country code before a mobile, as normalise_phone does.
PHONE_DIGITS_SQL = r"regexp_replace(regexp_replace(phone, '\D', '', 'g'), '^(0086|86)(1[0-9]{10})$', '\2')"


@dataclass
class DuplicatePair:
    survivor_id: int
    merged_id: int
    reasons: set = field(default_factory=set)
    similarity: float = 0.0
    survivor: Customer | None = None
    merged: Customer | None = None

    @property
    def reason_labels(self):
        return [REASON_LABELS[r] for r in (REASON_PHONE, REASON_EMAIL, REASON_NAME) if r in self.reasons]


def _add_pair(pairs, a, b, reason, similarity=0.0):
    # The older record (lower id) is suggested as the one to keep; the merge page can swap them.
    key = (min(a, b), max(a, b))
    pair = pairs.setdefault(key, DuplicatePair(survivor_id=key[0], merged_id=key[1]))
    pair.reasons.add(reason)
    pair.similarity = max(pair.similarity, similarity)


def _exact_pairs(pairs, scoped):
    """Equal e-mails and equal phone digits among the most recently updated customers, in one query:
    the window is taken first (an index scan on updated_at), then grouped."""
    recent = scoped.order_by("-updated_at").values("pk", "email", "phone")[:EXACT_SCAN_LIMIT]
    recent_sql, params = recent.query.sql_with_params()
    sql = (
        f"WITH recent (id, email, phone) AS ({recent_sql}) "  # noqa: S608 - Django's query, with parameters
        "(SELECT 'email', array_agg(id ORDER BY id) FROM recent WHERE email <> '' "
        " GROUP BY lower(email) HAVING count(*) > 1 ORDER BY count(*) DESC, lower(email) LIMIT %s) "
        "UNION ALL "
        f"(SELECT 'phone', array_agg(id ORDER BY id) FROM recent WHERE length({PHONE_DIGITS_SQL}) >= 6 "
        f" GROUP BY {PHONE_DIGITS_SQL} HAVING count(*) > 1 ORDER BY count(*) DESC, {PHONE_DIGITS_SQL} LIMIT %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, GROUP_LIMIT, GROUP_LIMIT])
        rows = cursor.fetchall()
    for kind, ids in rows:
        reason = REASON_EMAIL if kind == "email" else REASON_PHONE
        first, *others = ids
        for other in others:
            _add_pair(pairs, first, other, reason)


def _name_pairs(pairs, scoped):
    recent = scoped.order_by("-updated_at").values("pk", "name")[:NAME_SCAN_LIMIT]
    recent_sql, params = recent.query.sql_with_params()
    sql = (
        f"WITH recent (id, name) AS ({recent_sql}) "  # noqa: S608 - the inner query is Django's, with parameters
        "SELECT a.id, a.name, b.id, b.name FROM recent a JOIN recent b "
        "ON a.id < b.id AND upper(a.name) %% upper(b.name) "
        "ORDER BY similarity(upper(a.name), upper(b.name)) DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, NAME_PAIR_LIMIT])
        rows = cursor.fetchall()
    for a_id, a_name, b_id, b_name in rows:
        similarity = name_similarity(normalise_name(a_name), normalise_name(b_name))
        if similarity >= PAIR_NAME_THRESHOLD:
            _add_pair(pairs, a_id, b_id, REASON_NAME, similarity)


def duplicate_pairs(*, user) -> list[DuplicatePair]:
    """Likely duplicate pairs among the customers ``user`` may see, strongest first.

    Two bounded queries: equal e-mails and equal phone digits (GROUP BY over the most recently
    updated customers) and trigram-similar names among the newest few hundred. The customers of a
    page are loaded afterwards with :func:`load_pair_customers`.
    """
    scoped = Customer.objects.visible_to(user)
    pairs: dict[tuple[int, int], DuplicatePair] = {}
    _exact_pairs(pairs, scoped)
    _name_pairs(pairs, scoped)
    return sorted(pairs.values(), key=lambda p: (-len(p.reasons), -p.similarity, -p.merged_id))


def load_pair_customers(*, user, pairs) -> list[DuplicatePair]:
    """Fill in the customers of ``pairs`` (one page) in one query; pairs with a customer gone or out
    of scope meanwhile are dropped."""
    ids = {pk for pair in pairs for pk in (pair.survivor_id, pair.merged_id)}
    customers = Customer.objects.visible_to(user).select_related("owner").in_bulk(ids)
    loaded = []
    for pair in pairs:
        pair.survivor, pair.merged = customers.get(pair.survivor_id), customers.get(pair.merged_id)
        if pair.survivor is not None and pair.merged is not None:
            loaded.append(pair)
    return loaded


def _with_related_counts(queryset):
    """Annotate how many rows of each related model point at the customer, in the same query."""
    annotations = {}
    for index, rel in enumerate(customer_relations()):
        model, fk = rel.related_model, rel.field.attname
        counted = (
            model._base_manager.filter(**{fk: OuterRef("pk")}).order_by().values(fk).annotate(n=Count("pk")).values("n")
        )
        annotations[f"related_{index}"] = Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
    return queryset.annotate(**annotations)


def related_counts(customer) -> list[tuple[str, int]]:
    """(verbose name plural, count) of the rows that would move, from ``_with_related_counts``."""
    counts = []
    for index, rel in enumerate(customer_relations()):
        n = getattr(customer, f"related_{index}", 0)
        if n:
            counts.append((rel.related_model._meta.verbose_name_plural, n))
    return counts


def customer_merge_pair(*, user, survivor_pk, merged_pk) -> tuple[Customer, Customer]:
    """The two customers of a merge, both visible to ``user``, or 404."""
    queryset = _with_related_counts(
        Customer.objects.visible_to(user).select_related("owner", "team").prefetch_related("tags", "groups")
    )
    survivor = get_object_or_404(queryset, pk=survivor_pk)
    merged = get_object_or_404(queryset, pk=merged_pk)
    return survivor, merged


def merge_list(*, user):
    """Merges whose kept customer the user may see, newest first."""
    return CustomerMerge.objects.filter(survivor__in=Customer.objects.visible_to(user).values("pk")).select_related(
        "survivor", "merged_by", "undone_by"
    )


def merge_get(*, user, pk) -> CustomerMerge:
    return get_object_or_404(merge_list(user=user), pk=pk)
