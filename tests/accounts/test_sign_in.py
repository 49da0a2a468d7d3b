"""Signing in and out, the behaviour log of it, and per-user language and time zone."""

import pytest
from django.urls import reverse

from crm.models import BehaviourLog

pytestmark = pytest.mark.django_db


def test_sign_in_and_out_are_logged_with_ip(client, rep_user):
    response = client.post(
        reverse("accounts:login"), {"username": "alice", "password": "secret-pass-123"}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 302
    entry = BehaviourLog.objects.get(action=BehaviourLog.Action.LOGIN)
    assert entry.user == rep_user and entry.ip == "10.1.2.3"
    client.post(reverse("accounts:logout"))
    assert BehaviourLog.objects.filter(action=BehaviourLog.Action.LOGOUT, user=rep_user).exists()


def test_failed_sign_in_is_logged_and_shows_a_message(client, rep_user):
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors
    entry = BehaviourLog.objects.get(action=BehaviourLog.Action.LOGIN_FAILED)
    assert entry.username == "alice" and entry.user is None


def test_login_page_uses_the_apps_look(client, db):
    response = client.get(reverse("accounts:login"))
    assert "accounts/login.html" in [t.name for t in response.templates]


def test_language_switch_is_kept_on_the_user(client_for, rep_user):
    client = client_for(rep_user)
    client.post(reverse("accounts:language"), {"language": "zh-hans", "next": "/customers/"})
    rep_user.refresh_from_db()
    assert rep_user.language == "zh-hans"
    response = client.get(reverse("customers:customer-list"))
    assert "客户" in response.content.decode()
    client.post(reverse("accounts:language"), {"language": "en", "next": "/"})
    assert "Customers" in client.get(reverse("customers:customer-list")).content.decode()


def test_language_switch_refuses_foreign_redirect(client, db):
    response = client.post(reverse("accounts:language"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_user_time_zone_changes_displayed_times(client_for, rep_user):
    from tests.factories import CustomerFactory

    customer = CustomerFactory(owner=rep_user)
    client = client_for(rep_user)
    client.post(reverse("accounts:preferences"), {"language": "en", "timezone": "UTC"})
    utc = client.get(customer.get_absolute_url()).content.decode()
    client.post(reverse("accounts:preferences"), {"language": "en", "timezone": "Asia/Tokyo"})
    tokyo = client.get(customer.get_absolute_url()).content.decode()
    rep_user.refresh_from_db()
    assert rep_user.timezone == "Asia/Tokyo"
    assert utc != tokyo


def test_password_change_in_the_app(client_for, rep_user):
    client = client_for(rep_user)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": "secret-pass-123", "new_password1": "Qx7!long-enough", "new_password2": "Qx7!long-enough"},
    )
    assert response.status_code == 302
    rep_user.refresh_from_db()
    assert rep_user.check_password("Qx7!long-enough")


def test_roles_are_seeded_with_scopes(db):
    from django.contrib.auth.models import Group

    from accounts import roles

    names = set(Group.objects.values_list("name", flat=True))
    assert set(roles.ROLE_LABELS) <= names
    rep = Group.objects.get(name=roles.SALES_REP)
    assert rep.record_scopes.get(module="customers").scope == "own"
    assert rep.permissions.filter(codename="add_customer").exists()
    assert not Group.objects.get(name=roles.EXECUTIVE).permissions.filter(codename="change_customer").exists()


def test_widest_scope_wins_across_roles(rep_user):
    from django.contrib.auth.models import Group

    from accounts import roles

    rep_user.groups.add(Group.objects.get(name=roles.SALES_MANAGER))
    rep_user.refresh_from_db()
    assert rep_user.record_scope("customers") == "team"


def test_admin_can_manage_users_teams_and_roles(client_for, db):
    from tests.factories import UserFactory

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = client_for(admin)
    for url in ["/admin/accounts/user/", "/admin/accounts/team/", "/admin/accounts/role/", "/admin/crm/behaviourlog/"]:
        assert client.get(url, {"q": "a"}).status_code == 200
