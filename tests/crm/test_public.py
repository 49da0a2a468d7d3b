"""The shared guard of public forms: a per-address limit on posts, kept in Redis."""

from django.core.cache import cache
from django.test import RequestFactory

from crm.public import over_limit


def _post(address):
    return RequestFactory().post("/public/form/", REMOTE_ADDR=address)


def test_posts_past_the_rate_are_refused_per_address():
    cache.clear()
    results = [over_limit(_post("10.1.1.1"), group="test-form", rate="3/h") for _ in range(5)]
    assert results == [False, False, False, True, True]
    # another client is counted on its own
    assert over_limit(_post("10.1.1.2"), group="test-form", rate="3/h") is False


def test_groups_are_counted_apart():
    cache.clear()
    for _ in range(3):
        over_limit(_post("10.1.1.3"), group="form-a", rate="3/h")
    assert over_limit(_post("10.1.1.3"), group="form-a", rate="3/h") is True
    assert over_limit(_post("10.1.1.3"), group="form-b", rate="3/h") is False
