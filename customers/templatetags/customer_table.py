"""``{% customer_rows page %}``: the rows of the customer list's table (customers/partials/customer_table.html), drawn
in Python.

Through the template each of a page's 25 rows resolved a dozen variables, a choice label, an address, a loop over
its tags and a date filter: the table was the largest part of the list page's own work (bench/README.md, issue 18).
What is the same for every row — the address pattern, the stage labels, the date format — is looked up once per
page. The markup is the template's own, character for character (tests/customers/test_customer_rows.py draws both).
"""

from html import escape as _escape

from django import template
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from customers.models import Customer

register = template.Library()

# A primary key no customer has, reversed once and replaced by each row's own.
_PLACEHOLDER_PK = 987654321


def escape(value) -> str:
    # django.utils.html.escape's own escaping (html.escape of str()), without its check of every argument for a lazy
    # translation: a page escapes some 300 values.
    return _escape(str(value))


@register.simple_tag
def customer_rows(page):
    customers = list(page)
    if not customers:
        return mark_safe(  # noqa: S308 - a translated text, escaped
            f'\n      <tr><td colspan="9" class="text-center text-muted py-4">{escape(gettext("No customers match."))}'
            f"</td></tr>\n    "
        )
    before, after = reverse("customers:customer-detail", args=[_PLACEHOLDER_PK]).split(str(_PLACEHOLDER_PK))
    before, after = escape(before), escape(after)
    stages = {value: escape(label) for value, label in Customer.Lifecycle.choices}
    date_format = formats.get_format("SHORT_DATE_FORMAT")
    dates = {}  # a page's rows were mostly created on a few days: each day is formatted once
    parts = []
    for customer in customers:
        name = escape(customer.name)
        stage = customer.lifecycle_stage
        stage = stages[stage] if stage in stages else escape(stage)
        tags = "".join(
            f'<span class="badge tag-badge" data-colour="{escape(tag.colour)}">{escape(tag)}</span> '
            for tag in customer.tag_list
        )
        created = customer.created_at
        if created is not None and timezone.is_aware(created):
            created = timezone.localtime(created)
        if created is not None:
            day = created.date()
            if day not in dates:
                dates[day] = escape(dateformat.format(created, date_format))
            created = dates[day]
        else:
            created = ""
        parts.append(
            f"\n      <tr>"
            f'\n        <td><input type="checkbox" class="form-check-input row-select" name="ids" value="{customer.pk}"'
            f' aria-label="{name}"></td>'
            f'\n        <td><a href="{before}{customer.pk}{after}">{name}</a></td>'
            f"\n        <td>{stage}</td>"
            f"\n        <td>{escape(customer.level)}</td>"
            f'\n        <td class="d-none d-md-table-cell text-nowrap">{escape(customer.phone)}</td>'
            f'\n        <td class="d-none d-lg-table-cell">{escape(customer.email)}</td>'
            f"\n        <td>{escape(customer.owner)}</td>"
            f'\n        <td class="d-none d-md-table-cell">{tags}</td>'
            f'\n        <td class="d-none d-lg-table-cell">{created}</td>'
            f"\n      </tr>\n    "
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
