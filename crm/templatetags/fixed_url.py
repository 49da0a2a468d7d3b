"""``{% url %}`` with the address of a fixed route (a quoted name, no arguments) reversed once per process.

A builtin of the template engine (``TEMPLATES["OPTIONS"]["builtins"]``), so it stands in for Django's own tag in every
template. Reversing a name walks the URL resolver every time: 20–35 µs a tag, and every page has a handful of them
(its buttons, forms and links to other lists) that give the same address on every request (bench/README.md, issue
18). An address depends only on the name, the current application's namespace, the script prefix, the URLconf and
the language, which are the cache's key; a tag with arguments or a view name held in a variable is Django's own.
"""

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=4096)
def _address(view_name, current_app, script_prefix, urlconf, language):
    url = reverse(view_name, current_app=current_app)
    return url, conditional_escape(url)


@receiver(setting_changed)
def _forget_addresses(**kwargs):
    # Tests change URLconfs and languages; a process serving requests never does.
    _address.cache_clear()


class FixedURLNode(defaulttags.URLNode):
    def render(self, context):
        # The current application as Django's URLNode finds it.
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = escaped = ""
        try:
            url, escaped = _address(self.view_name.var, current_app, get_script_prefix(), get_urlconf(), get_language())
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return escaped if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    name = node.view_name
    # A quoted name is parsed to its text; a variable, to a Variable.
    fixed = isinstance(name.var, str) and not name.filters
    if fixed and not node.args and not node.kwargs:
        return FixedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
    return node


url.__doc__ = defaulttags.url.__doc__
