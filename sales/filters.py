from datetime import timedelta
from functools import partial

import django_filters
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import assignable_users, assignable_users_key
from crm.filters import ListFilterSet, SortFilter
from crm.forms import DatePicker
from crm.scope import Module
from customers.models import Customer
from customers.search import text_search

from .models import Contract, Currency, Lead, Opportunity, Order, Pipeline, Product, ProductCategory, Stage


def _date(label, field, lookup):
    return django_filters.DateFilter(label=label, field_name=field, lookup_expr=lookup, widget=DatePicker())


class StyledFilterSet(ListFilterSet):
    """``owner`` (when present) limited to the users in scope."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "owner" in self.filters and user is not None:
            module = Module.SALES
            self.limit_choices(
                "owner",
                partial(assignable_users, user=user, module=module),
                key=assignable_users_key(user=user, module=module),
            )


class ProductFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=ProductCategory.objects.all(), method="filter_category"
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Product
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(sku__icontains=value))

    def filter_category(self, queryset, name, category):
        """The category and every category below it."""
        ids, frontier = {category.pk}, [category.pk]
        while frontier:
            frontier = list(ProductCategory.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            frontier = [pk for pk in frontier if pk not in ids]
            ids.update(frontier)
        return queryset.filter(category_id__in=ids)


class LeadFilter(StyledFilterSet):
    VIEWS = [
        ("mine", _("My leads")),
        ("unassigned", _("Unassigned")),
        ("untouched", _("Untouched")),
    ]
    view = django_filters.ChoiceFilter(label=_("View"), choices=VIEWS, method="filter_view")
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Lead.Status.choices)
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=None)
    days = django_filters.NumberFilter(label=_("Untouched for days"), method="filter_days")
    sort = SortFilter(
        label=_("Sort"),
        fields=(("created_at", "created"), ("touched_at", "touched"), ("name", "name")),
        field_labels={"created_at": _("Created"), "touched_at": _("Last worked on"), "name": _("Name")},
    )

    class Meta:
        model = Lead
        fields = []

    def filter_search(self, queryset, name, value):
        return text_search(queryset, value)

    def filter_view(self, queryset, name, value):
        if value == "mine":
            return queryset.filter(owner=self.user)
        if value == "unassigned":
            return queryset.filter(owner__isnull=True)
        if value == "untouched":
            days = self.form.cleaned_data.get("days") or settings.LEAD_UNTOUCHED_DAYS
            cutoff = timezone.now() - timedelta(days=int(days))
            return queryset.filter(
                status__in=[Lead.Status.NEW, Lead.Status.CONTACTED, Lead.Status.QUALIFIED], touched_at__lt=cutoff
            )
        return queryset

    def filter_days(self, queryset, name, value):
        return queryset  # read by filter_view


class OpportunityFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    pipeline = django_filters.ModelChoiceFilter(label=_("Pipeline"), queryset=Pipeline.objects.filter(is_active=True))
    stage = django_filters.ModelChoiceFilter(label=_("Stage"), queryset=Stage.objects.select_related("pipeline"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Opportunity.Status.choices)
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=None)
    currency = django_filters.ChoiceFilter(label=_("Currency"), choices=Currency.choices)
    close_from = _date(_("Closing from"), "expected_close_date", "gte")
    close_until = _date(_("Closing until"), "expected_close_date", "lte")
    sort = SortFilter(
        label=_("Sort"),
        fields=(("created_at", "created"), ("amount", "amount"), ("expected_close_date", "close"), ("name", "name")),
        field_labels={
            "created_at": _("Created"),
            "amount": _("Amount"),
            "expected_close_date": _("Expected close date"),
            "name": _("Name"),
        },
    )

    class Meta:
        model = Opportunity
        fields = []

    def filter_search(self, queryset, name, value):
        # A subquery rather than a join, so both names are looked up through their trigram indexes.
        customers = Customer.objects.filter(name__icontains=value).values("pk")
        return queryset.filter(Q(name__icontains=value) | Q(customer__in=customers))


class OrderFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Order.Status.choices)
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=None)
    ordered_from = _date(_("Ordered from"), "ordered_on", "gte")
    ordered_until = _date(_("Ordered until"), "ordered_on", "lte")
    sort = SortFilter(
        label=_("Sort"),
        fields=(("ordered_on", "date"), ("total", "total"), ("number", "number")),
        field_labels={"ordered_on": _("Order date"), "total": _("Total"), "number": _("Number")},
    )

    class Meta:
        model = Order
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(customer__name__icontains=value))


class ContractFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Contract.Status.choices)
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=None)
    expiring = django_filters.NumberFilter(label=_("Ending within days"), method="filter_expiring")
    sort = SortFilter(
        label=_("Sort"),
        fields=(("end_date", "end"), ("start_date", "start"), ("amount", "amount")),
        field_labels={"end_date": _("End date"), "start_date": _("Start date"), "amount": _("Amount")},
    )

    class Meta:
        model = Contract
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(number__icontains=value) | Q(title__icontains=value) | Q(customer__name__icontains=value)
        )

    def filter_expiring(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(
            status=Contract.Status.ACTIVE, end_date__gte=today, end_date__lte=today + timedelta(days=int(value))
        ).order_by("end_date", "pk")
