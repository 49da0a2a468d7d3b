"""``{% customer_rows page %}``: the rows of the customer list's table (customers/partials/customer_table.html), drawn
in Python.

Through the template each of a page's 25 rows resolved a dozen variables, a choice label, an address, a loop over
its tags and a date filter: the table was the largest part of the list page's own work (bench/README.md, issue 18).
What is the same for every row is looked up once per page, with the helpers every list's rows share
(crm/table_rows.py). The markup is the template's own, character for character (tests/customers/test_customer_rows.py
draws both).
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from crm.table_rows import choice_labels, date_cell, detail_url, escape
from customers.models import Customer

register = template.Library()


@register.simple_tag
def customer_rows(page):
    """``page``: rows of customers.selectors.customer_list_rows (values, not model instances)."""
    customers = list(page)
    if not customers:
        # Translated outside the f-string: makemessages does not look inside one.
        empty = escape(gettext("No customers match."))
        return mark_safe(f'\n      <tr><td colspan="9" class="text-center text-muted py-4">{empty}</td></tr>\n    ')  # noqa: S308
    url = detail_url("customers:customer-detail")
    stages = choice_labels(Customer.Lifecycle.choices)
    created = date_cell("SHORT_DATE_FORMAT")
    parts = []
    for customer in customers:
        pk, name = customer["pk"], escape(customer["name"])
        stage = customer["lifecycle_stage"]
        stage = stages[stage] if stage in stages else escape(stage)
        tags = "".join(
            f'<span class="badge tag-badge" data-colour="{escape(tag.colour)}">{escape(tag)}</span> '
            for tag in customer["tags"]
        )
        parts.append(
            f"\n      <tr>"
            f'\n        <td><input type="checkbox" class="form-check-input row-select" name="ids" value="{pk}"'
            f' aria-label="{name}"></td>'
            f'\n        <td><a href="{url(pk)}">{name}</a></td>'
            f"\n        <td>{stage}</td>"
            f"\n        <td>{escape(customer['level'])}</td>"
            f'\n        <td class="d-none d-md-table-cell text-nowrap">{escape(customer["phone"])}</td>'
            f'\n        <td class="d-none d-lg-table-cell">{escape(customer["email"])}</td>'
            f"\n        <td>{escape(customer['owner'])}</td>"
            f'\n        <td class="d-none d-md-table-cell">{tags}</td>'
            f'\n        <td class="d-none d-lg-table-cell">{created(customer["created_at"])}</td>'
            f"\n      </tr>\n    "
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
