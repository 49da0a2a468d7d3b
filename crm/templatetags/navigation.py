"""``{% sidebar_sections nav_sections %}``: the sidebar's sections (crm.context_processors.navigation), drawn in
Python.

Every page draws the sidebar: through the template its two dozen entries each resolved four variables and two
conditions, a third of the base template's time (bench/README.md, issue 18). The markup is the template loop's own,
character for character (tests/crm/test_navigation.py draws both).
"""

from functools import lru_cache
from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@lru_cache(maxsize=4096)
def _item(url, label, icon, active):
    # The same few dozen entries on every page, each drawn once per process (its label is the language's text).
    # html.escape is what Django's escape() calls, without the check for lazy arguments on every call.
    active, current = (" active", ' aria-current="page"') if active else ("", "")
    return (
        f'\n            <li class="nav-item"><a class="nav-link{active}" href="{escape(url)}"{current}>'
        f'<i class="bi {escape(icon)}"></i> {escape(label)}</a></li>\n            '
    )


@register.simple_tag
def sidebar_sections(sections):
    parts = []
    for section in sections:
        heading = section["heading"]
        heading = f'<h6 class="sidebar-heading">{escape(str(heading))}</h6>' if heading else ""
        parts.append(f'\n          {heading}\n          <ul class="nav flex-column">\n            ')
        parts.extend(
            _item(str(item["url"]), str(item["label"]), str(item["icon"]), bool(item["active"]))
            for item in section["items"]
        )
        parts.append("\n          </ul>\n          ")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
