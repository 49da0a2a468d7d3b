"""Celery tasks of the customers app: thin wrappers that load by id and call a service."""

from celery import shared_task

from .services import care, follow_ups, quality, segments, transfer


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def send_task_reminders(self):
    """Due-soon and overdue reminders for follow-up tasks; a reminder that failed is tried again."""
    counts = follow_ups.task_reminders_send()
    if counts["failed"]:
        raise self.retry()
    return counts


@shared_task
def generate_care_actions():
    """Daily: care actions from the active care plans and contact cadences (idempotent)."""
    return care.care_actions_generate()


@shared_task
def recompute_customer_scores():
    """Nightly: data-quality and churn-risk scores of every customer, in batches."""
    return {
        "quality_changed": quality.customers_quality_recompute(),
        "churn_changed": segments.customers_churn_recompute(),
    }


@shared_task
def run_customer_import(job_id):
    """A confirmed customer import, or the dry run of an upload; running the same job again does nothing."""

    return transfer.customer_import_run(job_id=job_id).status


@shared_task
def run_customer_export(job_id):
    """A customer export too large to download at once."""

    return transfer.customer_export_run(job_id=job_id).status
