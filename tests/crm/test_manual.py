"""The user manual: docs/<language>/ pages, shown in the app's help in the reader's language."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "heading"), [("en", "User manual"), ("zh-hans", "用户手册")])
def test_the_manual_opens_from_every_page_in_the_readers_language(client, language, heading):
    client.force_login(UserFactory(language=language))
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("manual")}"' in home  # the book icon in the top bar
    page = client.get(reverse("manual")).content.decode()
    assert f"<h1>{heading}</h1>" in page
    assert reverse("manual-page", args=["rep"]) in page


def test_a_role_page_shows_its_steps_and_only_the_pictures_that_exist(client):
    client.force_login(UserFactory(language="en"))
    html = client.get(reverse("manual-page", args=["executive"])).content.decode()
    assert "<h1>Executive</h1>" in html and "<ol>" in html
    article = html.split('id="manual-page"', 1)[1].split("</article>", 1)[0]
    pictures = [part.split('"')[0] for part in article.split('src="')[1:]]
    for src in pictures:
        assert src.startswith("/help/manual/img/")
        assert client.get(src).status_code == 200


def test_unknown_pages_and_paths_outside_the_manual_are_not_found(client):
    client.force_login(UserFactory())
    assert client.get(reverse("manual-page", args=["secrets"])).status_code == 404
    assert client.get("/help/manual/img/..%2F..%2Fmanage.py").status_code == 404


def test_the_readme_and_the_help_page_link_the_manual(client):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "docs/en/index.md" in readme and "docs/zh-Hans/index.md" in readme
    client.force_login(UserFactory())
    assert reverse("manual") in client.get(reverse("service:help")).content.decode()
