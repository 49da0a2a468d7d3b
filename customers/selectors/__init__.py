"""Reads of customer records for a user. Every query starts from the record scope."""

from datetime import datetime, time, timedelta

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import BigIntegerField, Count, Q
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404
from django.utils import timezone

from crm.names import full_name

from ..filters import CommunicationFilter, CustomerFilter
from ..models import Communication, Contact, Customer, CustomerGroup, FollowUpTask, Tag
from ..search import contact_search
from ..services.quality import QUALITY_BUCKETS, quality_label, quality_threshold
from ..services.segments import CHURN_HIGH, churn_reason_label, rfm_segment_label

# What the list's table shows (customers/templatetags/customer_table.py): a page's rows are these values. Every other
# column was read and converted for nothing — the encrypted ID number decrypted on every row (2.5 of a page's ~14 ms,
# bench/README.md) — and 25 customers and their owners built as model instances, each walking every field of its
# model, cost ~0.9 of the page's ~11 ms against ~0.1 for values.
LIST_VALUES = (
    "pk", "name", "lifecycle_stage", "level", "phone", "email", "created_at",
    "owner__first_name", "owner__last_name", "owner__username",
)  # fmt: skip


def customer_filter(*, user, data=None):
    """Customers visible to ``user`` as a filter set over the query ``data``, without the search columns (only a
    search's conditions read them, and they are the row's largest): what the list, its export and the API share."""
    queryset = Customer.objects.visible_to(user).defer("search_document", "search_grams")
    return CustomerFilter(data or None, queryset=queryset, user=user)


def customer_list(*, user, data=None):
    """:func:`customer_filter` for the list page: ``.qs`` is the rows the table shows as values (``LIST_VALUES``)
    with each row's tag ids (``tag_ids``); :func:`customer_list_rows` makes a page of them ready to draw."""
    filterset = customer_filter(user=user, data=data)
    filterset.queryset = filterset.queryset.annotate(tag_ids=_link_ids(Customer.tags.through, "tag_id")).values(
        *LIST_VALUES, "tag_ids"
    )
    return filterset


def customer_list_rows(rows) -> list[dict]:
    """A page of :func:`customer_list`'s ``rows``, each with its owner's name (``owner``) and its tags in name order
    (``tags``): the page's tags are one query of the tag table's primary key, none when no row has a tag. A prefetch
    joined the link table to the tags through Django's prefetch machinery: 1.5 of the list's ~11 ms, against ~0.5."""
    rows = list(rows)
    wanted = {pk for row in rows for pk in row["tag_ids"]}
    tags = list(Tag.objects.filter(pk__in=wanted).only("name", "colour")) if wanted else []
    rank = {tag.pk: (position, tag) for position, tag in enumerate(tags)}
    for row in rows:
        row["owner"] = full_name(row["owner__first_name"], row["owner__last_name"], row["owner__username"])
        row["tags"] = [tag for _position, tag in sorted(rank[pk] for pk in row["tag_ids"] if pk in rank)]
    return rows


def _link_ids(through, column):
    """The ids a row links to through the many-to-many table ``through`` (its ``column``), read by the row's own
    subquery of the link table's index. Written as SQL: an ``ArraySubquery`` of a queryset took ~0.4 ms a request to
    build and compile, a third of the rows query's own. It names the customer table as the outermost query of a
    queryset does (its base table is never aliased) and is only ever selected, never filtered or ordered on."""
    quote = connection.ops.quote_name
    link, target = quote(through._meta.db_table), quote(column)
    source = quote(through._meta.get_field("customer").column)
    outer = f"{quote(Customer._meta.db_table)}.{quote(Customer._meta.pk.column)}"
    sql = f"ARRAY(SELECT {link}.{target} FROM {link} WHERE {link}.{source} = {outer})"  # noqa: S608 - our own table and column names
    return RawSQL(sql, (), output_field=ArrayField(BigIntegerField()))  # noqa: S611 - no value of a request in it


def customer_api_list(*, user, data=None):
    """:func:`customer_filter` for the API: the page's rows carry their tag and group ids (``tag_ids``,
    ``group_ids``, read by each row's own subquery of the link tables' indexes) instead of prefetched managers and
    no owner row (the API shows its id)."""
    filterset = customer_filter(user=user, data=data)
    Tags, Groups = Customer.tags.through, Customer.groups.through
    filterset.queryset = filterset.queryset.annotate(
        tag_ids=_link_ids(Tags, "tag_id"), group_ids=_link_ids(Groups, "customergroup_id")
    )
    return filterset


