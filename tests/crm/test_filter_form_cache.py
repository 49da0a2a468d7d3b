"""A list's filter fields are cached ({% filter_fields %}, crm/filters.py): the same HTML as drawn afresh, their choice
lists not read again while nothing changed, and a change of a choice source (a new tag, a renamed user) shown on the
next page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from tests.factories import TagFactory, UserFactory

LISTS = [
    ("/customers/", "manager"),
    ("/customers/communications/", "manager"),
    ("/sales/leads/", "manager"),
    ("/sales/opportunities/", "manager"),
    ("/service/", "agent"),
]


def _filter_form(html: str) -> str:
    return re.search(r'<form method="get".*?</form>', html, re.S).group(0)


@pytest.fixture
def agent(db):
    from accounts import roles

    return UserFactory(username="svc", role=roles.SERVICE_AGENT)


@pytest.mark.parametrize(("path", "who"), LISTS)
def test_cached_filter_fields_are_the_html_drawn_afresh(db, client_for, request, path, who):
    client = client_for(request.getfixturevalue(who))
    query = {"sort": "-created", "page": "1"}
    with override_settings(LIST_FILTER_CACHE_SECONDS=0):
        fresh = _filter_form(client.get(path, query).content.decode())
    first = _filter_form(client.get(path, query).content.decode())
    cached = _filter_form(client.get(path, query).content.decode())
    assert fresh == first == cached


@pytest.mark.parametrize(("path", "who"), LISTS)
def test_a_second_page_does_not_read_the_choices_again(db, client_for, request, path, who):
    client = client_for(request.getfixturevalue(who))
    with CaptureQueriesContext(connection) as first:
        client.get(path, {"page": "1"})
    with CaptureQueriesContext(connection) as second:
        client.get(path, {"page": "2"})
    assert len(second) < len(first)


def test_a_new_tag_and_a_renamed_owner_show_on_the_next_page(client_for, manager):
    client = client_for(manager)
    client.get("/customers/")
    TagFactory(name="Brand-new tag")
    manager.first_name = "Renamed"
    manager.save()
    html = client.get("/customers/").content.decode()
    assert "Brand-new tag" in html
    assert "Renamed" in _filter_form(html)


def test_each_user_gets_the_owner_choices_of_their_own_scope(client_for, manager, rep_user):
    other = UserFactory(username="outsider", first_name="Outsider")
    manager_form = _filter_form(client_for(manager).get("/customers/").content.decode())
    rep = rep_user
    rep_form = _filter_form(client_for(rep).get("/customers/").content.decode())
    assert f'value="{rep.pk}"' in manager_form
    assert f'value="{manager.pk}"' not in rep_form
    assert f'value="{other.pk}"' not in manager_form + rep_form


def test_the_language_is_part_of_the_key(client_for, manager):
    client = client_for(manager)
    english = _filter_form(client.get("/customers/", headers={"Accept-Language": "en"}).content.decode())
    manager.language = "zh-hans"
    manager.save()
    chinese = _filter_form(client.get("/customers/").content.decode())
    assert "Lifecycle stage" in english
    assert "Lifecycle stage" not in chinese
