"""IDOR sweep: every URL pattern that takes an object id must answer 404 (or 403) to a user outside
the record's scope, for GET and for POST.

Patterns are discovered from the URL configuration, so a new view is swept the day it is added. The
sweep FAILS for a pattern it cannot build an object for: each app registers makers in
``tests/<app>/idor.py`` as ``REGISTRY = {url name or prefix: maker}``. A maker receives the record's
owner (a sales rep in team East) and returns the URL's keyword arguments for a record that owner can
see. The outsider is a sales rep of another team with the same role. The longest matching key wins,
so ``"sales:order-"`` can cover a whole family of views and ``"sales:order-pdf"`` one of them.

A sales rep holds no permission at all for some records (tickets, marketing assets, schedules), and a
403 for lack of permission says nothing about the record scope. Such a maker names the roles both users
get before it runs (``maker.roles = (roles.SERVICE_AGENT,)``), so the outsider holds the permission and
only the scope can refuse them. A view that needs more than the record to act (the stage to move a deal
to) gets it from ``maker.data``, a function returning the form data both users POST. A maker sets
``owner_reaches = False`` when the owner's role cannot reach the record either (company-wide settings
that are nobody's records), so a 403 to the owner is expected.

Namespaces and patterns in ``EXCLUDED`` are not swept, each for the reason given.
"""

import importlib
import pkgutil
import re

import pytest
from django.contrib.auth.models import Group
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse

import tests
from accounts import roles
from tests.factories import TeamFactory, UserFactory

EXCLUDED = {
    "admin:": "Django admin is for staff only; its own permission checks apply and it is not record-scoped.",
    "captcha-": "captcha images and audio are keyed by a random challenge key, not a record id.",
    # Shared by design: everyone with the view permission reads the whole catalogue and knowledge base.
    # Their edit views are still swept (tests/sales/idor.py, tests/service/idor.py).
    "sales:product-detail": "the product catalogue is company-wide, not anyone's records.",
    "service:article-detail": "published knowledge-base articles are for everyone with the view permission.",
    "api:tag-detail": "tags are company-wide labels, read by everyone who may see customers.",
    "api:group-detail": "customer groups are company-wide, read by everyone who may see customers.",
    # PUT only (the sweep sends GET and POST); tests/api/ checks that an upsert never reaches another's record.
    "api:customer-upsert": "PUT only; scope checked in tests/api/test_customers.py.",
    "api:contact-upsert": "PUT only; scope checked in tests/api/test_customers.py.",
    "api:lead-upsert": "PUT only; scope checked in tests/api/test_sales.py.",
    "api:order-upsert": "PUT only; scope checked in tests/api/test_sales.py.",
    "api:product-": "the product catalogue is company-wide, not anyone's records.",
    "api:pipeline-detail": "pipelines and their stages are company-wide settings.",
    "api:user-detail": "colleagues' names and teams are shown to everyone signed in (owners on every record).",
    "api:team-detail": "the team tree is shown to everyone signed in.",
}
ID_ARGUMENT = re.compile(r"^(pk|id|object_id|\w+_pk|\w+_id)$")
REFUSED = {403, 404}
# A view that does not accept the method answers 405 before it looks anything up, so nothing leaks.
NOT_ALLOWED = 405


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def id_patterns() -> list[str]:
    """Names of every URL pattern with an id-like argument, excluded namespaces left out."""
    found = set()
    for name, pattern in _walk(get_resolver().url_patterns):
        if any(name.startswith(prefix) for prefix in EXCLUDED):
            continue
        arguments = pattern.pattern.regex.groupindex
        if any(ID_ARGUMENT.match(argument) for argument in arguments):
            found.add(name)
    return sorted(found)


def registry() -> dict:
    """The makers every app registers in ``tests/<app>/idor.py``."""
    merged = {}
    for module in pkgutil.iter_modules(tests.__path__):
        if not module.ispkg:
            continue
        try:
            app_registry = importlib.import_module(f"tests.{module.name}.idor").REGISTRY
        except ModuleNotFoundError as error:
            if error.name != f"tests.{module.name}.idor":
                raise
            continue
        duplicates = set(merged) & set(app_registry)
        assert not duplicates, f"registered twice: {duplicates}"
        merged.update(app_registry)
    return merged


def maker_for(name: str, makers: dict):
    keys = [key for key in makers if name == key or (key.endswith(("-", ":")) and name.startswith(key))]
    return makers[max(keys, key=len)] if keys else None


PATTERNS = id_patterns()


def test_the_sweep_finds_the_known_patterns():
    assert "customers:customer-detail" in PATTERNS and "job-detail" in PATTERNS
    assert not any(name.startswith("admin:") for name in PATTERNS)


def test_every_id_pattern_has_a_maker():
    makers = registry()
    missing = [name for name in PATTERNS if maker_for(name, makers) is None]
    assert not missing, "No IDOR maker for these URL patterns; add one to tests/<app>/idor.py REGISTRY: " + ", ".join(
        missing
    )


@pytest.fixture
def owner(db):
    return UserFactory(username="idor-owner", role=roles.SALES_REP, team=TeamFactory(name="East"))


@pytest.fixture
def outsider(db):
    return UserFactory(username="idor-outsider", role=roles.SALES_REP, team=TeamFactory(name="West"))


def sweep(client, name, maker, *, owner, outsider) -> list[str]:
    """What is wrong with one pattern: an empty list when the outsider is refused and the owner is not."""
    for role in getattr(maker, "roles", ()):
        group = Group.objects.get(name=role)
        owner.groups.add(group)
        outsider.groups.add(group)
    url = reverse(name, kwargs=maker(owner))
    data = maker.data() if hasattr(maker, "data") else {}
    problems = []
    client.force_login(outsider)
    get, post = client.get(url), client.post(url, data)
    for method, response in (("GET", get), ("POST", post)):
        if response.status_code not in REFUSED | {NOT_ALLOWED}:
            problems.append(f"{method} {url} as an outsider: {response.status_code}")
    if not {get.status_code, post.status_code} & REFUSED:
        problems.append(f"{url} answered neither 403 nor 404")
    # The control: the record is real and the owner reaches it, so the 404 above was about scope. A view
    # that only takes POST is reached by POST.
    if getattr(maker, "owner_reaches", True):
        client.force_login(owner)
        method, response = "GET", client.get(url)
        if response.status_code == NOT_ALLOWED:
            method, response = "POST", client.post(url, data)
        if response.status_code == 404:
            problems.append(
                f"{method} {url} as the owner: {response.status_code} — the maker built no record the owner reaches"
            )
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("name", PATTERNS)
def test_outsider_gets_404_or_403(name, owner, outsider, client):
    maker = maker_for(name, registry())
    if maker is None:
        pytest.fail(f"No IDOR maker for {name}; add one to tests/<app>/idor.py REGISTRY")
    assert sweep(client, name, maker, owner=owner, outsider=outsider) == []


def _leaky_view(request, pk):
    from customers.models import Customer

    return HttpResponse(Customer.objects.get(pk=pk).name)  # no visible_to: the bug the sweep exists for


urlpatterns = [path("leaky/<int:pk>/", _leaky_view, name="leaky-customer")]


@pytest.mark.django_db
@pytest.mark.urls("tests.test_idor_sweep")
def test_the_sweep_catches_a_view_that_ignores_the_scope(owner, outsider, client):
    from tests.customers.idor import customer

    problems = sweep(client, "leaky-customer", customer, owner=owner, outsider=outsider)
    assert any("GET /leaky/" in p and ": 200" in p for p in problems)
