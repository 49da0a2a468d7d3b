"""Personal API tokens and service accounts: shown once, stored hashed, scoped by access, expiry and
revocation; their use lands in the behaviour log (at most once per period); the throttle answers 429."""

import hashlib
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from crm.api.models import ApiToken, ServiceAccount
from crm.api.tokens import service_account_create, token_create
from crm.models import BehaviourLog
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def bearer(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_the_settings_page_shows_a_new_key_once_and_stores_only_its_hash(client_for, rep_user):
    client = client_for(rep_user)
    response = client.post(reverse("integrations:token-list"), {"name": "ERP", "access": "write"})
    key = response.context["new_key"]
    assert key.startswith("crm_") and key in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=rep_user)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    again = client.get(reverse("integrations:token-list"))
    assert key not in again.content.decode() and token.prefix in again.content.decode()
    assert BehaviourLog.objects.filter(action="create", object_type="api.apitoken", user=rep_user).exists()


def test_a_user_revokes_only_their_own_tokens(client_for, rep_user, other_rep):
    theirs, _ = token_create(actor=other_rep, user=other_rep, name="x", access="read")
    mine, key = token_create(actor=rep_user, user=rep_user, name="y", access="read")
    client = client_for(rep_user)
    assert client.post(reverse("integrations:token-revoke", args=[theirs.pk])).status_code == 404
    client.post(reverse("integrations:token-revoke", args=[mine.pk]))
    assert bearer(key).get("/api/v1/customers/").status_code == 401
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_a_read_only_token_reads_but_cannot_write(rep_user):
    _, key = token_create(actor=rep_user, user=rep_user, name="r", access="read")
    api = bearer(key)
    assert api.get("/api/v1/customers/").status_code == 200
    assert api.post("/api/v1/customers/", {"name": "X"}, format="json").status_code == 403


def test_an_expired_token_or_a_wrong_key_is_refused(rep_user):
    token, key = token_create(actor=rep_user, user=rep_user, name="e", access="read")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = bearer(key).get("/api/v1/customers/")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert bearer(key[:-1] + ("a" if key[-1] != "a" else "b")).get("/api/v1/customers/").status_code == 401
    assert APIClient().get("/api/v1/customers/").status_code == 401


def test_token_use_is_logged_once_per_period_and_sets_last_used(rep_user):
    cache.clear()
    token, key = token_create(actor=rep_user, user=rep_user, name="l", access="read")
    api = bearer(key)
    for _ in range(3):
        assert api.get("/api/v1/customers/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    uses = BehaviourLog.objects.filter(action="login", object_type="api.apitoken", object_id=str(token.pk))
    assert uses.count() == 1 and uses.get().detail == {"via": "api_token", "token": token.prefix}


def test_the_rate_limit_answers_429_with_retry_after(rep_user, monkeypatch):
    from crm.api.throttling import PerTokenThrottle

    cache.clear()
    monkeypatch.setattr(PerTokenThrottle, "rate", "3/min", raising=False)
    _, key = token_create(actor=rep_user, user=rep_user, name="t", access="read")
    api = bearer(key)
    statuses = [api.get("/api/v1/customers/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/v1/customers/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    # Another token of the same user has a budget of its own.
    _, other = token_create(actor=rep_user, user=rep_user, name="u", access="read")
    assert bearer(other).get("/api/v1/customers/").status_code == 200


def test_a_service_account_cannot_sign_in_but_its_token_works_with_its_roles(admin_user):
    from django.contrib.auth.models import Group

    from accounts import roles

    account = service_account_create(
        actor=admin_user, username="erp", roles=[Group.objects.get(name=roles.SALES_MANAGER)]
    )
    assert not account.user.has_usable_password()
    assert not account.user.check_password("")
    CustomerFactory(owner=account.user)
    _, key = token_create(actor=admin_user, user=account.user, name="erp", access="write")
    response = bearer(key).get("/api/v1/customers/")
    assert response.status_code == 200 and len(response.json()["results"]) == 1
    assert ServiceAccount.objects.filter(user__username="erp").exists()


def test_the_admin_makes_a_service_account_and_a_token_for_it(admin_client):
    from django.contrib.auth.models import Group

    role = Group.objects.first()
    response = admin_client.post(
        reverse("admin:api_serviceaccount_add"), {"username": "shop", "roles": [role.pk], "description": "Web shop"}
    )
    assert response.status_code == 302
    account = ServiceAccount.objects.get(user__username="shop")
    assert list(account.user.groups.all()) == [role]
    response = admin_client.post(
        reverse("admin:api_serviceaccount_changelist"),
        {"action": "make_write_token", "_selected_action": [account.pk]},
        follow=True,
    )
    key = next(word for m in response.context["messages"] for word in str(m).split() if word.startswith("crm_"))
    assert bearer(key).get("/api/v1/customers/").status_code == 200
