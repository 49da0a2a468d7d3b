"""The sidebar: one section per module, showing only the entries a user's role opens."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from accounts import roles
from tests.factories import UserFactory


def _sections(client):
    response = client.get(reverse("home"))
    return {str(section["heading"]): [str(item["label"]) for item in section["items"]]
            for section in response.context["nav_sections"]}  # fmt: skip


def test_a_sales_rep_sees_their_modules_in_order_and_no_administration(client_for, rep_user):
    sections = _sections(client_for(rep_user))
    assert list(sections)[:3] == ["None", "Customers", "Sales"]
    assert "Leads" in sections["Sales"] and "Pipeline board" in sections["Sales"]
    assert "Administration" not in sections
    # A rep may not merge duplicates, so that entry is left out of the customers section.
    assert "Duplicates" not in sections["Customers"]


def test_an_administrator_sees_the_behaviour_log_and_backups(client_for, db):
    admin = UserFactory(username="root", role=roles.ADMINISTRATOR)
    sections = _sections(client_for(admin))
    assert sections["Administration"] == ["Behaviour log", "Backups"]


def test_the_page_renders_the_section_headings(client_for, rep_user):
    html = client_for(rep_user).get(reverse("home")).content.decode()
    assert '<h6 class="sidebar-heading">Sales</h6>' in html
    assert '<h6 class="sidebar-heading">Administration</h6>' not in html


def _current(client, url):
    items = client.get(url).context["nav_items"]
    return [str(item["label"]) for item in items if item["active"]]


def test_one_entry_is_the_current_page_when_two_share_a_model(client_for, rep_user):
    """The board and the opportunity list both show opportunities; on the board only the board is current."""
    client = client_for(rep_user)
    assert _current(client, reverse("sales:opportunity-board")) == ["Pipeline board"]
    assert _current(client, reverse("sales:opportunity-list")) == ["Opportunities"]
    # a page with no entry of its own still belongs to its model's list
    assert _current(client, reverse("sales:opportunity-create")) == ["Opportunities"]


# The loop base.html had before the sidebar's sections were drawn in Python ({% sidebar_sections %}).
TEMPLATE_SECTIONS = (
    "{% for section in nav_sections %}\n"
    '          {% if section.heading %}<h6 class="sidebar-heading">{{ section.heading }}</h6>{% endif %}\n'
    '          <ul class="nav flex-column">\n'
    "            {% for item in section.items %}\n"
    '            <li class="nav-item"><a class="nav-link{% if item.active %} active{% endif %}"'
    ' href="{{ item.url }}"{% if item.active %} aria-current="page"{% endif %}'
    '><i class="bi {{ item.icon }}"></i> {{ item.label }}</a></li>\n'
    "            {% endfor %}\n"
    "          </ul>\n"
    "          {% endfor %}"
)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("role", [roles.SALES_REP, roles.ADMINISTRATOR])
def test_the_sections_drawn_in_python_are_the_template_loops_markup(client, db, language, role):
    client.force_login(UserFactory(username="someone", role=role, language=language))
    sections = client.get(reverse("customers:customer-list")).context["nav_sections"]
    sections[1]["items"][0]["label"] = '<b>"Kunden" & Co</b>'  # escaped the same way
    with translation.override(language):
        template = Template("{% load i18n %}" + TEMPLATE_SECTIONS).render(Context({"nav_sections": sections}))
        python = Template("{% load navigation %}{% sidebar_sections nav_sections %}").render(
            Context({"nav_sections": sections})
        )
    assert python == template
    assert 'aria-current="page"' in python
