"""``{% filter_fields filter %}``: the fields of a list's filter form (``includes/filter_fields.html``), cached while
nothing they depend on changes (crm.filters.cached_filter_fields).

Optional arguments as the include's: ``column="…"`` for the column classes, ``skip="q"`` for a field the page draws
itself.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from crm.filters import cached_filter_fields

register = template.Library()


@register.simple_tag
def filter_fields(filterset, skip="", column=""):
    def render():
        context = {"form": filterset.form, "skip": skip, "column": column}
        return render_to_string("includes/filter_fields.html", context)

    return mark_safe(cached_filter_fields(filterset, render, skip, column))  # noqa: S308 - the template's own output
