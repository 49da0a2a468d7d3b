"""Many people registering at the same moment on real PostgreSQL never take more seats than there are."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from marketing.models import Registration
from marketing.services import registrations

from .factories import EventFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_concurrent_registrations_never_exceed_capacity():
    event = EventFactory(capacity=5)
    people = 16
    barrier = threading.Barrier(people)
    errors = []

    def register(n):
        try:
            barrier.wait(timeout=30)
            registrations.registration_create(
                event=event, data={"name": f"Racer {n}", "email": f"racer{n}@example.org", "phone": ""}
            )
        except ValidationError as error:  # pragma: no cover - shown if it happens
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Registration.objects.filter(event=event, status="confirmed").count() == 5
    assert Registration.objects.filter(event=event, status="waitlisted").count() == people - 5


def test_concurrent_cancellations_promote_each_waiting_person_once():
    event = EventFactory(capacity=3)
    seated = [
        registrations.registration_create(event=event, data={"name": f"S{n}", "email": f"s{n}@example.org"})
        for n in range(3)
    ]
    for n in range(3):
        registrations.registration_create(event=event, data={"name": f"W{n}", "email": f"w{n}@example.org"})
    barrier = threading.Barrier(3)

    def cancel(registration):
        try:
            barrier.wait(timeout=30)
            registrations.registration_cancel(registration=registration)
        finally:
            connection.close()

    threads = [threading.Thread(target=cancel, args=(r,)) for r in seated]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert Registration.objects.filter(event=event, status="confirmed").count() == 3
    assert Registration.objects.filter(event=event, status="waitlisted").count() == 0
    assert set(Registration.objects.filter(event=event, status="confirmed").values_list("email", flat=True)) == {
        "w0@example.org",
        "w1@example.org",
        "w2@example.org",
    }
