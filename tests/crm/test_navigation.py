"""The sidebar: one section per module, showing only the entries a user's role opens."""

from django.urls import reverse

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
