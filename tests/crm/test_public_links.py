"""Links in e-mails and on share pages lead to where the app is served: SITE_URL, which follows HOST and
PORT unless it is set."""

import os
import re
import subprocess
import sys

import pytest
from django.core import mail

from crm.links import absolute
from crm.notifications import notify
from marketing.services import registrations
from tests.factories import UserFactory
from tests.marketing.factories import EventFactory

URL = re.compile(r"https?://[^\s\"'<>]+")


def _site_url(**environment) -> str:
    env = {key: value for key, value in os.environ.items() if key not in {"SITE_URL", "HOST", "PORT"}}
    env.update(environment, DJANGO_SETTINGS_MODULE="crm.settings.dev")
    code = "from django.conf import settings; print(settings.SITE_URL)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    return result.stdout.strip()


def test_site_url_follows_the_port_make_run_serves_on():
    assert _site_url(PORT="8765") == "http://127.0.0.1:8765"
    assert _site_url(HOST="0.0.0.0", PORT="9000") == "http://127.0.0.1:9000"  # noqa: S104
    assert _site_url() == "http://127.0.0.1:8000"


def test_a_site_url_that_is_set_wins():
    assert _site_url(PORT="8765", SITE_URL="https://crm.example.com") == "https://crm.example.com"


def test_absolute_links_start_with_the_site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8765/"
    assert absolute("/m/r/abc/") == "http://127.0.0.1:8765/m/r/abc/"


@pytest.mark.django_db
def test_every_link_in_a_registration_mail_and_a_notification_uses_the_site_url(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://127.0.0.1:8765"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        registrations.registration_create(
            event=event, data={"name": "Guest", "company": "Acme", "email": "guest@example.org", "phone": ""}
        )
        notify(user=UserFactory(), title="Task due", url="/customers/1/", email=True)
    bodies = [message.body for message in mail.outbox] + [
        content for message in mail.outbox for content, _type in getattr(message, "alternatives", [])
    ]
    links = [link for body in bodies for link in URL.findall(body)]
    assert len(links) >= 2
    assert all(link.startswith("http://127.0.0.1:8765/") for link in links), links