def customer_get(*, user, pk) -> Customer:
    """One customer the user may see, or 404."""
    queryset = Customer.objects.visible_to(user).select_related("owner", "team", "created_by", "updated_by")
    return get_object_or_404(queryset, pk=pk)


def customer_detail(*, user, pk) -> Customer:
    customer = get_object_or_404(
        Customer.objects.visible_to(user)
        .select_related("owner", "team", "created_by", "updated_by")
        .prefetch_related("tags", "groups", "contacts"),
        pk=pk,
    )
    return customer


def customer_history(*, customer, limit=50):
    """Field-level changes of the customer and its contacts, newest first, in two queries."""
    own = list(customer.history.select_related("history_user").order_by("-history_date")[: limit + 1])
    contacts = list(
        Contact.history.filter(customer_id=customer.pk)
        .select_related("history_user")
        .order_by("-history_date")[: limit * 2]
    )
    # Each record is compared with the one before it of the same object, already in memory.
    previous = {}
    for record in sorted(own + contacts, key=lambda r: r.history_date):
        key = (record.instance_type, record.id)
        record.previous_in_memory = previous.get(key)
        previous[key] = record
    entries = []
    for record in sorted(own + contacts, key=lambda r: r.history_date, reverse=True)[:limit]:
        meta = record.instance_type._meta
        entry = {"record": record, "object": meta.verbose_name, "changes": []}
        before = record.previous_in_memory
        if before is not None and record.history_type == "~":
            for change in record.diff_against(before, foreign_keys_are_objs=False).changes:
                entry["changes"].append(
                    {"field": meta.get_field(change.field).verbose_name, "old": change.old, "new": change.new}
                )
        entries.append(entry)
    return entries


def customers_in(*, user, ids):
    """The subset of ``ids`` the user may see: bulk actions never reach past the scope."""
    return Customer.objects.visible_to(user).filter(pk__in=ids)


def customers_by_keys(*, user, ids=(), external_ids=(), lock=False) -> tuple[dict, dict]:
    """The customers a bulk write names, in two queries: ``({pk: customer}, {external_id: pk})`` — the first
    only those ``user`` may see (tags and groups loaded; locked for the transaction with ``lock``),
    the second every holder of the external ids, so that a record outside the scope is told apart from a new
    one (it answers 404 and is never created twice)."""
    visible = {}
    if ids or external_ids:
        condition = Q(pk__in=list(ids)) | Q(external_id__in=list(external_ids))
        queryset = Customer.objects.visible_to(user).filter(condition)
        if lock:
            queryset = queryset.select_for_update(of=("self",))
        queryset = queryset.prefetch_related("tags", "groups")
        visible = {customer.pk: customer for customer in queryset}
    held = dict(Customer.objects.filter(external_id__in=list(external_ids)).values_list("external_id", "pk"))
    return visible, held


def contact_list(*, user, text=""):
    queryset = contact_search(Contact.objects.visible_to(user), text).select_related("customer")
    if not text.strip():
        return queryset.order_by("name", "id")
    # A search shows its matches newest first. In name order the matches of a common word cluster (a Chinese given
    # name sits after every Latin name in code-point order): PostgreSQL had either to sort all of them (`建华`: 60,000
    # contacts, 0.4 s) or to walk the name index past half a million rows that cannot match. Newest first does not
    # depend on the text, so a common word is read down the primary key until the page is full (1,000 rows for
    # `建华`) and a rare one through the search index, its few matches sorted: PostgreSQL picks by its estimate
    # of the matches, and either way the page is the same.
    return queryset.order_by("-id")


def contact_get(*, user, customer_pk, pk) -> Contact:
    return get_object_or_404(
        Contact.objects.visible_to(user).select_related("customer"), pk=pk, customer_id=customer_pk
    )


def my_numbers(*, user) -> dict:
    """The signed-in user's own figures for the home page, in one query."""
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    stage = Customer.Lifecycle
    return Customer.objects.filter(owner=user).aggregate(
        mine=Count("pk"),
        mine_this_month=Count("pk", filter=Q(created_at__gte=month_start)),
        mine_prospects=Count("pk", filter=Q(lifecycle_stage=stage.PROSPECT)),
        mine_customers=Count("pk", filter=Q(lifecycle_stage=stage.CUSTOMER)),
        mine_vip=Count("pk", filter=Q(lifecycle_stage=stage.VIP)),
        mine_churned=Count("pk", filter=Q(lifecycle_stage=stage.CHURNED)),
    )


