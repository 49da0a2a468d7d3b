"""Every document, mail and notification is rendered in its reader's language."""

import io

import pytest
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from pypdf import PdfReader

from tests.factories import CustomerFactory
from tests.sales.factories import OrderFactory

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize("language, word, other", [("en", "Unit price", "单价"), ("zh-hans", "单价", "Unit price")])
def test_an_order_pdf_is_in_the_requesting_users_language(client_for, manager, language, word, other):
    manager.language = language
    manager.save(update_fields=["language"])
    order = OrderFactory(customer=CustomerFactory(owner=manager))
    client = client_for(manager)
    client.cookies["django_language"] = "zh-hans" if language == "en" else "en"
    response = client.get(reverse("sales:order-pdf", args=[order.pk]))
    text = _pdf_text(response.content)
    assert word in text and other not in text


@pytest.mark.parametrize("language, word, other", [("en", "Dashboard", "仪表盘"), ("zh-hans", "仪表盘", "Dashboard")])
def test_a_report_pdf_is_in_the_requesting_users_language(client_for, manager, language, word, other):
    manager.language = language
    manager.save(update_fields=["language"])
    client = client_for(manager)
    client.cookies["django_language"] = "zh-hans" if language == "en" else "en"
    response = client.get(reverse("reports:dashboard"), {"format": "pdf"})
    text = _pdf_text(response.content)
    assert word in text and other not in text


def test_an_alert_reaches_each_administrator_in_their_own_language(settings, django_capture_on_commit_callbacks):
    from django.core import mail

    from accounts import roles
    from crm.models import Notification
    from security.services.alerts import alert_administrators
    from tests.factories import UserFactory

    english = UserFactory(username="root-en", role=roles.ADMINISTRATOR, language="en")
    chinese = UserFactory(username="root-zh", role=roles.ADMINISTRATOR, language="zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        alert_administrators(
            key="test", title=gettext_lazy("Backup failed"), body=lambda: gettext("Large export"), url="/x/"
        )
    assert Notification.objects.get(user=english).title == "Backup failed"
    assert Notification.objects.get(user=chinese).title == "备份失败"
    assert Notification.objects.get(user=chinese).body == "大批量导出"
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects == {english.email: "Backup failed", chinese.email: "备份失败"}


def test_a_reader_without_a_preference_reads_the_company_language(settings):
    from crm.i18n import for_reader
    from tests.factories import UserFactory

    settings.LANGUAGE_CODE = "zh-hans"
    with for_reader(UserFactory(language="")):
        assert gettext("Backup failed") == "备份失败"
