"""Who a send reaches: members of a customer group among the customers the acting user may see."""

from django.http import QueryDict

from customers.filters import CustomerFilter
from customers.models import Customer, CustomerGroup


def group_members(*, user, group: CustomerGroup, customers=None):
    """The group's customers (a static list or a saved filter) within ``user``'s scope, not erased."""
    customers = customers if customers is not None else Customer.objects.visible_to(user)
    customers = customers.filter(erased_at__isnull=True)
    return CustomerFilter(QueryDict(f"group={group.pk}"), queryset=customers, user=user).qs.order_by("pk")
