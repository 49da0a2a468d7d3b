"""``{% contact_rows page may_see_sensitive %}`` and ``{% communication_rows page %}``: the rows of the contact and
communication lists' tables (customers/contact_list.html, customers/partials/communication_table.html), drawn in
Python as crm/table_rows.py describes.

The markup is the templates' own loop, character for character (tests/customers/test_list_rows.py draws both).
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from crm.crypto import mask
from crm.table_rows import choice_labels, date_cell, detail_url, escape

from ..models import Communication

register = template.Library()


@register.simple_tag
def contact_rows(page, may_see_sensitive):
    """``may_see_sensitive``: ``perms.customers.view_sensitive_customer``; without it mobiles are masked."""
    contacts = list(page)
    if not contacts:
        # Translated outside the f-string: makemessages does not look inside one.
        empty = escape(gettext("No contacts match."))
        return mark_safe(f'<tr><td colspan="5" class="text-center text-muted py-4">{empty}</td></tr>')  # noqa: S308
    url = detail_url("customers:customer-detail")
    primary = escape(gettext("Primary"))
    primary = f' <span class="badge text-bg-success">{primary}</span>'
    parts = []
    for contact in contacts:
        mobile = contact.mobile
        parts.append(
            f"\n    <tr><td>{escape(contact.name)}{primary if contact.is_primary else ''}</td>"
            f'\n      <td><a href="{url(contact.customer_id)}">{escape(contact.customer.name)}</a></td>'
            f"\n      <td>{escape(contact.title)}</td><td>{escape(mobile if may_see_sensitive else mask(mobile))}</td>"
            f"<td>{escape(contact.email)}</td></tr>\n  "
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@register.simple_tag
def communication_rows(page):
    communications = list(page)
    if not communications:
        empty = escape(gettext("No communications match."))
        return mark_safe(f'\n    <tr><td colspan="8" class="text-center text-muted py-4">{empty}</td></tr>\n  ')  # noqa: S308
    url = detail_url("customers:customer-detail")
    channels = choice_labels(Communication.Channel.choices)
    when = date_cell("SHORT_DATETIME_FORMAT")
    follow_up = date_cell("SHORT_DATE_FORMAT")
    parts = []
    for item in communications:
        channel = item.channel
        channel = channels[channel] if channel in channels else escape(channel)
        contact = item.contact
        contact = escape(contact.name) if contact and contact.name else ""
        parts.append(
            "\n    <tr>"
            f'\n      <td class="text-nowrap">{when(item.occurred_at)}</td>'
            f'\n      <td><a href="{url(item.customer_id)}">{escape(item.customer.name)}</a></td>'
            f"\n      <td>{channel}</td>"
            f"\n      <td>{escape(item.subject)}</td>"
            f'\n      <td class="d-none d-md-table-cell">{contact}</td>'
            f'\n      <td class="d-none d-lg-table-cell">{escape(item.result)}</td>'
            f'\n      <td class="d-none d-lg-table-cell">{follow_up(item.next_follow_up)}</td>'
            f"\n      <td>{escape(item.owner)}</td>"
            "\n    </tr>\n  "
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
