"""The customer list's rows are drawn in Python ({% customer_rows %}, customers/templatetags/customer_table.py) with
the markup the template loop drew, character for character: the browser journeys and the page's script read it."""

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from customers import selectors
from customers.models import Customer
from tests.factories import CustomerFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

# The loop customers/partials/customer_table.html had before the rows were drawn in Python.
TEMPLATE_ROWS = (
    "{% load i18n %}{% for customer in page %}\n"
    "      <tr>\n"
    '        <td><input type="checkbox" class="form-check-input row-select" name="ids"'
    ' value="{{ customer.pk }}" aria-label="{{ customer.name }}"></td>\n'
    '        <td><a href="{{ customer.get_absolute_url }}">{{ customer.name }}</a></td>\n'
    "        <td>{{ customer.get_lifecycle_stage_display }}</td>\n"
    "        <td>{{ customer.level }}</td>\n"
    '        <td class="d-none d-md-table-cell text-nowrap">{{ customer.phone }}</td>\n'
    '        <td class="d-none d-lg-table-cell">{{ customer.email }}</td>\n'
    "        <td>{{ customer.owner }}</td>\n"
    '        <td class="d-none d-md-table-cell">{% for tag in customer.tags.all %}'
    '<span class="badge tag-badge" data-colour="{{ tag.colour }}">{{ tag }}</span> {% endfor %}</td>\n'
    '        <td class="d-none d-lg-table-cell">{{ customer.created_at|date:"SHORT_DATE_FORMAT" }}</td>\n'
    "      </tr>\n"
    "    {% empty %}\n"
    '      <tr><td colspan="9" class="text-center text-muted py-4">'
    '{% translate "No customers match." %}</td></tr>\n'
    "    {% endfor %}"
)


def _both(rows):
    """The template loop over the customers as models, the Python rows over the list page's own rows of them."""
    rows = list(rows)
    models = Customer.objects.in_bulk([row["pk"] for row in rows])
    template = Template(TEMPLATE_ROWS).render(Context({"page": [models[row["pk"]] for row in rows]}))
    python = Template("{% load customer_table %}{% customer_rows page %}").render(Context({"page": rows}))
    return template, python


def _list_rows():
    # The rows as the list page reads them: its values only, the tags in bulk.
    user = UserFactory(is_superuser=True)
    return selectors.customer_list_rows(selectors.customer_list(user=user).qs.order_by("pk"))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/Los_Angeles"])
def test_rows_are_the_templates_own_markup(language, zone):
    owner = UserFactory(username="o<wner>", first_name='Ann "A&B"', last_name="O'Neil")
    nameless = UserFactory(username="plain&user")
    tags = [TagFactory(name="<vip>", colour="#ff0000"), TagFactory(name="重点 & 'hot'")]
    odd = CustomerFactory(
        name='<script>alert("x")</script> & Co\'s', owner=owner, phone="<1>", email="a&b@example.com", level="A",
        lifecycle_stage=Customer.Lifecycle.VIP,
    )  # fmt: skip
    odd.tags.set(tags)
    CustomerFactory(name="上海华信科技有限公司", owner=nameless, phone="", email="").tags.set(tags[:1])
    CustomerFactory(name="Plain", owner=nameless, lifecycle_stage=Customer.Lifecycle.CHURNED)
    with translation.override(language), timezone.override(zone):
        template, python = _both(_list_rows())
    assert python == template
    assert "&lt;script&gt;" in python and "<script>" not in python


def test_an_empty_page_says_so_as_before():
    with translation.override("zh-hans"):
        template, python = _both([])
    assert python == template
    assert '<td colspan="9"' in python


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/Los_Angeles"])
def test_each_row_shows_its_own_local_day(zone):
    # A page formats each day once: rows of one day share it, rows of another day, or of the day before in the
    # user's zone, do not.
    owner = UserFactory()
    moments = ["2026-03-01T01:00:00+00:00", "2026-03-01T23:30:00+00:00", "2026-03-02T12:00:00+00:00"]
    for moment in moments:
        Customer.objects.filter(pk=CustomerFactory(owner=owner).pk).update(created_at=moment)
    with translation.override("en"), timezone.override(zone):
        template, python = _both(_list_rows())
    assert python == template
    days = {line for line in python.splitlines() if 'd-lg-table-cell">0' in line}
    assert len(days) == (3 if zone == "America/Los_Angeles" else 2)  # Shanghai: 1 March 09:00, 2 March 07:30, 20:00
