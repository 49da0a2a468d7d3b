"""Celery tasks of the service app: thin wrappers that call a service."""

from celery import shared_task

from .services import exports, sla


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def send_sla_reminders(self):
    """Every few minutes (beat): SLA warnings before a breach and escalations at it, each sent once."""
    counts = sla.sla_reminders_send()
    if counts["failed"]:
        raise self.retry()
    return counts


@shared_task
def run_ticket_export(job_id):
    """A ticket export too large to download at once; running the same job again does nothing."""

    return exports.ticket_export_run(job_id=job_id).status
