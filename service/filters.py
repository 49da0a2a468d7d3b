import django_filters
from django import forms
from django.db.models import BooleanField, OuterRef, Q, Subquery, Value
from django.utils.translation import gettext_lazy as _

from crm.filters import SortFilter
from crm.widgets import render_in_python
from customers.models import Customer
from customers.search import customer_search, normalise_text, text_condition
from sales.models import Product

from .models import Queue, Ticket

# Up to this many customers matching a search are named in the ticket query; more are checked ticket by ticket.
CUSTOMERS_NAMED = 1000


def customer_condition(text: str):
    """Tickets of the customers whose search document matches ``text`` (normalised, non-empty).

    A few customers are looked up first and named, so that PostgreSQL reads their tickets through the customer
    index. A common word (`物流` is in 60,000 customers' names) is checked ticket by ticket as the newest tickets are
    read, each through the customer's primary key, until the page is full: hashing every matching customer took
    0.15 s a page. Either way the tickets are the same; one query decides, by how many customers it finds.
    """
    customers = customer_search(Customer.objects.all(), text)
    named = list(customers.order_by().values_list("pk", flat=True)[: CUSTOMERS_NAMED + 1])
    if len(named) <= CUSTOMERS_NAMED:
        return Q(customer_id__in=named)
    # A scalar subquery, not EXISTS: PostgreSQL would hash every matching customer for an EXISTS in an OR.
    matches = customers.order_by().filter(pk=OuterRef("customer_id")).values(matches=Value(True))[:1]
    return Q(Subquery(matches, output_field=BooleanField()))


class TicketFilter(django_filters.FilterSet):
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)
        render_in_python(self.form)

    def filter_search(self, queryset, name, value):
        value = value.strip().lstrip("#")
        if not value:
            return queryset
        text = normalise_text(value)
        condition = text_condition(text) | customer_condition(text)
        if value.isdigit():
            condition |= Q(pk=int(value))
        return queryset.filter(condition)
