"""Mails to people who registered for an event are written in their language — the one of the public page
they registered on — not the company's: the confirmation, the reminder, the cancellation and the survey.
Someone registered by staff gets the company's language."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone, translation

from marketing.models import Registration
from marketing.services import registrations

from .factories import EventFactory, RegistrationFactory
from .test_registration import _post

pytestmark = pytest.mark.django_db


def _subject(language, message, event):
    with translation.override(language):
        return translation.gettext(message) % {"theme": event.theme}


def _register_on_page(client, event, n, language, capture):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    with capture(execute=True):
        _post(client, event, n)
    return Registration.objects.get(email=f"guest{n}@example.org")


@pytest.fixture
def soon(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.LANGUAGE_CODE = "zh-hans"  # the company's language differs from the English visitor's
    settings.MARKETING_EVENT_REMINDER_HOURS = 24
    now = timezone.now()
    return EventFactory(
        starts_at=now + timedelta(hours=5),
        ends_at=now + timedelta(hours=8),
        registration_deadline=now + timedelta(hours=1),
    )


def _mails_to(registration):
    return [m.subject for m in mail.outbox if m.to == [registration.email]]


def test_each_visitor_gets_every_event_mail_in_the_language_of_the_page_they_registered_on(
    client, soon, django_capture_on_commit_callbacks
):
    chinese = _register_on_page(client, soon, 1, "zh-hans", django_capture_on_commit_callbacks)
    english = _register_on_page(client, soon, 2, "en", django_capture_on_commit_callbacks)
    assert (chinese.language, english.language) == ("zh-hans", "en")

    assert registrations.event_reminders_send() == 2
    Registration.objects.filter(pk__in=[chinese.pk, english.pk]).update(checked_in_at=timezone.now())
    assert registrations.event_survey_send(event_id=soon.pk) == 2
    assert registrations.event_cancellation_send(event_id=soon.pk) == 2

    messages = ["You are registered: %(theme)s", "Reminder: %(theme)s", "How was %(theme)s?", "Cancelled: %(theme)s"]
    for registration, language in [(chinese, "zh-hans"), (english, "en")]:
        assert _mails_to(registration) == [_subject(language, m, soon) for m in messages], language
    assert _subject("zh-hans", messages[0], soon) != _subject("en", messages[0], soon)


def test_someone_registered_by_staff_gets_the_company_language(soon):
    guest = RegistrationFactory(event=soon)
    assert guest.language == ""
    with translation.override("en"):  # the staff member's page
        registrations.event_reminders_send()
    assert _mails_to(guest) == [_subject("zh-hans", "Reminder: %(theme)s", soon)]
