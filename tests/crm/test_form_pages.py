"""Every page renders its forms so that a browser submits them: no form inside another form (the browser
drops the inner start tag and the inner ``</form>`` closes the outer one) and no submit button outside a
form. Pages are discovered from the URL configuration and parsed with html5lib, as a browser parses them.
"""

import html5lib
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts import roles
from tests.factories import TeamFactory, UserFactory
from tests.test_idor_sweep import _walk, maker_for, registry

# Pages that are not HTML forms to check, each for its reason.
SKIPPED = {
    "admin:": "Django admin's own templates.",
    "logout": "signs the user out.",
    "captcha-": "images and audio.",
    "set_language": "POST only.",
}
PAGE_WORDS = (
    "create",
    "update",
    "edit",
    "convert",
    "new",
    "add",
    "import",
    "preferences",
    "password",
    "lost",
    "detail",
)


def form_page_names() -> list[str]:
    from django.urls import get_resolver

    names = set()
    for name, _pattern in _walk(get_resolver().url_patterns):
        if any(name.startswith(prefix) for prefix in SKIPPED):
            continue
        if any(word in name.rsplit(":", 1)[-1] for word in PAGE_WORDS):
            names.add(name)
    return sorted(names)


def form_problems(html: str) -> list[str]:
    """What a browser would get wrong about the page's forms."""
    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    document = parser.parse(html)
    problems = [
        f"nested <form> at line {line}"
        for (line, _col), code, data in parser.errors
        if code == "unexpected-start-tag" and data.get("name") == "form"
    ]
    form_ids = {form.get("id") for form in document.iter("form") if form.get("id")}
    inside = set()
    for form in document.iter("form"):
        inside.update(id(element) for element in form.iter())
    for element in document.iter():
        submit = (element.tag == "button" and (element.get("type") or "submit") == "submit") or (
            element.tag == "input" and element.get("type") in {"submit", "image"}
        )
        if submit and id(element) not in inside and element.get("form") not in form_ids:
            label = element.get("id") or element.get("name") or "".join(element.itertext()).strip()
            problems.append(f"submit button {label!r} outside any form")
    return problems


def test_the_check_catches_a_nested_form_and_a_stray_button():
    html = '<form id="a"><form><input name="x"></form><button id="save">Save</button></form>'
    assert form_problems(html) == ["nested <form> at line 1", "submit button 'save' outside any form"]


@pytest.fixture
def manager(db):
    user = UserFactory(username="form-pages", team=TeamFactory(name="East"))
    user.groups.add(*Group.objects.filter(name__in=[roles.SALES_MANAGER, roles.MARKETING, roles.SERVICE_AGENT]))
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    return user


FORM_PAGES = form_page_names()


def test_the_pages_include_lead_conversion_and_the_customer_form():
    assert "sales:lead-convert" in FORM_PAGES and "customers:customer-create" in FORM_PAGES


@pytest.mark.django_db
@pytest.mark.parametrize("name", FORM_PAGES)
def test_every_form_page_keeps_its_buttons_inside_one_form(name, manager, client):
    from django.urls import NoReverseMatch

    try:
        url = reverse(name)
    except NoReverseMatch:
        maker = maker_for(name, registry())
        if maker is None:
            pytest.skip(f"{name} takes no record id")
        for role in getattr(maker, "roles", ()):
            manager.groups.add(Group.objects.get(name=role))
        url = reverse(name, kwargs=maker(manager))
    client.force_login(manager)
    response = client.get(url)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        pytest.skip(f"GET {url} answered {response.status_code} {response.get('Content-Type')}")
    assert form_problems(response.content.decode()) == []
