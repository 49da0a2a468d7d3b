from celery import shared_task

from . import idempotency, webhooks


@shared_task
def deliver_webhook(delivery_id):
    """One attempt; a failed one queues the next itself (crm/api/webhooks.py: exponential backoff)."""
    return webhooks.delivery_attempt(delivery_id=delivery_id)


@shared_task
def purge_api_records():
    """Idempotency keys past their 24 hours and delivery logs past 30 days."""
    return {"idempotency": idempotency.idempotency_purge(), "deliveries": webhooks.deliveries_purge()}
