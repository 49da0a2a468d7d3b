"""The lead and opportunity lists' rows are drawn in Python ({% lead_rows %}, {% opportunity_rows %},
sales/templatetags/sales_rows.py) with the markup the template loops drew, character for character: the browser
journeys and the pages' scripts read it."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from marketing.models import Campaign
from sales import selectors
from sales.forms import LeadBulkForm
from sales.models import Lead, Opportunity
from tests.drawing import queries_while_drawing
from tests.factories import CustomerFactory, UserFactory

from .factories import LeadFactory, OpportunityFactory, open_stages

pytestmark = pytest.mark.django_db

LANGUAGES = pytest.mark.parametrize("language", ["en", "zh-hans"])
ZONES = pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/Los_Angeles"])

# The loop sales/lead_list.html had before the rows were drawn in Python.
LEAD_LOOP = (
    "{% load i18n %}{% for lead in page %}\n"
    '    <tr>{% if bulk %}<td><input type="checkbox" class="form-check-input row-select" name="ids"'
    ' value="{{ lead.pk }}" aria-label="{{ lead.name }}"></td>{% endif %}\n'
    '      <td><a href="{{ lead.get_absolute_url }}">{{ lead.name }}</a></td><td>{{ lead.company }}</td>'
    "<td>{{ lead.get_status_display }}</td>\n"
    '      <td class="d-none d-md-table-cell">{{ lead.campaign|default:"" }}</td>'
    '<td>{{ lead.owner|default_if_none:_("Unassigned") }}</td>\n'
    '      <td class="d-none d-md-table-cell">{{ lead.touched_at|date:"SHORT_DATE_FORMAT" }}</td></tr>\n'
    "  {% empty %}\n"
    '    <tr><td colspan="7" class="text-center text-muted py-4">{% translate "No leads match." %}</td></tr>\n'
    "  {% endfor %}"
)

# The loop sales/opportunity_list.html had before the rows were drawn in Python.
OPPORTUNITY_LOOP = (
    "{% load i18n humanize %}{% for opportunity in page %}\n"
    '    <tr><td><a href="{{ opportunity.get_absolute_url }}">{{ opportunity.name }}</a></td>'
    "<td>{{ opportunity.customer.name }}</td>\n"
    '      <td>{{ opportunity.stage.name }}{% if opportunity.status != "open" %} <span class="badge text-bg-'
    "{% if opportunity.status == 'won' %}success{% else %}secondary{% endif %}\">"
    "{{ opportunity.get_status_display }}</span>{% endif %}</td>\n"
    '      <td class="text-end text-nowrap">{{ opportunity.amount|floatformat:2|intcomma }}'
    " {{ opportunity.currency }}</td>\n"
    '      <td class="d-none d-md-table-cell">{{ opportunity.expected_close_date|date:"SHORT_DATE_FORMAT" }}</td>'
    "<td>{{ opportunity.owner }}</td>\n"
    '      <td class="d-none d-lg-table-cell">{{ opportunity.next_step }}</td></tr>\n'
    "  {% empty %}\n"
    '    <tr><td colspan="7" class="text-center text-muted py-4">{% translate "No opportunities match." %}</td>'
    "</tr>\n"
    "  {% endfor %}"
)


def _both(loop, tag, **context):
    context = {**context, "page": list(context["page"])}
    template = Template(loop).render(Context(context))
    python = Template(f"{{% load sales_rows %}}{tag}").render(Context(context))
    return template, python


def _odd_user():
    return UserFactory(username="o<wner>", first_name='Ann "A&B"', last_name="O'Neil")


@LANGUAGES
@ZONES
@pytest.mark.parametrize("bulk", [True, None])
def test_lead_rows_are_the_templates_own_markup(language, zone, bulk):
    campaign = Campaign.objects.create(name="<Expo> & 'spring'", owner=UserFactory())
    odd = LeadFactory(
        name='<script>alert("x")</script>', company="A&B \"Co\"", owner=_odd_user(), campaign=campaign,
        status=Lead.Status.QUALIFIED,
    )  # fmt: skip
    LeadFactory(name="王伟", company="", owner=None, team=None, touched_at=None)
    LeadFactory(name="Plain", status=Lead.Status.DISQUALIFIED)
    Lead.objects.filter(pk=odd.pk).update(touched_at="2026-03-01T23:30:00+00:00")
    # The rows as the list page reads them.
    leads = selectors.lead_list(user=UserFactory(is_superuser=True)).qs.order_by("pk")
    with translation.override(language), timezone.override(zone):
        template, python = _both(LEAD_LOOP, "{% lead_rows page bulk %}", page=leads, bulk=bulk)
    assert python == template
    assert "&lt;script&gt;" in python and "<script>" not in python
    assert ('name="ids"' in python) is bool(bulk)


@LANGUAGES
@ZONES
def test_opportunity_rows_are_the_templates_own_markup(language, zone):
    customer = CustomerFactory(name="<b>Acme</b> & Söhne")
    stages = open_stages()
    OpportunityFactory(
        name='<i>Deal</i> "big"', customer=customer, owner=_odd_user(), amount=Decimal("1234567.5"),
        next_step="Call <back> & 'close'", expected_close_date=date(2026, 3, 1),
    )  # fmt: skip
    OpportunityFactory(name="赢单", status=Opportunity.Status.WON, amount=Decimal("0.005"), stage=stages[-1])
    OpportunityFactory(name="Lost", status=Opportunity.Status.LOST, amount=Decimal("999.999"),
                       expected_close_date=None, currency="USD")  # fmt: skip
    opportunities = selectors.opportunity_list(user=UserFactory(is_superuser=True)).qs.order_by("pk")
    with translation.override(language), timezone.override(zone):
        template, python = _both(OPPORTUNITY_LOOP, "{% opportunity_rows page %}", page=opportunities)
    assert python == template
    assert "&lt;i&gt;Deal" in python and "text-bg-success" in python and "text-bg-secondary" in python


@LANGUAGES
def test_empty_pages_say_so_as_before(language):
    with translation.override(language):
        for loop, tag in [(LEAD_LOOP, "{% lead_rows page bulk %}"), (OPPORTUNITY_LOOP, "{% opportunity_rows page %}")]:
            template, python = _both(loop, tag, page=[], bulk=True)
            assert python == template
            assert '<td colspan="7"' in python


@ZONES
def test_each_lead_shows_its_own_local_day(zone):
    # A page formats each day once: leads worked on the same local day share it, others do not.
    moments = ["2026-03-01T01:00:00+00:00", "2026-03-01T23:30:00+00:00", "2026-03-02T12:00:00+00:00"]
    for moment in moments:
        Lead.objects.filter(pk=LeadFactory().pk).update(touched_at=moment)
    leads = selectors.lead_list(user=UserFactory(is_superuser=True)).qs.order_by("pk")
    with translation.override("en"), timezone.override(zone):
        template, python = _both(LEAD_LOOP, "{% lead_rows page bulk %}", page=leads, bulk=None)
    assert python == template
    days = {line for line in python.splitlines() if 'd-md-table-cell">0' in line}
    assert len(days) == (3 if zone == "America/Los_Angeles" else 2)


@LANGUAGES
def test_the_lead_lists_bulk_selects_are_djangos_own_markup(client_for, manager, rep_user, language):
    """The bulk form's owner and team selects draw themselves in Python (crm.widgets.render_in_python), from
    choices read before the template draws them: the same markup as Django's widget templates draw."""
    UserFactory(first_name="<Ann>", last_name="& Co", team=manager.team)
    LeadFactory(owner=rep_user)
    with translation.override(language):
        page = client_for(manager).get(reverse("sales:lead-list"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        form = LeadBulkForm(user=manager)  # drawn through Django's templates
        for name in ("action", "owner", "team"):
            assert str(form[name]) in page
    assert str(rep_user) in str(form["owner"]) and "&lt;Ann&gt; &amp; Co" in str(form["owner"])


@pytest.mark.parametrize("url_name", ["sales:lead-list", "sales:opportunity-list"])
def test_the_lists_read_their_rows_before_drawing(client_for, manager, rep_user, url_name):
    """The page's rows and the bulk form's choices are read in the view: drawing the page runs no SQL (the filter
    form's fields come from the cache once drawn)."""
    LeadFactory(owner=rep_user)
    OpportunityFactory(customer=CustomerFactory(owner=rep_user))
    client = client_for(manager)
    client.get(reverse(url_name))  # the filter form's fields are cached from here on (crm.filters)
    with queries_while_drawing() as queries:
        response = client.get(reverse(url_name))
    assert response.status_code == 200 and len(response.context["page"]) == 1
    assert queries == []


def test_the_lead_lists_bulk_selects_are_styled_as_the_customer_lists(client_for, manager):
    # They showed as the browser's bare selects beside the styled "Apply" button.
    LeadFactory(owner=manager)
    page = client_for(manager).get(reverse("sales:lead-list")).content.decode()
    for name in ("action", "owner", "team"):
        assert f'<select name="{name}" class="form-select form-select-sm w-auto"' in page
