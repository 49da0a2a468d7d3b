"""``{% ticket_rows page now %}``: the rows of the ticket list's table (service/partials/ticket_table.html), drawn in
Python as crm/table_rows.py describes.

The markup is the template's own loop, character for character (tests/service/test_ticket_rows.py draws both).
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from crm.table_rows import choice_labels, date_cell, detail_url, escape

from ..models import Ticket

register = template.Library()


def _label(labels, value) -> str:
    return labels[value] if value in labels else escape(value)


@register.simple_tag
def ticket_rows(page, now):
    """``now``: the request's moment; an open ticket due before it shows its due date in red."""
    tickets = list(page)
    if not tickets:
        # Translated outside the f-string: makemessages does not look inside one.
        empty = escape(gettext("No tickets here."))
        return mark_safe(f'\n    <tr><td colspan="9" class="text-center text-muted py-4">{empty}</td></tr>\n  ')  # noqa: S308
    url = detail_url("service:ticket-detail")
    types, priorities, statuses = (
        choice_labels(Ticket._meta.get_field(name).flatchoices) for name in ("type", "priority", "status")
    )
    due_cell = date_cell("SHORT_DATETIME_FORMAT")
    follow_up, paused = escape(gettext("Follow up")), escape(gettext("paused"))
    follow_up = f' <span class="badge text-bg-danger">{follow_up}</span>'
    paused = f'<span class="text-muted"><i class="bi bi-pause-circle"></i> {paused}</span>'
    parts = []
    for ticket in tickets:
        address = url(ticket.pk)
        due = ticket.resolution_due_at
        if ticket.sla_paused_at:
            due_text = paused
        elif due:
            late = ' class="text-danger fw-semibold"' if ticket.is_open and due < now else ""
            due_text = f"<span{late}>{due_cell(due)}</span>"
        else:
            due_text = "—"
        assignee = ticket.assignee
        flag = follow_up if ticket.needs_follow_up else ""
        priority = _label(priorities, ticket.priority)
        parts.append(
            "\n    <tr>"
            f'\n      <td><a href="{address}">{escape(ticket.number)}</a></td>'
            f'\n      <td><a href="{address}">{escape(ticket.subject)}</a>{flag}</td>'
            f"\n      <td>{escape(ticket.customer.name)}</td>"
            f"\n      <td>{_label(types, ticket.type)}</td>"
            f'\n      <td><span class="badge {escape(ticket.priority_badge)}">{priority}</span></td>'
            f'\n      <td><span class="badge {escape(ticket.status_badge)}" data-status="{escape(ticket.status)}">'
            f"{_label(statuses, ticket.status)}</span></td>"
            f'\n      <td class="d-none d-md-table-cell">{escape(ticket.queue.name)}</td>'
            f'\n      <td class="d-none d-md-table-cell">{escape(assignee) if assignee else "—"}</td>'
            f'\n      <td class="text-nowrap">{due_text}</td>'
            "\n    </tr>\n  "
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
