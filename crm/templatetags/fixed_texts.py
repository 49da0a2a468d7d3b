"""``{% translate "a fixed text" %}`` looked up once per process and language.

Through Django's tag every fixed text of every page is translated again on each request: a lazy translation object
made and resolved, localised, escaped — 6–11 µs a tag, and a list page has twenty of them (bench/README.md, issue
18). A fixed text (a quoted string without filters, ``noop`` or ``context``) gives the same output for the same
language and escaping, so the output is kept under that key; any other use of the tag is Django's own.

``{% load i18n %}`` loads Django's library by name, and a second library under the same name is a system-check
warning, so :func:`install` (CrmConfig.ready) puts this tag into Django's i18n library in place of its own
``translate`` and ``trans``. The output is Django's, character for character (tests/crm/test_fixed_texts.py).
"""

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags import i18n
from django.utils.autoreload import file_changed
from django.utils.translation import get_language

# (language, text, autoescape) -> the tag's output
_texts = {}


class FixedTextNode(i18n.TranslateNode):
    def __init__(self, filter_expression, noop, asvar=None, message_context=None):
        super().__init__(filter_expression, noop, asvar, message_context)
        # Django's node for the same text, without "as": what is kept.
        self.translate_node = i18n.TranslateNode(filter_expression, noop)

    def render(self, context):
        key = (get_language(), self.filter_expression.var.literal, context.autoescape)
        try:
            value = _texts[key]
        except KeyError:
            value = _texts[key] = self.translate_node.render(context)
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


def do_translate(parser, token):
    node = i18n.do_translate(parser, token)
    text = node.filter_expression
    fixed = text.var.lookups is None and isinstance(text.var.literal, str) and not text.filters
    if fixed and not node.noop and node.message_context is None:
        return FixedTextNode(text, node.noop, node.asvar, node.message_context)
    return node


do_translate.__doc__ = i18n.do_translate.__doc__


def install():
    i18n.register.tag("translate", do_translate)
    i18n.register.tag("trans", do_translate)


@receiver(setting_changed)
def _forget_on_setting_change(**kwargs):
    # Tests change languages and catalogs; a process serving requests never does.
    _texts.clear()


@receiver(file_changed)
def _forget_on_catalog_change(sender, file_path, **kwargs):
    # The development server reloads a changed catalog without restarting (django.utils.translation.reloader).
    if file_path.suffix == ".mo":
        _texts.clear()
