"""Lockout after repeated failures, the captcha once failures start, unlocking and signing out everywhere."""

import pytest
from django.conf import settings
from django.contrib.admin.sites import site
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "accounts:login"


def attempt(client, password, captcha=None, username="alice", ip="10.9.8.7"):
    data = {"username": username, "password": password}
    if captcha is not None:
        data |= {"captcha_0": "any-key", "captcha_1": captcha}
    return client.post(reverse(LOGIN), data, REMOTE_ADDR=ip)


def test_the_form_has_no_captcha_until_a_failure(client, rep_user):
    assert "captcha" not in client.get(reverse(LOGIN)).context["form"].fields
    attempt(client, "wrong")
    form = client.get(reverse(LOGIN), REMOTE_ADDR="10.9.8.7").context["form"]
    assert "captcha" in form.fields


def test_after_a_failure_the_right_password_without_the_captcha_is_refused(client, rep_user):
    attempt(client, "wrong")
    response = attempt(client, "secret-pass-123", captcha="WRONG")
    assert response.status_code == 200
    assert "captcha" in response.context["form"].errors
    assert "_auth_user_id" not in client.session
    response = attempt(client, "secret-pass-123", captcha="PASSED")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(rep_user.pk)


def test_the_user_name_is_locked_after_the_limit_even_from_another_address(client, rep_user):
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong", captcha="PASSED", ip=f"10.0.0.{number}")
    response = attempt(Client(), "secret-pass-123", captcha="PASSED", ip="10.7.7.7")
    assert response.status_code == 429
    assert "Sign-in temporarily locked" in response.content.decode()
    assert "ask an administrator" in response.content.decode()


def test_an_address_is_locked_after_the_limit_whatever_the_user_name(client, rep_user):
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong", captcha="PASSED", username=f"nobody{number}")
    response = attempt(client, "secret-pass-123", captcha="PASSED")
    assert response.status_code == 429


def test_an_administrator_unlocks_a_user_from_the_user_admin(client, rep_user):
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong", captcha="PASSED", ip=f"10.0.1.{number}")
    assert attempt(Client(), "secret-pass-123", captcha="PASSED", ip="10.3.3.3").status_code == 429

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin_client = Client()
    admin_client.force_login(admin)
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [rep_user.pk]},
    )
    assert response.status_code == 302
    assert attempt(Client(), "secret-pass-123", ip="10.3.3.3").status_code == 302
    assert "unlock_sign_in" in site._registry[User].get_actions(response.wsgi_request)


def test_sign_out_everywhere_ends_sessions_on_other_devices(rep_user, other_rep):
    laptop, phone, colleague = Client(), Client(), Client()
    for device in (laptop, phone):
        device.force_login(rep_user)
    colleague.force_login(other_rep)
    assert phone.get(reverse("accounts:preferences")).status_code == 200

    response = laptop.post(reverse("accounts:sign-out-everywhere"))
    assert response.status_code == 302
    assert phone.get(reverse("accounts:preferences")).status_code == 302
    assert laptop.get(reverse("accounts:preferences")).status_code == 302
    assert colleague.get(reverse("accounts:preferences")).status_code == 200
    assert Session.objects.count() == 1


def test_sign_out_everywhere_is_logged(rep_user):
    Client().force_login(rep_user)
    assert services.user_sign_out_everywhere(actor=rep_user, user=rep_user) == 1
    from crm.models import BehaviourLog

    assert BehaviourLog.objects.filter(detail__everywhere=1, user=rep_user).exists()


def test_short_passwords_are_refused(client_for, rep_user):
    response = client_for(rep_user).post(
        reverse("accounts:password-change"),
        {"old_password": "secret-pass-123", "new_password1": "Zq8#short", "new_password2": "Zq8#short"},
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
