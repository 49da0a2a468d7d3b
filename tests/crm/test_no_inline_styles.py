"""The CSP allows no inline style: templates carry classes and data-* attributes, never style attributes."""

import re
from pathlib import Path

from django.conf import settings

STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^<>]*\sstyle\s*=", re.S)
INLINE_STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)
COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.S)


def test_templates_write_no_style_attributes_or_elements():
    found = []
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(directory).rglob("*.html"):
            text = COMMENT.sub("", path.read_text(encoding="utf-8"))
            if STYLE_ATTRIBUTE.search(text) or INLINE_STYLE_ELEMENT.search(text):
                found.append(str(path.relative_to(directory)))
    assert found == []


def test_the_policy_allows_no_inline_style():
    assert "'unsafe-inline'" not in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
