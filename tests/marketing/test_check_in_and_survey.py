"""Check-in at the door, live progress, the post-event survey and the statistics page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from marketing import links
from marketing.models import Event, Prospect, SurveyResponse
from marketing.services import registrations

from .factories import EventFactory, RegistrationFactory, linked_pk

pytestmark = pytest.mark.django_db


def test_staff_check_in_by_typed_code(client_for, marketer):
    registration = RegistrationFactory(code="ABCD234567")
    url = reverse("marketing:event-check-in", args=[registration.event.pk])
    response = client_for(marketer).post(url, {"code": " abcd 234567 "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "is checked in" in response.content.decode()
    registration.refresh_from_db()
    assert registration.checked_in_at and registration.checked_in_by == marketer

    again = client_for(marketer).post(url, {"code": "ABCD234567"}, HTTP_HX_REQUEST="true")
    assert "already checked in" in again.content.decode()


def test_a_code_of_another_event_is_unknown_here(client_for, marketer):
    registration = RegistrationFactory(code="OTHER23456")
    event = EventFactory()
    response = client_for(marketer).post(reverse("marketing:event-check-in", args=[event.pk]), {"code": "OTHER23456"})
    assert "No registration for this event" in response.content.decode()
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_waitlisted_people_cannot_check_in(marketer):
    registration = RegistrationFactory(status="waitlisted", code="WAIT234567")
    with pytest.raises(Exception, match="not confirmed"):
        registrations.registration_check_in(actor=marketer, event=registration.event, code="WAIT234567")


def test_check_in_page_loads_the_scanner_without_inline_script(client_for, marketer):
    event = EventFactory()
    html = client_for(marketer).get(reverse("marketing:event-check-in", args=[event.pk])).content.decode()
    assert "vendor/jsqr/jsQR.js" in html and "js/marketing.js" in html
    assert "<script>" not in html and " onclick=" not in html


def test_progress_counts_and_attendance_rate(client_for, marketer):
    event = EventFactory()
    RegistrationFactory.create_batch(3, event=event, checked_in_at=timezone.now())
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status="waitlisted")
    RegistrationFactory(event=event, status="cancelled")
    response = client_for(marketer).get(reverse("marketing:event-progress", args=[event.pk]))
    progress = response.context["progress"]
    assert (progress["registered"], progress["confirmed"], progress["checked_in"]) == (5, 4, 3)
    assert progress["attendance_rate"] == 75
    assert 'hx-trigger="every 5s"' in response.content.decode()


def test_finishing_sends_the_survey_to_attendees_once(marketer):
    event = EventFactory(status=Event.Status.ONGOING)
    came = RegistrationFactory(event=event, checked_in_at=timezone.now())
    RegistrationFactory(event=event)  # registered but did not come
    assert registrations.event_survey_send(event_id=event.pk) == 1
    assert registrations.event_survey_send(event_id=event.pk) == 0
    assert [m.to for m in mail.outbox] == [[came.email]]
    assert linked_pk(mail.outbox[0].body, "survey", links.SURVEY) == came.pk


def test_survey_link_takes_one_answer(client):
    registration = RegistrationFactory(checked_in_at=timezone.now())
    url = reverse("marketing:public-survey", args=[links.make_token(links.SURVEY, registration.pk)])
    assert client.post(url, {"score": "4", "comment": "Good talks"}).status_code == 200
    client.post(url, {"score": "1"})
    answer = SurveyResponse.objects.get()
    assert (answer.score, answer.comment) == (4, "Good talks")


def test_people_who_did_not_attend_cannot_answer():
    registration = RegistrationFactory()
    with pytest.raises(Exception, match="attendees"):
        registrations.survey_answer(registration=registration, score=5)


def test_survey_link_for_another_purpose_is_rejected(client):
    registration = RegistrationFactory(checked_in_at=timezone.now())
    token = links.make_token(links.CANCEL, registration.pk)
    assert client.get(reverse("marketing:public-survey", args=[token])).status_code == 404


def test_statistics_page(client_for, marketer):
    event = EventFactory(ends_at=timezone.now() + timedelta(days=8))
    for score in (5, 4, 4):
        registration = RegistrationFactory(event=event, checked_in_at=timezone.now())
        SurveyResponse.objects.create(registration=registration, score=score)
    RegistrationFactory(event=event)
    Prospect.objects.create(campaign=event.campaign, event=event, source="event", name="New", reference="r:1")
    response = client_for(marketer).get(reverse("marketing:event-statistics", args=[event.pk]))
    stats = response.context["stats"]
    assert stats["registered"] == 4 and stats["checked_in"] == 3 and stats["attendance_rate"] == 75
    assert stats["average"] == pytest.approx(4.33, abs=0.01)
    assert stats["distribution"]["values"] == [0, 0, 0, 2, 1]
    assert stats["new_leads"] == 1


def test_registrations_export_to_csv_neutralises_formulas_and_is_logged(client_for, marketer):
    from crm.models import BehaviourLog

    event = EventFactory()
    RegistrationFactory(event=event, name='=HYPERLINK("x")', company="蓝海科技", checked_in_at=timezone.now())
    response = client_for(marketer).get(reverse("marketing:event-export", args=[event.pk]), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "蓝海科技" in text and "Confirmed" in text
    assert BehaviourLog.objects.filter(action="export", detail__dataset="event-registrations").exists()


def test_registrations_export_to_xlsx(client_for, marketer):
    from io import BytesIO

    from openpyxl import load_workbook

    event = EventFactory()
    RegistrationFactory.create_batch(3, event=event)
    response = client_for(marketer).get(reverse("marketing:event-export", args=[event.pk]))
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert rows[0][0] == "Name" and len(rows) == 4


def test_reminders_go_once_to_confirmed_guests_of_events_starting_soon(settings):
    settings.MARKETING_EVENT_REMINDER_HOURS = 24
    soon = EventFactory(starts_at=timezone.now() + timedelta(hours=5))
    later = EventFactory(starts_at=timezone.now() + timedelta(days=3))
    guest = RegistrationFactory(event=soon)
    RegistrationFactory(event=soon, status="waitlisted")
    RegistrationFactory(event=soon, status="cancelled")
    RegistrationFactory(event=later)

    assert registrations.event_reminders_send() == 1
    assert registrations.event_reminders_send() == 0
    assert [m.to for m in mail.outbox] == [[guest.email]]
    assert guest.code in mail.outbox[0].body
    assert linked_pk(mail.outbox[0].body, "cancel", links.CANCEL) == guest.pk
