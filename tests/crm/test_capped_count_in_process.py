"""A capped count is kept in the cache and in each process that read it, until the same moment (crm.pagination): a
page past the cap reads the cache once a minute in each process, not on every request."""

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm import pagination
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _counts(client):
    """The page's count, and how many capped COUNT queries the request ran."""
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("customers:customer-list")).context["page"]
    return page.paginator.count, sum("COUNT(" in q["sql"] for q in queries)


@pytest.fixture
def capped(client_for, rep_user, settings):
    settings.LIST_COUNT_LIMIT, settings.LIST_COUNT_CACHE_SECONDS = 5, 60
    CustomerFactory.create_batch(7, owner=rep_user)
    pagination._capped_here.clear()
    client = client_for(rep_user)
    before = set(pagination._capped_here)
    assert _counts(client) == (6, 1)
    (key,) = set(pagination._capped_here) - before
    return client, key


def test_a_capped_count_is_not_read_again_from_the_cache_by_the_process_that_knows_it(capped):
    client, key = capped
    assert time.time() + 55 < cache.get(key) == pagination._capped_here[key]
    cache.delete(key)  # only this process's memory can answer now
    assert _counts(client) == (6, 0)


def test_a_process_that_did_not_count_takes_the_moment_from_the_cache(capped):
    client, key = capped
    until = cache.get(key)
    pagination._capped_here.clear()  # as another worker
    assert _counts(client) == (6, 0)
    assert pagination._capped_here[key] == until


def test_past_its_moment_the_count_is_made_again(capped):
    client, key = capped
    pagination._capped_here[key] = time.time() - 1
    cache.delete(key)
    assert _counts(client) == (6, 1)
