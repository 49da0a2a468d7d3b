"""Celery queues by kind: a huge export never waits behind reminders, and each kind can get its own workers."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from crm.celery import app
from crm.models import Job
from tests.factories import CustomerFactory


def _queue(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_tasks_go_to_the_queue_of_their_kind():
    app.loader.import_default_modules()
    assert _queue("customers.tasks.run_customer_import") == "imports"
    assert _queue("customers.tasks.run_customer_export") == "exports"
    assert _queue("security.tasks.nightly_backup") == "exports"
    assert _queue("customers.tasks.send_task_reminders") == "mail"
    assert _queue("marketing.tasks.send_event_invitations") == "mail"
    assert _queue("reports.tasks.send_scheduled_reports") == "reports"
    assert _queue("security.tasks.worker_heartbeat") == "default"
    queues = {_queue(name) for name in app.tasks if not name.startswith("celery.")}
    assert queues == set(settings.CELERY_QUEUE_NAMES)


def test_make_run_worker_takes_every_queue():
    from crm import devstack

    assert devstack.WORKER_QUEUES.split(",") == list(settings.CELERY_QUEUE_NAMES)


def test_long_jobs_have_long_limits_and_the_broker_waits_longer_still():
    app.loader.import_default_modules()
    export = app.tasks["customers.tasks.run_customer_export"]
    reminders = app.tasks["customers.tasks.send_task_reminders"]
    assert export.soft_time_limit == settings.CELERY_LONG_TASK_TIME_LIMIT
    assert app.conf.task_soft_time_limit == settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert getattr(reminders, "soft_time_limit", None) in (None, settings.CELERY_TASK_SOFT_TIME_LIMIT)
    # A task still running when the visibility timeout ends would be handed to a second worker.
    assert app.conf.broker_transport_options["visibility_timeout"] > export.time_limit


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_test_worker_consumes_every_queue_the_tasks_route_to(rep_user):
    """An export routed to the exports queue is taken by the suite's in-process worker."""
    from customers.services.transfer import CUSTOMERS
    from customers.tasks import run_customer_export

    CustomerFactory(owner=rep_user, name="Queue Test Co")
    job = Job.objects.create(
        user=rep_user,
        kind=Job.Kind.EXPORT,
        dataset=CUSTOMERS.dataset,
        status=Job.Status.QUEUED,
        options={"format": "csv", "fields": ["name"]},
    )
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        assert set(settings.CELERY_QUEUE_NAMES) <= {q.name for q in worker.consumer.task_consumer.queues}
        run_customer_export.delay(job.pk).get(timeout=60)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert "Queue Test Co" in job.output_file.open("rb").read().decode("utf-8-sig")
