"""The ticket list's rows are drawn in Python ({% ticket_rows %}, service/templatetags/ticket_rows.py) with the
markup the template loop drew, character for character: the browser journeys and the page's script read it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from service import selectors
from service.models import Ticket
from tests.factories import CustomerFactory, UserFactory

from .factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db

# The loop service/partials/ticket_table.html had before the rows were drawn in Python.
TICKET_LOOP = (
    "{% load i18n %}{% for ticket in page %}{% with url=ticket.get_absolute_url due=ticket.resolution_due_at %}\n"
    "    <tr>\n"
    '      <td><a href="{{ url }}">{{ ticket.number }}</a></td>\n'
    '      <td><a href="{{ url }}">{{ ticket.subject }}</a>{% if ticket.needs_follow_up %} <span class="badge'
    ' text-bg-danger">{% translate "Follow up" %}</span>{% endif %}</td>\n'
    "      <td>{{ ticket.customer.name }}</td>\n"
    "      <td>{{ ticket.get_type_display }}</td>\n"
    '      <td><span class="badge {{ ticket.priority_badge }}">{{ ticket.get_priority_display }}</span></td>\n'
    '      <td><span class="badge {{ ticket.status_badge }}" data-status="{{ ticket.status }}">'
    "{{ ticket.get_status_display }}</span></td>\n"
    '      <td class="d-none d-md-table-cell">{{ ticket.queue.name }}</td>\n'
    '      <td class="d-none d-md-table-cell">{{ ticket.assignee|default:"—" }}</td>\n'
    '      <td class="text-nowrap">{% if ticket.sla_paused_at %}<span class="text-muted"><i class="bi'
    ' bi-pause-circle"></i> {% translate "paused" %}</span>{% elif due %}<span{% if ticket.is_open and due < now %}'
    ' class="text-danger fw-semibold"{% endif %}>{{ due|date:"SHORT_DATETIME_FORMAT" }}</span>{% else %}—{% endif %}'
    "</td>\n"
    "    </tr>{% endwith %}\n"
    "  {% empty %}\n"
    '    <tr><td colspan="9" class="text-center text-muted py-4">{% translate "No tickets here." %}</td></tr>\n'
    "  {% endfor %}"
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _both(page, now=NOW):
    context = {"page": list(page), "now": now}
    template = Template(TICKET_LOOP).render(Context(context))
    python = Template("{% load ticket_rows %}{% ticket_rows page now %}").render(Context(context))
    return template, python


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/Los_Angeles"])
def test_ticket_rows_are_the_templates_own_markup(language, zone):
    odd = UserFactory(username="o<wner>", first_name='Ann "A&B"', last_name="O'Neil")
    customer = CustomerFactory(name='<script>alert("x")</script> & Co\'s')
    queue = QueueFactory(name="<Hotline> & 'VIP'")
    hour = timedelta(hours=1)
    TicketFactory(customer=customer, queue=queue, subject="<b>Jam</b> & 'smoke'", assignee=odd,
                  needs_follow_up=True, resolution_due_at=NOW - hour, type=Ticket.Type.COMPLAINT,
                  priority=Ticket.Priority.URGENT)  # fmt: skip  # open and late: red
    TicketFactory(resolution_due_at=NOW + hour, status=Ticket.Status.IN_PROGRESS)  # open, not late yet
    TicketFactory(resolution_due_at=NOW - hour, status=Ticket.Status.RESOLVED, assignee=UserFactory())  # not red
    TicketFactory(resolution_due_at=NOW - hour, sla_paused_at=NOW - 2 * hour, status=Ticket.Status.WAITING)
    TicketFactory(resolution_due_at=None, status=Ticket.Status.CLOSED, type=Ticket.Type.FAULT)
    tickets = selectors.ticket_list(user=UserFactory(is_superuser=True), data={"view": "all"})[0].qs.order_by("pk")
    with translation.override(language), timezone.override(zone):
        template, python = _both(tickets)
    assert python == template
    assert "&lt;script&gt;" in python and "<script>" not in python
    assert python.count("text-danger fw-semibold") == 1 and "bi-pause-circle" in python


def test_an_empty_page_says_so_as_before():
    with translation.override("zh-hans"):
        template, python = _both([])
    assert python == template
    assert '<td colspan="9"' in python
