"""Passwords are hashed with Argon2id at parameters that keep sign-in fast; older hashes upgrade at sign-in."""

import pytest
from django.contrib.auth.hashers import make_password
from django.test import override_settings
from django.urls import reverse

from crm.settings import base

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production_hashers")]

ARGON2_PREFIX = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture
def production_hashers():
    # The suite itself hashes with MD5 for speed; these tests check the configured hashers.
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        yield


def test_a_new_password_is_hashed_with_argon2id():
    assert make_password("secret-pass-123").startswith(ARGON2_PREFIX)


def test_a_pbkdf2_hash_is_upgraded_to_argon2_when_the_user_signs_in(client, rep_user):
    rep_user.password = make_password("secret-pass-123", hasher="pbkdf2_sha256")
    rep_user.save(update_fields=["password"])

    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "secret-pass-123"})

    assert response.status_code == 302
    rep_user.refresh_from_db()
    assert rep_user.password.startswith(ARGON2_PREFIX)
    client.logout()
    again = client.post(reverse("accounts:login"), {"username": "alice", "password": "secret-pass-123"})
    assert again.status_code == 302
