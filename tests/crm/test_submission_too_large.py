"""A post over Django's size or count limits answers 413 with a page that says how much may be sent and that
the typed text is still in the form (it used to be a bare 400); every page carries the limits for the
browser-side check in static/js/upload-limit.js."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _post(client, data):
    return client.post(
        reverse("customers:customer-create"), urlencode(data), content_type="application/x-www-form-urlencoded"
    )


def test_text_over_the_limit_gets_a_page_naming_the_limit(client_for, rep_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    response = _post(client_for(rep_user), {"name": "Acme", "notes": "x" * 5000})
    assert response.status_code == 413
    body = response.content.decode()
    assert "The text sent is larger than 2.0\xa0KB." in body
    assert "the text you typed is still in the form" in body
    assert "data-history-back" in body and "<script>" not in body


def test_too_many_fields_get_the_same_page(client_for, rep_user, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = _post(client_for(rep_user), {f"field{n}": "x" for n in range(20)})
    assert response.status_code == 413
    assert "more than 10 fields" in response.content.decode()


def test_the_page_is_translated(client_for, rep_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    client = client_for(rep_user)
    client.cookies["django_language"] = "zh-hans"
    response = client.post(
        reverse("customers:customer-create"),
        urlencode({"notes": "x" * 5000}),
        content_type="application/x-www-form-urlencoded",
        headers={"Accept-Language": "zh-hans"},
    )
    assert response.status_code == 413
    assert "提交内容过大" in response.content.decode()


def test_a_public_form_gets_the_page_too(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    response = client.post(
        reverse("service:public-ticket-submit"),
        urlencode({"description": "x" * 5000}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413


def test_pages_carry_the_limits_for_the_browser_check(client_for, rep_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    body = client_for(rep_user).get(reverse("customers:customer-create")).content.decode()
    assert 'data-upload-text-max="2048"' in body
    assert "js/upload-limit.js" in body
