"""The client's address is REMOTE_ADDR unless a configured number of proxies (or proxies inside
configured networks) stand in front; X-Forwarded-For entries a client wrote itself never count. The
sign-in lockout, the behaviour log and the public-form limits all read it through one function."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from crm.middleware import client_ip
from crm.models import BehaviourLog
from crm.public import over_limit

PROXY = "10.0.0.2"


def _request(remote=PROXY, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().post("/public/form/", REMOTE_ADDR=remote, **headers)


def test_by_default_the_forwarded_header_is_ignored():
    assert client_ip(_request(remote="198.51.100.7", forwarded="1.2.3.4")) == "198.51.100.7"


def test_one_trusted_proxy_gives_the_address_it_appended(settings):
    settings.TRUSTED_PROXIES = 1
    # The client forged "1.2.3.4"; the proxy appended the address it saw.
    assert client_ip(_request(forwarded="1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request(forwarded="203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request(forwarded="")) == PROXY
    assert client_ip(_request(forwarded="[2001:db8::7]:51234")) == "2001:db8::7"


def test_two_trusted_proxies_skip_two_hops(settings):
    settings.TRUSTED_PROXIES = 2
    assert client_ip(_request(forwarded="1.2.3.4, 203.0.113.9, 10.0.0.1")) == "203.0.113.9"


def test_trusted_networks_skip_only_hops_inside_them(settings):
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]
    assert client_ip(_request(forwarded="1.2.3.4, 203.0.113.9, 10.0.0.1")) == "203.0.113.9"
    # A client reaching the server directly is not a proxy, whatever it writes in the header.
    assert client_ip(_request(remote="198.51.100.7", forwarded="10.0.0.1")) == "198.51.100.7"


def test_garbage_in_the_chain_stops_at_the_proxy_that_passed_it(settings):
    settings.TRUSTED_PROXIES = 2
    assert client_ip(_request(forwarded="203.0.113.9, not-an-address")) == PROXY


def _sign_in(client, username, forwarded, *, right=False, remote="198.51.100.7"):
    password = "secret-pass-123" if right else "wrong"
    data = {"username": username, "password": password, "captcha_0": "k", "captcha_1": "PASSED"}
    return client.post(reverse("accounts:login"), data, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)


@pytest.mark.django_db
def test_rotating_the_forwarded_header_does_not_escape_the_address_lockout(rep_user):
    for number in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(Client(), f"nobody{number}", forwarded=f"192.0.2.{number}")
    response = _sign_in(Client(), rep_user.username, forwarded="192.0.2.200", right=True)
    assert response.status_code == 429


@pytest.mark.django_db
def test_a_forged_header_cannot_lock_out_another_address(rep_user):
    for number in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(Client(), f"nobody{number}", forwarded="203.0.113.50", remote="198.51.100.66")
    response = _sign_in(Client(), rep_user.username, forwarded="", right=True, remote="203.0.113.50")
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_behaviour_log_records_the_real_address(rep_user):
    _sign_in(Client(), rep_user.username, forwarded="1.2.3.4", right=True)
    assert BehaviourLog.objects.get(action=BehaviourLog.Action.LOGIN).ip == "198.51.100.7"


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_log_records_the_appended_address(settings, rep_user):
    settings.TRUSTED_PROXIES = 1
    _sign_in(Client(), rep_user.username, forwarded="1.2.3.4, 203.0.113.9", right=True, remote=PROXY)
    assert BehaviourLog.objects.get(action=BehaviourLog.Action.LOGIN).ip == "203.0.113.9"


def test_rate_limits_count_each_client_behind_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = 1
    cache.clear()
    first = [over_limit(_request(forwarded="203.0.113.1"), group="proxy-form", rate="2/h") for _ in range(3)]
    assert first == [False, False, True]
    assert over_limit(_request(forwarded="203.0.113.2"), group="proxy-form", rate="2/h") is False


def test_rate_limits_ignore_a_forged_header_by_default():
    cache.clear()
    results = [
        over_limit(_request(remote="198.51.100.9", forwarded=f"192.0.2.{n}"), group="forged-form", rate="2/h")
        for n in range(3)
    ]
    assert results == [False, False, True]