def recent_customers(*, user, limit=8):
    return Customer.objects.visible_to(user).select_related("owner").order_by("-updated_at")[:limit]


def tag_choices():
    return Tag.objects.all()


def group_choices():
    return CustomerGroup.objects.all()


def communication_list(*, user, data=None):
    """Communication records visible to ``user`` as a filter set; ``.qs`` has customer, contact, owner loaded."""

    queryset = Communication.objects.visible_to(user).select_related("customer", "contact", "owner")
    return CommunicationFilter(data or None, queryset=queryset, user=user)


def communications_recent(*, customer, limit=10):
    """The latest communications with a customer the caller already scoped, in one query."""
    return list(
        Communication.objects.filter(customer=customer)
        .select_related("contact", "owner")
        .order_by("-occurred_at", "-id")[:limit]
    )


def communication_get(*, user, pk) -> Communication:
    return get_object_or_404(Communication.objects.visible_to(user).select_related("customer", "contact"), pk=pk)


def task_get(*, user, pk) -> FollowUpTask:
    return get_object_or_404(FollowUpTask.objects.visible_to(user).select_related("customer"), pk=pk)


def tasks_open_for_customer(*, customer, limit=10):
    return list(
        FollowUpTask.objects.filter(customer=customer, status=FollowUpTask.Status.OPEN)
        .select_related("assignee")
        .order_by("due_at", "id")[:limit]
    )


def my_tasks(*, user, limit=50) -> dict:
    """The user's open tasks as overdue (before today), today and upcoming, "today" in the active time zone.

    Each section is one query of at most ``limit`` rows (plus one to tell that there are more).
    """
    now = timezone.localtime()
    start = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
    end = datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=now.tzinfo)
    tasks = (
        FollowUpTask.objects.visible_to(user)
        .filter(assignee=user, status=FollowUpTask.Status.OPEN)
        .select_related("customer", "contact")
    )
    sections = {
        "overdue": tasks.filter(due_at__lt=start).order_by("due_at", "id"),
        "today": tasks.filter(due_at__gte=start, due_at__lt=end).order_by("due_at", "id"),
        "upcoming": tasks.filter(due_at__gte=end).order_by("due_at", "id"),
    }
    result = {"now": now}
    for name, queryset in sections.items():
        rows = list(queryset[: limit + 1])
        result[name], result[f"{name}_more"] = rows[:limit], len(rows) > limit
    return result


# --- data quality, privacy and segments (customers/services/quality.py, privacy.py, segments.py)


def quality_distribution(*, user) -> dict:
    """How many customers visible to ``user`` fall in each quality bucket, in one aggregate query;
    ``{"labels": ["0–39", …], "values": [n, …]}`` ready for a bar chart."""
    counts = Customer.objects.visible_to(user).aggregate(
        **{
            f"b{low}": Count("pk", filter=Q(quality_score__gte=low, quality_score__lte=high))
            for low, high in QUALITY_BUCKETS
        }
    )
    return {
        "labels": [f"{low}–{high}" for low, high in QUALITY_BUCKETS],
        "values": [counts[f"b{low}"] for low, _high in QUALITY_BUCKETS],
    }


def marketable_customers(queryset):
    """The customers of ``queryset`` that may receive marketing: not withdrawn, not erased.
    Every marketing send (e-mail, SMS, invitations) starts from this."""
    return queryset.exclude(consent=Customer.Consent.WITHDRAWN).filter(erased_at__isnull=True)


def customer_insight(*, customer) -> dict:
    """Quality, churn risk and value segment of a loaded customer, with translated labels (no query)."""

    return {
        "quality_score": customer.quality_score,
        "quality_low": customer.quality_score < quality_threshold(),
        "quality_missing": [quality_label(code) for code in customer.quality_missing or []],
        "churn_score": customer.churn_score,
        "churn_high": customer.churn_score >= CHURN_HIGH,
        "churn_reasons": [churn_reason_label(code) for code in customer.churn_reasons or []],
        "rfm_segment": rfm_segment_label(customer.rfm_segment) if customer.rfm_segment else "",
        "consent_choices": Customer.Consent.choices,
    }


def contact_by_id(*, user, pk) -> Contact:
    """One contact the user may see, by its own id (the API's address for it), or 404."""
    return get_object_or_404(Contact.objects.visible_to(user).select_related("customer"), pk=pk)
