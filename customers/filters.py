from datetime import datetime, time, timedelta
from functools import partial

import django_filters
from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import assignable_users, assignable_users_key
from crm.filters import ListFilterSet, SortFilter
from crm.forms import DatePicker
from crm.scope import Module

from .models import Communication, Customer, CustomerGroup, Tag
from .search import customer_search, customers_named, normalise_text
from .services.quality import quality_threshold
from .services.segments import CHURN_HIGH


def _limit_owners(filterset, user) -> None:
    module = Module.CUSTOMERS
    filterset.limit_choices(
        "owner", partial(assignable_users, user=user, module=module), key=assignable_users_key(user=user, module=module)
    )


class CustomerFilter(ListFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": _("Name, phone, e-mail or contact"), "type": "search"}),
    )
    lifecycle_stage = django_filters.ChoiceFilter(label=_("Lifecycle stage"), choices=Customer.Lifecycle.choices)
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Customer.Level.choices)
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=Customer.Kind.choices)
    industry = django_filters.ChoiceFilter(label=_("Industry"), choices=Customer.Industry.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Customer.Source.choices)
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=None)
    tag = django_filters.ModelChoiceFilter(label=_("Tag"), field_name="tags", queryset=Tag.objects.all())
    group = django_filters.ModelChoiceFilter(
        label=_("Group"), queryset=CustomerGroup.objects.all(), method="filter_group"
    )
    created_after = django_filters.DateFilter(
        label=_("Created from"), field_name="created_at", lookup_expr="date__gte",
        widget=DatePicker(),
    )  # fmt: skip
    created_before = django_filters.DateFilter(
        label=_("Created until"), field_name="created_at", lookup_expr="date__lte",
        widget=DatePicker(),
    )  # fmt: skip
    quality = django_filters.ChoiceFilter(
        label=_("Data quality"),
        choices=[("incomplete", _("Incomplete")), ("complete", _("Complete"))],
        method="filter_quality",
    )
    churn = django_filters.ChoiceFilter(
        label=_("Churn risk"), choices=[("high", _("High churn risk"))], method="filter_churn"
    )
    sort = SortFilter(
        label=_("Sort"),
        fields=(("name", "name"), ("created_at", "created"), ("updated_at", "updated"), ("level", "level")),
        field_labels={"name": _("Name"), "created_at": _("Created"), "updated_at": _("Updated"), "level": _("Level")},
    )

    class Meta:
        model = Customer
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        _limit_owners(self, user)

    def filter_search(self, queryset, name, value):
        return customer_search(queryset, value)

    def filter_quality(self, queryset, name, value):
        """Incomplete: a data-quality score below QUALITY_THRESHOLD (customers/services/quality.py)."""

        if value == "incomplete":
            return queryset.filter(quality_score__lt=quality_threshold())
        return queryset.filter(quality_score__gte=quality_threshold())

    def filter_churn(self, queryset, name, value):
        return queryset.filter(churn_score__gte=CHURN_HIGH)

    def filter_group(self, queryset, name, group):
        if group.kind == CustomerGroup.Kind.FILTER:
            data = QueryDict(group.filter_query)
            if "group" in data:  # a saved filter never refers to groups, so it cannot loop
                data = data.copy()
                data.pop("group")
            return CustomerFilter(data, queryset=queryset, user=self.user).qs
        return queryset.filter(groups=group)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by("-created_at", "-id")
        return queryset


class CommunicationFilter(ListFilterSet):
    """Communication records across customers: by channel, who recorded them, when, and customer name."""

    customer = django_filters.CharFilter(
        label=_("Customer"),
        method="filter_customer",
        widget=forms.TextInput(attrs={"placeholder": _("Customer name"), "type": "search"}),
    )
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Communication.Channel.choices)
    owner = django_filters.ModelChoiceFilter(label=_("Recorded by"), queryset=None)
    # Days are turned into a range of the stored moments (local midnight to midnight), which the occurred_at indexes
    # answer; a condition on the moment's date would have to compute it for every row.
    occurred_after = django_filters.DateFilter(label=_("From"), method="filter_from", widget=DatePicker())
    occurred_before = django_filters.DateFilter(label=_("Until"), method="filter_until", widget=DatePicker())

    class Meta:
        model = Communication
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_owners(self, user)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).order_by("-occurred_at", "-id")

    def filter_customer(self, queryset, name, value):
        text = normalise_text(value)
        if not text:
            return queryset
        named = customers_named(text)
        if named is not None:
            return queryset.filter(customer_id__in=named)
        # A common word: PostgreSQL joins the matching customers by hash, a page in 30 ms.
        return queryset.filter(customer__in=customer_search(Customer.objects.all(), text).values("pk"))

    def filter_from(self, queryset, name, value):
        return queryset.filter(occurred_at__gte=_local_midnight(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(occurred_at__lt=_local_midnight(value + timedelta(days=1)))


def _local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))
