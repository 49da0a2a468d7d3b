"""The user manual: docs/<language>/*.md, one page per role, shown in the app's help as HTML.

The same files are the manual on the repository (README links them); the pictures beside them are the
browser journeys' screenshots (``make manual-screenshots``). A picture not taken yet is left out.
"""

from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt

DOCS = Path(settings.BASE_DIR) / "docs"
PAGES = {
    "index": _("User manual"),
    "rep": _("Sales rep"),
    "manager": _("Sales manager"),
    "marketing": _("Marketing"),
    "service": _("Service agent"),
    "executive": _("Executive"),
    "admin": _("Administrator"),
}


def manual_language() -> str:
    return "zh-Hans" if (get_language() or "").startswith("zh") else "en"


def page_html(page: str, *, image_url, page_url) -> str | None:
    """The page in the reader's language as HTML (raw HTML in the Markdown is escaped); None if absent."""
    if page not in PAGES:
        return None
    language = manual_language()
    path = DOCS / language / f"{page}.md"
    if not path.exists():
        return None
    markdown = MarkdownIt("commonmark", {"html": False})
    tokens = markdown.parse(path.read_text(encoding="utf-8"))
    for token in tokens:
        for child in token.children or []:
            if child.type == "image":
                name = Path(child.attrGet("src") or "").name
                if (DOCS / language / "img" / name).exists():
                    child.attrSet("src", image_url(name))
                    child.attrSet("class", "img-fluid border rounded my-2")
                else:
                    child.type, child.content, child.children = "text", "", []
            if child.type == "link_open":
                href = child.attrGet("href") or ""
                if href.endswith(".md") and "/" not in href and href.removesuffix(".md") in PAGES:
                    child.attrSet("href", page_url(href.removesuffix(".md")))
    return markdown.renderer.render(tokens, markdown.options, {})


def image_path(name: str) -> Path | None:
    if "/" in name or "\\" in name or not name.endswith(".png"):
        return None
    path = DOCS / manual_language() / "img" / name
    return path if path.is_file() else None
