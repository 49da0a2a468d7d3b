from celery import shared_task
from celery.signals import worker_ready
from django.contrib.auth import get_user_model

from .models import Backup
from .services import backups, health, log_export


@shared_task
def nightly_backup():
    backup = backups.backup_create(trigger=Backup.Trigger.SCHEDULE)
    pruned = backups.backup_prune()
    return {"backup": backup.pk, "status": backup.status, "check": backup.check_status, "pruned": len(pruned)}


@shared_task
def backup_run(backup_id=None, actor_id=None):
    """A backup started from the backups page; ``actor_id`` is who asked."""

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return backups.backup_create(actor=actor, trigger=Backup.Trigger.MANUAL).pk


@shared_task
def worker_heartbeat():
    return health.worker_heartbeat_record()


@worker_ready.connect
def _heartbeat_on_start(sender=None, **kwargs):
    # A worker that has just started takes tasks: /healthz need not wait a minute for beat's first heartbeat.
    health.worker_heartbeat_record()


@shared_task
def run_behaviour_log_export(job_id):
    """A behaviour-log export too large to download at once."""

    return log_export.behaviour_log_export_run(job_id=job_id).status
