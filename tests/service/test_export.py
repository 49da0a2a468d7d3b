"""Ticket export: what the list shows (view, filter, scope), at once or as a background job."""

import csv
import io
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from openpyxl import load_workbook

from crm.celery import app
from crm.models import BehaviourLog, Job

from .factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db


def _rows(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_export_follows_the_view_the_filter_and_the_scope(client_for, queue, customer, agent, outsider_agent):
    TicketFactory(queue=queue, customer=customer, assignee=agent, type="complaint", subject="=HYPERLINK(bad)")
    TicketFactory(queue=queue, customer=customer, assignee=agent, type="inquiry", subject="Opening hours")
    TicketFactory(queue=QueueFactory(agents=[outsider_agent]), customer=customer, type="complaint", subject="Theirs")
    response = client_for(agent).get(
        reverse("service:ticket-export", args=["csv"]), {"view": "all", "type": "complaint"}
    )
    rows = _rows(response)
    assert rows[0][:3] == ["Number", "Subject", "Type"]
    assert [row[1] for row in rows[1:]] == ["'=HYPERLINK(bad)"]  # formula neutralised
    assert rows[1][2] == "Complaint"
    log = BehaviourLog.objects.get(action=BehaviourLog.Action.EXPORT)
    assert log.detail["rows"] == 1 and log.detail["filter"]["type"] == "complaint"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_large_export_runs_as_a_job_on_a_real_worker(client_for, queue, customer, agent, agent2, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 2
    TicketFactory.create_batch(3, queue=queue, customer=customer, assignee=agent)
    TicketFactory(queue=queue, customer=customer, assignee=agent2)
    client = client_for(agent)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        response = client.get(reverse("service:ticket-export", args=["xlsx"]), {"view": "mine"})
        job = Job.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
        for _ in range(300):
            job.refresh_from_db()
            if job.status in (Job.Status.DONE, Job.Status.FAILED):
                break
            time.sleep(0.1)
    assert job.status == Job.Status.DONE, job.error
    assert job.result["rows"] == 3
    download = client.get(reverse("job-download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == 4


def test_an_unknown_format_is_not_found(client_for, agent):
    assert client_for(agent).get(reverse("service:ticket-export", args=["pdf"])).status_code == 404
