"""The crawl: for every role, every page reachable from the home page by the links the app renders
answers 2xx/3xx, has no submit button outside its form, and in Chinese shows no English UI text.

Same-origin GET links only, at most ``PAGES_PER_ROLE`` pages per role, one page per URL pattern (numbers
in the path and query values do not make a new page). The Django test client, not a browser: fast.
"""

import re
from collections import deque
from urllib.parse import parse_qsl, urldefrag, urlencode, urlparse

import html5lib
import pytest
from django.utils import translation
from django.utils.translation import trans_real

from tests.world import ROLES, build_world

pytestmark = pytest.mark.django_db

PAGES_PER_ROLE = 120
# Links that end the session, download files or leave the pages a person reads.
SKIP = re.compile(
    r"^/(accounts/logout|static/|media/|healthz|metrics|api/|i18n/)|[?&]format=|/export|/download|\.(pdf|xlsx|csv)$"
)
NS = "{http://www.w3.org/1999/xhtml}"
HX = ("hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete")


def _pattern(url: str) -> str:
    parts = urlparse(url)
    path = re.sub(r"/\d+(?=/|$)", "/<n>", parts.path)
    path = re.sub(r"/[0-9a-f-]{20,}(?=/|$)|/[\w-]+:[\w:-]{20,}(?=/|$)", "/<token>", path)
    keys = sorted({key for key, _value in parse_qsl(parts.query, keep_blank_values=True)} - {"page"})
    return f"{path}?{'&'.join(keys)}"


def _links(document, base_path):
    for anchor in document.iter(f"{NS}a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")) or anchor.get("download") is not None:
            continue
        href, _fragment = urldefrag(href)
        parts = urlparse(href)
        if parts.scheme or parts.netloc:
            if parts.netloc not in ("testserver", ""):
                continue
        path = parts.path if parts.path.startswith("/") else base_path.rsplit("/", 1)[0] + "/" + parts.path
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)])
        yield f"{path}?{query}" if query else path


def _stray_submit_buttons(document) -> list[str]:
    """Submit buttons a click would send nothing with: no form around them and none named by ``form=``."""
    parents = {child: parent for parent in document.iter() for child in parent}
    stray = []
    for element in document.iter():
        if element.tag not in (f"{NS}button", f"{NS}input"):
            continue
        kind = (element.get("type") or ("submit" if element.tag == f"{NS}button" else "text")).lower()
        if kind not in ("submit", "image") or element.get("form") or any(element.get(a) for a in HX):
            continue
        node = parents.get(element)
        while node is not None and node.tag != f"{NS}form":
            node = parents.get(node)
        if node is None:
            label = " ".join("".join(element.itertext()).split()) or element.get("value") or element.get("name") or ""
            stray.append(f"<{element.tag.removeprefix(NS)}> {label!r}")
    return stray


def _visible_texts(document):
    hidden = {f"{NS}script", f"{NS}style", f"{NS}template", f"{NS}noscript", f"{NS}code", f"{NS}pre", f"{NS}textarea"}

    def walk(element, skip):
        # translate="no" marks data that looks like words (a user name such as "manager"), not UI text.
        skip = skip or element.tag in hidden or element.get("hidden") is not None or element.get("translate") == "no"
        if not skip and element.text:
            yield element.text
        for child in element:
            yield from walk(child, skip)
            if not skip and child.tail:
                yield child.tail

    for text in walk(document, False):
        text = " ".join(text.split())
        if text:
            yield text


def _english_ui_strings() -> set[str]:
    """The catalogs' English messages whose Chinese differs: seeing one in a Chinese page is a miss."""
    catalog = trans_real.translation("zh-hans")._catalog
    found = set()
    for msgid, msgstr in catalog.items():
        if isinstance(msgid, tuple) or not isinstance(msgstr, str) or not msgid or "%" in msgid or "{" in msgid:
            continue
        text = " ".join(msgid.split())
        if msgstr.strip() and msgstr.strip() != text and len(text) >= 3 and re.search(r"[A-Za-z]{3}", text):
            found.add(text)
    return found


def crawl(client, *, english=None):
    problems, seen, queue, visited = [], set(), deque(["/"]), 0
    while queue and visited < PAGES_PER_ROLE:
        url = queue.popleft()
        response = client.get(url)
        visited += 1
        if response.status_code >= 400:
            problems.append(f"{url}: {response.status_code}")
            continue
        if response.status_code >= 300 or "html" not in response.get("Content-Type", ""):
            continue
        document = html5lib.parse(response.content, treebuilder="etree", namespaceHTMLElements=True)
        if not url.startswith("/admin/"):  # Django's own admin has script-driven buttons by design
            problems += [f"{url}: submit button outside its form: {b}" for b in _stray_submit_buttons(document)]
        if english:
            leaked = sorted({text for text in _visible_texts(document) if text in english})
            if leaked:
                problems.append(f"{url}: English UI text in Chinese: {leaked[:8]}")
        for link in _links(document, urlparse(url).path):
            if SKIP.search(link):
                continue
            key = _pattern(link)
            if key not in seen:
                seen.add(key)
                queue.append(link)
    return problems, visited


@pytest.fixture
def world(db):
    yield build_world()
    # The pages activated the signed-in user's language in this thread; later tests start from the default.
    translation.deactivate()


ROLE_NAMES_PENDING = pytest.mark.xfail(
    strict=False,
    reason="the Django admin in Chinese still shows role names in the user and service-account forms, list "
    "filters by code, and English from third-party apps without a Chinese catalog (django-otp, celery beat)",
)


CASES = [
    pytest.param(username, language, marks=() if (username, language) == ("admin", "zh-hans") else ())
    for language in ("en", "zh-hans")
    for username in ROLES
]


@pytest.mark.parametrize(("username", "language"), CASES)
def test_every_page_a_role_can_reach_answers_and_keeps_its_buttons_in_their_forms(client, world, username, language):
    user = world.users[username]
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    english = _english_ui_strings() if language == "zh-hans" else None
    with translation.override(language):
        problems, visited = crawl(client, english=english)
    assert visited > 5, f"{username} reached only {visited} pages"
    assert not problems, "\n".join(problems[:60])


def test_the_crawl_would_see_a_button_outside_its_form_and_english_in_a_chinese_page():
    page = b"""<html><body><form method=post><form><input name=a></form><button>Save</button></form>
    <p>Customers</p><p>\xe5\xae\xa2\xe6\x88\xb7</p></body></html>"""
    document = html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=True)
    # The nested start tag is ignored and the inner end tag closes the outer form: Save is outside.
    assert _stray_submit_buttons(document) == ["<button> 'Save'"]
    english = _english_ui_strings()
    assert "Customers" in english
    assert [text for text in _visible_texts(document) if text in english] == ["Save", "Customers"]
