"""Celery tasks of the sales app: thin wrappers that call a service."""

from celery import shared_task

from .integration import rfm_update
from .services.contracts import contract_reminders_send
from .services.exports import opportunity_export_run
from .services.imports import lead_import_run


@shared_task(bind=True, max_retries=3, default_retry_delay=300)
def send_contract_reminders(self):
    """Daily (beat): expire ended contracts and send the 30- and 7-day reminders, each once."""

    return contract_reminders_send()


@shared_task
def update_customer_value_segments():
    """Nightly (beat): RFM value segments of customers from their confirmed orders."""

    return rfm_update()


@shared_task
def run_lead_import(job_id):
    """A confirmed lead import or the dry run of an upload; running the same job again does nothing."""

    return lead_import_run(job_id=job_id).status


@shared_task
def run_opportunity_export(job_id):
    """An opportunity export too large to download at once."""

    return opportunity_export_run(job_id=job_id).status
