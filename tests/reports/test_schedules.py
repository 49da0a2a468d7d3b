"""Scheduled reports: e-mailed once per period with the owner's scope, every run recorded, failures retried."""

import io
from datetime import datetime

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from crm.celery import app
from crm.models import BehaviourLog
from reports import services, tasks
from reports.models import ReportRun, ReportSchedule
from tests.factories import CustomerFactory

from .factories import ReportScheduleFactory, SavedReportFactory

pytestmark = pytest.mark.django_db


def _shanghai(*args):
    return datetime(*args, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def schedule(rep_user, far_rep):
    CustomerFactory(owner=rep_user, lifecycle_stage="vip")
    CustomerFactory(owner=rep_user, lifecycle_stage="vip")
    CustomerFactory(owner=far_rep, lifecycle_stage="vip")
    report = SavedReportFactory(
        owner=rep_user, name="VIP count", definition={"group_by": [{"field": "lifecycle_stage"}]}
    )
    return ReportScheduleFactory(report=report)


def test_the_beat_task_twice_sends_the_report_once(schedule, rep_user):
    assert tasks.send_scheduled_reports() == {"sent": 1, "skipped": 0}
    assert tasks.send_scheduled_reports() == {"sent": 0, "skipped": 1}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["boss@example.com", "team@example.com"]
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".xlsx") and "spreadsheetml" in mimetype
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[3:] == [("VIP", 2)]  # Alice's scope: Carol's VIP is not counted
    run = ReportRun.objects.get()
    assert run.schedule == schedule and run.rows == 1
    assert BehaviourLog.objects.filter(action=BehaviourLog.Action.EXPORT, user=rep_user, module="reports").count() == 1


def test_each_period_gets_its_own_send(schedule):
    schedule.frequency = ReportSchedule.Frequency.WEEKLY
    schedule.send_hour = 8
    schedule.save()
    monday_early = _shanghai(2026, 11, 23, 7, 0)
    assert services.schedules_send_due(now=monday_early)["sent"] == 0  # before the hour
    assert services.schedules_send_due(now=_shanghai(2026, 11, 23, 8, 5))["sent"] == 1
    assert services.schedules_send_due(now=_shanghai(2026, 11, 27, 9, 0))["sent"] == 0  # same ISO week
    assert services.schedules_send_due(now=_shanghai(2026, 11, 30, 8, 0))["sent"] == 1  # next week
    assert list(ReportRun.objects.order_by("period").values_list("period", flat=True)) == ["2026-W48", "2026-W49"]
    assert len(mail.outbox) == 2


def test_monthly_periods_and_pdf_attachments(schedule):
    schedule.frequency, schedule.format = ReportSchedule.Frequency.MONTHLY, ReportSchedule.Format.PDF
    schedule.save()
    services.schedules_send_due(now=_shanghai(2026, 11, 2, 10))
    services.schedules_send_due(now=_shanghai(2026, 11, 30, 10))
    services.schedules_send_due(now=_shanghai(2026, 12, 1, 10))
    assert [m.attachments[0][2] for m in mail.outbox] == ["application/pdf", "application/pdf"]
    assert set(ReportRun.objects.values_list("period", flat=True)) == {"2026-11", "2026-12"}


def test_a_failed_send_records_the_error_and_is_tried_again(schedule, settings):
    settings.EMAIL_BACKEND = "tests.reports.test_schedules.BrokenBackend"
    assert services.schedules_send_due()["sent"] == 0
    schedule.refresh_from_db()
    assert "mail server down" in schedule.last_error
    assert not ReportRun.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.schedules_send_due()["sent"] == 1
    schedule.refresh_from_db()
    assert schedule.last_error == ""


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")


def test_scheduling_from_the_report_page_checks_the_addresses(client_for, manager):
    report = SavedReportFactory(owner=manager)
    client = client_for(manager)
    url = reverse("reports:schedule-create", args=[report.pk])
    bad = client.post(
        url, {"frequency": "daily", "send_hour": 8, "format": "pdf", "recipients": "boss@, x@example.com"}
    )
    assert bad.status_code == 400 and "boss@" in str(bad.context["schedule_form"].errors["recipients"])
    good = client.post(url, {"frequency": "daily", "send_hour": 8, "format": "pdf", "recipients": "a@example.com"})
    assert good.status_code == 302
    assert ReportSchedule.objects.get().owner == manager


def test_nobody_schedules_a_report_they_cannot_see(client_for, manager, executive):
    report = SavedReportFactory(owner=manager)
    response = client_for(executive).post(
        reverse("reports:schedule-create", args=[report.pk]),
        {"frequency": "daily", "send_hour": 8, "format": "pdf", "recipients": "a@example.com"},
    )
    assert response.status_code == 404


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_beat_task_on_a_real_worker_sends_once(rep_user, settings):
    CustomerFactory(owner=rep_user)
    ReportScheduleFactory(report=SavedReportFactory(owner=rep_user))
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert tasks.send_scheduled_reports.delay().get(timeout=30)["sent"] == 1
        assert tasks.send_scheduled_reports.delay().get(timeout=30)["sent"] == 0
    assert ReportRun.objects.count() == 1


def test_the_report_page_lists_the_schedules_latest_runs(client_for, manager):
    schedule = ReportScheduleFactory(report=SavedReportFactory(owner=manager))
    for day in range(1, 8):
        services.schedules_send_due(now=_shanghai(2026, 11, day, 9))
    response = client_for(manager).get(schedule.report.get_absolute_url())
    (shown,) = response.context["schedules"]
    assert [run.period for run in shown.recent_runs] == [f"2026-11-0{day}" for day in (7, 6, 5, 4, 3)]
    assert b"2026-11-07" in response.content
