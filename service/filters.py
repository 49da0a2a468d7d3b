import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.filters import ListFilterSet, SortFilter
from customers.search import normalise_text, of_customers_matching, text_condition
from sales.models import Product

from .models import Queue, Ticket


class TicketFilter(ListFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": _("Number, subject or customer"), "type": "search"}),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Ticket.Status.choices)
    type = django_filters.ChoiceFilter(label=_("Type"), choices=Ticket.Type.choices)
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Ticket.Priority.choices)
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Ticket.Channel.choices)
    queue = django_filters.ModelChoiceFilter(label=_("Queue"), queryset=Queue.objects.all())
    product = django_filters.ModelChoiceFilter(label=_("Product"), queryset=Product.objects.order_by("name", "pk"))
    sort = SortFilter(
        label=_("Sort"),
        fields=(("created_at", "created"), ("resolution_due_at", "due"), ("priority", "priority")),
        field_labels={"created_at": _("Created"), "resolution_due_at": _("Resolution due"), "priority": _("Priority")},
    )

    class Meta:
        model = Ticket
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip().lstrip("#")
        if not value:
            return queryset
        text = normalise_text(value)
        condition = text_condition(text) | of_customers_matching(text)
        if value.isdigit():
            condition |= Q(pk=int(value))
        return queryset.filter(condition)
