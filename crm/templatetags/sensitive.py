"""``{{ value|masked:perms.customers.view_sensitive_customer }}``: the value, or its masked form."""

from django import template

from crm.crypto import mask

register = template.Library()


@register.filter
def masked(value, allowed):
    return value if allowed else mask(value)
