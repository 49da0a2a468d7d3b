"""Celery tasks of the reports app: thin wrappers around the services."""

from celery import shared_task

from . import services, summaries


@shared_task
def send_scheduled_reports():
    """Every few minutes (beat): e-mail each scheduled report whose period has not been sent yet."""
    return services.schedules_send_due()


@shared_task
def refresh_sales_summaries():
    """Every few minutes (beat): rebuild the summaries the sales and service panels read."""
    return summaries.sales_summaries_refresh()


@shared_task
def refresh_customer_summaries():
    """Every few minutes (beat): rebuild the summaries the customer and communication panels read."""
    return summaries.customer_summaries_refresh()
