"""The contact and communication lists' rows are drawn in Python ({% contact_rows %}, {% communication_rows %},
customers/templatetags/customer_lists.py) with the markup the template loops drew, character for character: the
browser journeys and the pages' scripts read it."""

from datetime import date

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from customers import selectors
from customers.models import Communication
from tests.drawing import queries_while_drawing
from tests.factories import CommunicationFactory, ContactFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

LANGUAGES = pytest.mark.parametrize("language", ["en", "zh-hans"])
ZONES = pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/Los_Angeles"])

# The loop customers/contact_list.html had before the rows were drawn in Python.
CONTACT_LOOP = (
    "{% load i18n sensitive %}{% for contact in page %}\n"
    '    <tr><td>{{ contact.name }}{% if contact.is_primary %} <span class="badge text-bg-success">'
    '{% translate "Primary" %}</span>{% endif %}</td>\n'
    '      <td><a href="{{ contact.customer.get_absolute_url }}">{{ contact.customer.name }}</a></td>\n'
    "      <td>{{ contact.title }}</td><td>{{ contact.mobile|masked:allowed }}</td><td>{{ contact.email }}</td></tr>\n"
    '  {% empty %}<tr><td colspan="5" class="text-center text-muted py-4">{% translate "No contacts match." %}</td>'
    "</tr>{% endfor %}"
)

# The loop customers/partials/communication_table.html had before the rows were drawn in Python.
COMMUNICATION_LOOP = (
    "{% load i18n %}{% for item in page %}\n"
    "    <tr>\n"
    '      <td class="text-nowrap">{{ item.occurred_at|date:"SHORT_DATETIME_FORMAT" }}</td>\n'
    '      <td><a href="{{ item.customer.get_absolute_url }}">{{ item.customer.name }}</a></td>\n'
    "      <td>{{ item.get_channel_display }}</td>\n"
    "      <td>{{ item.subject }}</td>\n"
    '      <td class="d-none d-md-table-cell">{{ item.contact.name|default:"" }}</td>\n'
    '      <td class="d-none d-lg-table-cell">{{ item.result }}</td>\n'
    '      <td class="d-none d-lg-table-cell">{{ item.next_follow_up|date:"SHORT_DATE_FORMAT" }}</td>\n'
    "      <td>{{ item.owner }}</td>\n"
    "    </tr>\n"
    "  {% empty %}\n"
    '    <tr><td colspan="8" class="text-center text-muted py-4">{% translate "No communications match." %}</td>'
    "</tr>\n"
    "  {% endfor %}"
)


def _both(loop, tag, **context):
    context = {**context, "page": list(context["page"])}
    template = Template(loop).render(Context(context))
    python = Template(f"{{% load customer_lists %}}{tag}").render(Context(context))
    return template, python


def _odd_customer():
    owner = UserFactory(username="o<wner>", first_name='Ann "A&B"', last_name="O'Neil")
    return CustomerFactory(name='<script>alert("x")</script> & Co\'s', owner=owner)


@LANGUAGES
@pytest.mark.parametrize("allowed", [True, False])
def test_contact_rows_are_the_templates_own_markup(language, allowed):
    customer = _odd_customer()
    ContactFactory(customer=customer, name="<b>王伟</b>", title="CEO & 'founder'", email="a&b@example.com",
                   is_primary=True, mobile="+86 138-0013-8000")  # fmt: skip
    ContactFactory(customer=CustomerFactory(name="上海华信"), name="Plain", title="", email="", mobile="")
    ContactFactory(customer=customer, name="Short", mobile="1234")
    contacts = selectors.contact_list(user=UserFactory(is_superuser=True))
    with translation.override(language):
        template, python = _both(CONTACT_LOOP, "{% contact_rows page allowed %}", page=contacts, allowed=allowed)
    assert python == template
    assert "&lt;script&gt;" in python and "<script>" not in python and "text-bg-success" in python
    assert ("138-0013-8000" in python) is allowed


@LANGUAGES
@ZONES
def test_communication_rows_are_the_templates_own_markup(language, zone):
    customer = _odd_customer()
    contact = ContactFactory(customer=customer, name="<i>李娜</i> & co")
    CommunicationFactory(
        customer=customer, contact=contact, channel=Communication.Channel.WECHAT, subject="<Quote> & 'terms'",
        result='Said "yes"', next_follow_up=date(2026, 3, 2), occurred_at="2026-03-01T23:30:00+00:00",
    )  # fmt: skip
    CommunicationFactory(customer=customer, contact=ContactFactory(customer=customer, name=""),
                         occurred_at="2026-03-01T01:05:00+00:00")  # fmt: skip
    CommunicationFactory(channel=Communication.Channel.VISIT, occurred_at="2025-12-31T16:00:00+00:00")
    # The same local day an hour later: a format with a time of day is not formatted once per day.
    CommunicationFactory(customer=customer, occurred_at="2026-03-01T02:05:00+00:00")
    communications = selectors.communication_list(user=UserFactory(is_superuser=True)).qs.order_by("pk")
    with translation.override(language), timezone.override(zone):
        template, python = _both(COMMUNICATION_LOOP, "{% communication_rows page %}", page=communications)
    assert python == template
    assert "&lt;script&gt;" in python and "&lt;i&gt;李娜" in python


@LANGUAGES
def test_empty_pages_say_so_as_before(language):
    with translation.override(language):
        for loop, tag in [
            (CONTACT_LOOP, "{% contact_rows page allowed %}"),
            (COMMUNICATION_LOOP, "{% communication_rows page %}"),
        ]:
            template, python = _both(loop, tag, page=[], allowed=True)
            assert python == template
            assert "colspan" in python


def test_contacts_of_a_shown_customer_link_to_it(client_for, manager):
    """Through the page: each row links to its own contact's customer."""
    first, second = CustomerFactory(owner=manager), CustomerFactory(owner=manager)
    ContactFactory(customer=first, name="Anna")
    ContactFactory(customer=second, name="Bert")
    page = client_for(manager).get(reverse("customers:contact-list")).content.decode()
    assert f'<td>Anna</td>\n      <td><a href="{first.get_absolute_url()}">' in page
    assert f'<td>Bert</td>\n      <td><a href="{second.get_absolute_url()}">' in page


@pytest.mark.parametrize(
    "url_name", ["customers:customer-list", "customers:contact-list", "customers:communication-list"]
)
def test_the_lists_read_their_rows_before_drawing(client_for, manager, url_name):
    """The page's rows are read in the view: drawing the page runs no SQL (the filter form's fields come from the
    cache once drawn)."""
    customer = CustomerFactory(owner=manager)
    CommunicationFactory(customer=customer, contact=ContactFactory(customer=customer))
    client = client_for(manager)
    client.get(reverse(url_name))
    with queries_while_drawing() as queries:
        response = client.get(reverse(url_name))
    assert response.status_code == 200 and len(response.context["page"]) == 1
    assert queries == []
