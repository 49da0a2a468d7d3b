"""Celery tasks of the reports app: thin wrappers around the services."""

from celery import shared_task

from . import services


@shared_task
def send_scheduled_reports():
    """Every few minutes (beat): e-mail each scheduled report whose period has not been sent yet."""
    return services.schedules_send_due()
