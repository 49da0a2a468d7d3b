"""``{% translate "a fixed text" %}`` is looked up once per process and language (crm/templatetags/fixed_texts.py)
and gives what Django's own tag gives."""

from unittest import mock

import pytest
from django.template import engines
from django.templatetags import i18n
from django.utils import translation

from crm.templatetags.fixed_texts import FixedTextNode, _texts

SNIPPETS = [
    '{% translate "Customers" %}',
    "{% trans 'Customers' %}",
    '{% translate "Customers" as title %}<h1>{{ title }}</h1>',
    '{% translate "Name, phone, e-mail or contact" %}',
    '{% translate "<b>Tom & Jerry</b> 100%" %}',
    '{% autoescape off %}{% translate "<b>Tom & Jerry</b>" %}{% endautoescape %}',
    '{% translate "Customers" noop %}',
    '{% translate "May" context "month name" %}',
    '{% translate "customers"|upper %}',
    "{% translate text %}",
]


def _render(snippet, language):
    with translation.override(language):
        return engines["django"].from_string("{% load i18n %}" + snippet).render({"text": "Customers"})


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("snippet", SNIPPETS)
def test_the_text_is_djangos(snippet, language):
    ours = [_render(snippet, language) for _ in range(2)]  # looked up, then kept
    with mock.patch.object(FixedTextNode, "render", i18n.TranslateNode.render):
        django = _render(snippet, language)
    assert ours == [django, django]


def test_each_language_keeps_its_own_text():
    assert (_render('{% translate "Customers" %}', "en"), _render('{% translate "Customers" %}', "zh-hans")) == (
        "Customers",
        "客户",
    )


def test_only_a_fixed_text_is_kept():
    nodes = [
        engines["django"]
        .from_string("{% load i18n %}" + snippet)
        .template.nodelist.get_nodes_by_type(i18n.TranslateNode)[0]
        for snippet in SNIPPETS
    ]
    assert [isinstance(node, FixedTextNode) for node in nodes] == [True] * 6 + [False] * 4


def test_a_kept_text_is_not_translated_again():
    _render('{% translate "Customers" %}', "zh-hans")
    assert _texts[("zh-hans", "Customers", True)] == "客户"
    with mock.patch.object(i18n.TranslateNode, "render", side_effect=AssertionError):
        assert _render('{% translate "Customers" %}', "zh-hans") == "客户"
