"""A real Celery worker on a real Redis runs the job and the database shows its effect."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from crm import tasks
from crm.celery import app
from crm.models import BehaviourLog


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_purge_task_runs_on_a_real_worker(settings):
    settings.BEHAVIOUR_LOG_RETENTION_DAYS = 10
    stale = BehaviourLog.objects.create(action=BehaviourLog.Action.LOGIN_FAILED, username="stale")
    BehaviourLog.objects.filter(pk=stale.pk).update(at=timezone.now() - timedelta(days=11))
    BehaviourLog.objects.create(action=BehaviourLog.Action.LOGIN_FAILED, username="fresh")

    assert app.conf.broker_url.startswith("redis://")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = tasks.purge_behaviour_log.delay()
        assert result.get(timeout=30) == 1

    assert list(BehaviourLog.objects.values_list("username", flat=True)) == ["fresh"]
