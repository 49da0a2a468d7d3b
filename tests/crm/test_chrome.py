"""The page's chrome drawn in Python (crm/templatetags/chrome.py) is the templates' markup, character for character.

``templates_before_chrome/`` holds base.html, the language switch, messages and pagination includes and the customer
table as they were before; each test draws a page through them and through today's templates and compares.
"""

import copy
from pathlib import Path

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.paginator import Paginator
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.urls import resolve, reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from accounts import roles
from tests.factories import CustomerFactory, UserFactory

BEFORE = Path(__file__).parent / "templates_before_chrome"


def _before(settings):
    """The settings' template engine with the templates of before first in its search path."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [BEFORE, *templates[0]["DIRS"]]
    return override_settings(TEMPLATES=templates)


@pytest.fixture(autouse=True)
def same_csrf_token(monkeypatch):
    # Each page masks the token afresh; the same one on both sides leaves only the markup to compare.
    monkeypatch.setattr("django.template.context_processors.get_token", lambda request: "t0ken")


@pytest.fixture(autouse=True)
def keep_language():
    # A visitor's language cookie leaves its language active in this thread after the response.
    language = translation.get_language()
    yield
    translation.activate(language)


class _Paginator(Paginator):
    def __init__(self, count, *, capped):
        super().__init__(range(count), 25)
        self.is_capped = capped


CHILD = (
    '{% extends "base.html" %}{% block title %}Page{% endblock %}'
    '{% block content %}<p>content</p>{% include "includes/pagination.html" %}{% endblock %}'
)


def _draw(user, language, *, notes, page, query="?q=acme&page=2"):
    request = RequestFactory().get("/customers/" + query)
    request.user = user
    request.resolver_match = resolve("/customers/")
    request._messages = CookieStorage(request)
    for level, text in notes:
        messages.add_message(request, level, text)
    with translation.override(language):
        return engines["django"].from_string(CHILD).render({"page": page}, request)


NOTES = [
    (messages.SUCCESS, "Saved <b>Acme</b> & Co"),
    (messages.ERROR, "Could not save"),
    (messages.INFO, mark_safe('<a href="/x/">A link</a>')),  # noqa: S308 - a fixed text of the test
]
PAGES = {
    "one page": lambda: _Paginator(1, capped=False).page(1),
    "middle page": lambda: _Paginator(1234, capped=False).page(2),
    "last page": lambda: _Paginator(60, capped=False).page(3),
    "capped": lambda: _Paginator(10_001, capped=True).page(4),
    "empty": lambda: _Paginator(0, capped=False).page(1),
    "Django's paginator": lambda: Paginator(range(60), 25).page(2),
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("staff", [False, True])
@pytest.mark.parametrize("notes", [[], NOTES], ids=["no messages", "messages"])
@pytest.mark.parametrize("page", list(PAGES))
def test_the_base_page_is_the_templates_markup(settings, db, language, staff, notes, page):
    user = UserFactory(username='"Zhang" <san>', role=roles.SALES_MANAGER, is_staff=staff)
    with _before(settings):
        before = _draw(user, language, notes=notes, page=PAGES[page]())
    after = _draw(user, language, notes=notes, page=PAGES[page]())
    assert after == before
    assert '"X-CSRFToken": "t0ken"' in after and "&quot;Zhang&quot; &lt;san&gt;" in after
    assert ('id="messages"></div>' in after) is not notes


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("htmx", [False, True])
def test_the_customer_list_is_the_templates_markup(settings, client, manager, language, htmx):
    manager.language = language
    manager.save()
    CustomerFactory.create_batch(3, owner=manager)
    client.force_login(manager)
    url = reverse("customers:customer-list") + "?ordering=name"
    headers = {"HX-Request": "true"} if htmx else {}
    with _before(settings):
        before = client.get(url, headers=headers).content.decode()
    after = client.get(url, headers=headers).content.decode()
    assert after == before
    assert 'id="customers"' in after


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_sign_in_page_is_the_templates_markup(settings, client, db, language):
    """The language switch and the messages are drawn for a visitor too, without a user's sidebar."""
    url = reverse("accounts:login") + "?next=/customers/%3Fq%3D%3Cx%3E"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with _before(settings):
        before = client.get(url).content.decode()
    after = client.get(url).content.decode()
    assert after == before
    assert 'id="language-form"' in after


def test_the_server_error_page_without_a_request_is_the_templates_markup(settings):
    with _before(settings):
        before = render_to_string("500.html")
    assert render_to_string("500.html") == before
