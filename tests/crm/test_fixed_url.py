"""``{% url %}`` of a fixed route is reversed once per process (crm/templatetags/fixed_url.py, a builtin of the
engine) and gives what Django's own tag gives."""

import pytest
from django.template import Context, Engine, RequestContext, engines
from django.test import RequestFactory
from django.urls import NoReverseMatch, resolve, set_script_prefix
from django.utils import translation

from crm.templatetags.fixed_url import FixedURLNode, _address

SNIPPETS = [
    "{% url 'home' %}",
    '{% url "customers:customer-list" %}',
    "{% url 'admin:index' %}",
    "{% url 'customers:customer-detail' 5 %}",
    "{% url 'customers:customer-detail' pk=customer %}",
    "{% url name %}",
    "{% url 'home' as home %}[{{ home }}]",
    "{% url 'no-such-route' as missing %}[{{ missing }}]",
    "{% autoescape off %}{% url 'accounts:notification-list' %}{% endautoescape %}",
]


def _request():
    request = RequestFactory().get("/customers/")
    request.resolver_match = resolve("/customers/")
    return request


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("snippet", SNIPPETS)
def test_the_address_is_djangos(snippet, language):
    context = {"customer": 7, "name": "customers:contact-list"}
    with translation.override(language):
        django = Engine().from_string(snippet).render(RequestContext(_request(), context))
        ours = engines["django"].from_string(snippet).render(context, _request())
    assert ours == django
    assert ours.strip("[]") or "missing" in snippet


def test_only_a_quoted_name_without_arguments_is_kept():
    fixed, with_argument, variable = (
        engines["django"].from_string(snippet).template.nodelist[0]
        for snippet in ("{% url 'home' %}", "{% url 'customers:customer-detail' 5 %}", "{% url name %}")
    )
    assert isinstance(fixed, FixedURLNode)
    assert not isinstance(with_argument, FixedURLNode) and not isinstance(variable, FixedURLNode)


def test_a_fixed_route_is_reversed_once():
    template = engines["django"].from_string("{% url 'customers:customer-list' %}")
    template.render({}, _request())
    before = _address.cache_info()
    assert [template.render({}, _request()) for _ in range(3)] == ["/customers/"] * 3
    after = _address.cache_info()
    assert (after.hits - before.hits, after.misses - before.misses) == (3, 0)


def test_another_script_prefix_gets_its_own_address():
    template = engines["django"].from_string("{% url 'customers:customer-list' %}")
    assert template.render({}, _request()) == "/customers/"
    set_script_prefix("/crm/")
    try:
        assert template.render({}, _request()) == "/crm/customers/"
    finally:
        set_script_prefix("/")
    assert template.render({}, _request()) == "/customers/"


def test_an_unknown_route_still_fails_loudly():
    with pytest.raises(NoReverseMatch):
        engines["django"].from_string("{% url 'no-such-route' %}").template.render(Context())
