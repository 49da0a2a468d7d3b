"""``{% customer_insight customer as insight %}``: the quality, churn-risk and value-segment panel's data."""

from django import template

from customers import selectors

register = template.Library()


@register.simple_tag
def customer_insight(customer):
    return selectors.customer_insight(customer=customer)
