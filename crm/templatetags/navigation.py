"""``{% sidebar_sections nav_sections %}``: the sidebar's sections (crm.context_processors.navigation), drawn in
Python.

Every page draws the sidebar: through the template its two dozen entries each resolved four variables and two
conditions, a third of the base template's time (bench/README.md, issue 18). The markup is the template loop's own,
character for character (tests/crm/test_navigation.py draws both).
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def sidebar_sections(sections):
    parts = []
    for section in sections:
        heading = section["heading"]
        heading = f'<h6 class="sidebar-heading">{escape(heading)}</h6>' if heading else ""
        parts.append(f'\n          {heading}\n          <ul class="nav flex-column">\n            ')
        for item in section["items"]:
            active, current = (" active", ' aria-current="page"') if item["active"] else ("", "")
            parts.append(
                f'\n            <li class="nav-item"><a class="nav-link{active}" href="{escape(item["url"])}"{current}>'
                f'<i class="bi {escape(item["icon"])}"></i> {escape(item["label"])}</a></li>\n            '
            )
        parts.append("\n          </ul>\n          ")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
