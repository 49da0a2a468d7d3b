"""The error pages wear the app's layout in the reader's language (the server-error page without the
database), the site has a favicon, and the captcha is easy to read."""

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from crm.public import CAPTCHA_ALPHABET, captcha_challenge


@pytest.mark.django_db
def test_a_missing_page_answers_with_the_apps_404_page_in_the_users_language(client_for, rep_user):
    rep_user.language = "zh-hans"
    rep_user.save(update_fields=["language"])
    response = client_for(rep_user).get("/customers/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    html = response.content.decode()
    assert 'id="error-page"' in html and "页面不存在" in html and "favicon" in html


@pytest.mark.django_db
def test_a_page_the_role_does_not_open_answers_with_the_403_page(client_for, rep_user):
    response = client_for(rep_user).get(reverse("security:behaviour-log"))
    assert response.status_code == 403
    assert "403.html" in [template.name for template in response.templates]
    assert "Not allowed" in response.content.decode()


def test_the_server_error_page_renders_without_the_database():
    # no django_db mark: any query would fail the test
    with translation.override("zh-hans"):
        response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and 'id="error-page"' in html and "出错了" in html


@pytest.mark.django_db
def test_the_favicon_is_served_and_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("favicon.ico")
    icon = settings.BASE_DIR / "static" / "favicon.ico"
    assert icon.read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert 'rel="icon"' in client.get(reverse("accounts:login")).content.decode()


def test_the_captcha_uses_upright_letters_without_look_alikes():
    text, answer = captcha_challenge()
    assert len(text) == settings.CAPTCHA_LENGTH and answer == text.lower()
    assert set(text) <= set(CAPTCHA_ALPHABET) and not set("0O1IL2Z5S8B") & set(CAPTCHA_ALPHABET)
    assert settings.CAPTCHA_NOISE_FUNCTIONS == ("captcha.helpers.noise_dots",)
    assert max(abs(angle) for angle in settings.CAPTCHA_LETTER_ROTATION) <= 10
