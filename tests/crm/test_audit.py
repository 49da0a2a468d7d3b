"""Behaviour-log retention."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crm import audit
from crm.models import BehaviourLog

pytestmark = pytest.mark.django_db


def test_purge_removes_only_entries_past_retention(settings):
    settings.BEHAVIOUR_LOG_RETENTION_DAYS = 30
    old = audit.log_action(actor=None, action=BehaviourLog.Action.LOGIN_FAILED, username="x")
    recent = audit.log_action(actor=None, action=BehaviourLog.Action.LOGIN_FAILED, username="y")
    BehaviourLog.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=31))
    BehaviourLog.objects.filter(pk=recent.pk).update(at=timezone.now() - timedelta(days=29))
    assert audit.behaviour_log_purge() == 1
    assert list(BehaviourLog.objects.values_list("username", flat=True)) == ["y"]


def test_the_purge_is_scheduled_in_beat(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "crm.tasks.purge_behaviour_log" in tasks
