"""Reads of customer records for a user. Every query starts from the record scope."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Contact, Customer, CustomerGroup, Tag
from .search import normalise_text


def customer_list(*, user, data=None):
    """Customers visible to ``user`` as a filter set over the query ``data``; ``.qs`` is the page's rows
    with owner and tags loaded in bulk."""
    from .filters import CustomerFilter

    queryset = Customer.objects.visible_to(user).select_related("owner").prefetch_related("tags")
    return CustomerFilter(data or None, queryset=queryset, user=user)


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


def contact_list(*, user, text=""):
    queryset = Contact.objects.visible_to(user).select_related("customer")
    text = normalise_text(text)
    if text:
        queryset = queryset.filter(Q(name__icontains=text) | Q(email__icontains=text) | Q(mobile__contains=text))
    return queryset.order_by("name", "id")


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
