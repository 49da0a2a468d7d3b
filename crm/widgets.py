"""Form widgets drawn in Python: the same HTML as Django's widget templates, without a template render per widget
and per option.

A list's filter form has a dozen selects with up to a few dozen options each; drawn through Django's form
templates (an ``include`` per option and per attribute list) it was a third of a list page's server time.
:func:`render_in_python` switches a form's plain inputs and selects to subclasses whose ``render`` writes the same
markup directly (tests compare the two); a widget with a template of its own keeps it.
"""

from django import forms
from django.forms.widgets import Input
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def _attrs(attrs) -> str:
    # django/forms/widgets/attrs.html
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class _InputInPython:
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value = widget["value"]
        shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
        name = conditional_escape(widget["name"])
        return mark_safe(f'<input type="{widget["type"]}" name="{name}"{shown}{_attrs(widget["attrs"])}>')  # noqa: S308 - every value above is escaped


class _SelectInPython:
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


_INPUT_TEMPLATES = {f"django/forms/widgets/{kind}.html" for kind in ("text", "date", "number", "email", "hidden")}
_classes = {}


def _python_class(widget):
    cls = type(widget)
    if isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        if widget.template_name != "django/forms/widgets/select.html" or widget.option_template_name != (
            "django/forms/widgets/select_option.html"
        ):
            return None
        mixin = _SelectInPython
    elif isinstance(widget, Input) and widget.template_name in _INPUT_TEMPLATES:
        mixin = _InputInPython
    else:
        return None
    if cls not in _classes:
        _classes[cls] = type(cls.__name__, (mixin, cls), {"__module__": cls.__module__, "__wrapped_widget__": cls})
    return _classes[cls]


def render_in_python(form) -> None:
    """Switch the form's plain inputs and single selects to widgets that draw themselves in Python."""
    for field in form.fields.values():
        fast = _python_class(field.widget)
        if fast is not None:
            field.widget.__class__ = fast
