"""Administrators add users in Django admin: the add page asks for roles and a team by those names."""

import html5lib
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_add_user_page_asks_for_roles_and_a_team_and_saves_them(client, team):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client.force_login(admin)
    page = client.get(reverse("admin:accounts_user_add"), HTTP_ACCEPT_LANGUAGE="en")
    document = html5lib.parse(page.content.decode(), namespaceHTMLElements=False)
    labels = {"".join(label.itertext()).strip(" :") for label in document.iter("label")}
    assert {"Roles", "Team"} <= labels, sorted(labels)
    role = Group.objects.get_or_create(name="Sales rep")[0]
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newbie",
            "password1": "A-long-pass-phrase-42",
            "password2": "A-long-pass-phrase-42",
            "usable_password": "true",
            "team": team.pk,
            "groups": [role.pk],
        },
    )
    assert response.status_code == 302, response.content[:2000]
    user = get_user_model().objects.get(username="newbie")
    assert user.team == team and list(user.groups.all()) == [role]


def _chinese_admin_page(client, url):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x", language="zh-hans")
    client.force_login(admin)
    return client.get(url).content.decode()


def test_the_chinese_user_list_filters_by_role_names_in_chinese(client):
    Group.objects.get_or_create(name="Sales rep")
    page = _chinese_admin_page(client, reverse("admin:accounts_user_changelist"))
    assert "销售员" in page and ">Sales rep<" not in page


def test_the_sign_in_lockout_pages_of_django_axes_are_in_chinese(client):
    """django-axes ships no Chinese: its names come from the project's catalog for third-party apps."""
    page = _chinese_admin_page(client, reverse("admin:axes_accessattempt_changelist"))
    assert "访问尝试" in page and "Access attempts" not in page


def test_authenticator_devices_are_not_edited_in_admin_but_reset_from_the_user_list(client):
    page = _chinese_admin_page(client, reverse("admin:index"))
    assert "/admin/otp_totp/" not in page and "/admin/otp_static/" not in page
