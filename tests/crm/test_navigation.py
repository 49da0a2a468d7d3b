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
